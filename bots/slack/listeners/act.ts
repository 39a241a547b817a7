import { z } from 'zod';
import { isDomainError, type DomainError } from '../../../server/core/errors.ts';
import type { SlackBotDeps } from '../deps.ts';
import { actorFor, type Person } from '../people.ts';
import { replyEphemeral, type ReplyTarget, type Said } from '../reply.ts';
import { words } from '../words.ts';

/**
 * What a button of madoguchi's alerts carries (bots/slack/blocks put it there): the shop, the
 * object, and the version or status it was posted with. Select menus carry it in their
 * option's value, with the person chosen (`assigneeId`), or in their block id.
 */
export const buttonValue = z.object({
  shopId: z.uuid(),
  objectId: z.uuid(),
  v: z.union([z.string().max(100), z.number()]).optional(),
  assigneeId: z.uuid().optional(),
});
export type ButtonValue = z.infer<typeof buttonValue>;

export function readValue(raw: unknown): ButtonValue | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return undefined;
  try {
    const r = buttonValue.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The words for a service's refusal: what kind of refusal in Japanese, the service's own reason alongside. */
const refusalJa: Partial<Record<DomainError['code'], string>> = {
  forbidden: 'この操作の権限がありません。',
  invalid_transition: 'いまの状態ではこの操作はできません。',
  conflict: '他の人が先に変更しました。',
  not_found: '対象が見つかりません。',
  invalid_input: '入力内容を確認してください。',
};
export function saidOf(e: DomainError): Said {
  const say = (e.details as { say?: Said } | undefined)?.say;
  if (say) return words.refused(say);
  return words.refused({ ja: refusalJa[e.code] ?? '操作できませんでした。', en: e.message });
}

export interface Interaction {
  body: object;
  teamId: string | undefined;
  slackUserId: string;
  /** Where the answer goes. */
  reply: Omit<ReplyTarget, 'shopId'>;
  /** For the audit rows: which Slack interaction did it. */
  requestId: string;
}

/**
 * The part every action shares, after the ack: read the button's value, find who acts (with
 * their role now), run the service call, and answer ephemerally with what happened or why
 * nothing did (`null`: nothing to say, as when a modal opened). Every refusal is logged.
 */
export async function act(deps: SlackBotDeps, i: Interaction, value: ButtonValue | undefined, run: (actor: Person, v: ButtonValue) => Promise<Said | null>): Promise<void> {
  const answer = (shopId: string | undefined, said: Said) => replyEphemeral(deps, { ...i.reply, shopId }, said);
  if (!value || !i.teamId) {
    deps.logger.warn({ teamId: i.teamId, slackUserId: i.slackUserId }, 'slack: refused an action whose value cannot be read');
    return answer(undefined, words.badValue);
  }
  try {
    const actor = await actorFor(deps, { body: i.body, teamId: i.teamId, slackUserId: i.slackUserId, shopId: value.shopId });
    if (!('kind' in actor)) return answer(value.shopId, actor);
    const said = await run(actor, value);
    if (said) return answer(value.shopId, said);
  } catch (e) {
    if (isDomainError(e)) {
      deps.logger.info({ shopId: value.shopId, objectId: value.objectId, code: e.code, slackUserId: i.slackUserId }, 'slack: an action was refused');
      return answer(value.shopId, saidOf(e));
    }
    deps.logger.error({ shopId: value.shopId, err: (e as Error).message }, 'slack: an action failed');
    return answer(value.shopId, words.failed);
  }
}

/** The interaction parts of a block action or view submission payload. */
export function interactionOf(body: { team?: { id?: string } | null; user: { id: string }; response_url?: string; channel?: { id?: string }; trigger_id?: string }, responseUrl?: string, channelId?: string): Interaction {
  return {
    body,
    teamId: body.team?.id ?? undefined,
    slackUserId: body.user.id,
    reply: { responseUrl: responseUrl ?? body.response_url, channelId: channelId ?? body.channel?.id, userId: body.user.id },
    requestId: `slack:${body.trigger_id ?? 'action'}`,
  };
}
