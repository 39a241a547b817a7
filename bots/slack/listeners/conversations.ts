import type { App, BlockAction, ButtonAction, StaticSelectAction, UsersSelectAction } from '@slack/bolt';
import { DomainError, notFound } from '../../../server/core/errors.ts';
import { updateConversationRow } from '../../../server/domains/conversations/conversations.inbox.ts';
import { findConversation } from '../../../server/domains/conversations/conversations.repository.ts';
import { findMember } from '../../../server/domains/shops/shops.repository.ts';
import { linkedUserOf } from '../../../server/domains/slack/slack.people.ts';
import type { SlackBotDeps } from '../deps.ts';
import type { Person } from '../people.ts';
import type { Said } from '../reply.ts';
import { act, interactionOf, readValue, type ButtonValue } from './act.ts';

/**
 * Take and Assign on a conversation alert, through the console's own update (the assignee must
 * be a member of the shop now; audited; the inbox moves live). Taking a conversation someone
 * else already has does not take it from them: the person is told who has it.
 */
export function registerConversationActions(app: App, deps: SlackBotDeps): void {
  app.action<BlockAction<ButtonAction>>('conversation.take', async ({ ack, body, action }) => {
    await ack();
    const i = interactionOf(body);
    await act(deps, i, readValue(action.value), (actor, v) => take(deps, actor, v, i.requestId));
  });
  app.action<BlockAction<StaticSelectAction | UsersSelectAction>>('conversation.assign', async ({ ack, body, action }) => {
    await ack();
    const i = interactionOf(body);
    // A static menu of members carries everything in the option; a users menu carries the object in its block id.
    const value = action.type === 'static_select' ? readValue(action.selected_option?.value) : readValue(action.block_id);
    await act(deps, i, value, async (actor, v) => {
      const assigneeId = action.type === 'users_select' ? await linkedUserOf(deps.db, v.shopId, i.teamId!, action.selected_user) : v.assigneeId;
      if (!assigneeId) return { ja: '選んだ人は、このショップの madoguchi のメンバーとつながっていません。操作は行いませんでした。', en: 'The person chosen is not linked to a member of this shop in madoguchi. Nothing was done.' };
      return assign(deps, actor, v, assigneeId, i.requestId);
    });
  });
}

async function take(deps: SlackBotDeps, actor: Person, v: ButtonValue, requestId: string): Promise<Said> {
  const c = await findConversation(deps.db, actor.shopId, v.objectId);
  if (!c) throw notFound('conversation');
  if (c.assigneeId === actor.userId) return { ja: `#${c.number} はすでにあなたの担当です。`, en: `#${c.number} is already yours.` };
  if (c.assigneeId) {
    const who = (await findMember(deps.db, actor.shopId, c.assigneeId))?.name ?? '—';
    return { ja: `#${c.number} はすでに ${who} さんが担当しています。操作は行いませんでした。`, en: `#${c.number} is already taken by ${who}. Nothing was done.` };
  }
  try {
    await updateConversationRow(deps.chat, actor, c.id, { assigneeId: actor.userId, onlyIfUnassigned: true }, requestId);
  } catch (e) {
    // Someone took it between the read above and the lock: they have it, and nothing changed.
    const other = e instanceof DomainError && e.code === 'conflict' ? (e.details as { assigneeId?: string } | undefined)?.assigneeId : undefined;
    if (!other) throw e;
    const who = (await findMember(deps.db, actor.shopId, other))?.name ?? '—';
    return { ja: `#${c.number} はすでに ${who} さんが担当しています。操作は行いませんでした。`, en: `#${c.number} is already taken by ${who}. Nothing was done.` };
  }
  return { ja: `#${c.number} をあなたの担当にしました。`, en: `#${c.number} is now yours.` };
}

async function assign(deps: SlackBotDeps, actor: Person, v: ButtonValue, assigneeId: string, requestId: string): Promise<Said> {
  const c = await findConversation(deps.db, actor.shopId, v.objectId);
  if (!c) throw notFound('conversation');
  await updateConversationRow(deps.chat, actor, c.id, { assigneeId }, requestId);
  const who = (await findMember(deps.db, actor.shopId, assigneeId))?.name ?? '—';
  return { ja: `#${c.number} の担当を ${who} さんにしました。`, en: `#${c.number} is now assigned to ${who}.` };
}
