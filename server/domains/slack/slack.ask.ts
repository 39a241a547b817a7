import { and, eq, inArray } from 'drizzle-orm';
import { requireKind, type Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { transact, type Outgoing } from '../../events/commit.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { chatHooks } from '../conversations/conversations.hooks.ts';
import { conversationDtos, viewerRole } from '../conversations/conversations.inbox.ts';
import { assertStatusTransition } from '../conversations/conversations.machine.ts';
import { recordStatusEvents } from '../conversations/conversations.events.ts';
import { lockConversation, updateConversation } from '../conversations/conversations.repository.ts';
import { chatSink, type ChatDeps } from '../conversations/conversations.service.ts';
import type { ConversationDto } from '../conversations/conversations.dto.ts';
import type { Author } from '../conversations/conversations.types.ts';
import { toActivity, toMessageDto } from '../conversations/conversations.view.ts';
import { writeMessages } from '../conversations/conversations.write.ts';
import { slackAlerts } from './slack.alerts.tables.ts';
import { channelFor, findConnection, linkedActor, slackClientFor, type SlackDeps } from './slack.client.ts';
import { slackConnections } from './slack.tables.ts';

/**
 * Asking the merchant: an agent's question about a ticket goes to the shop's Slack channel for
 * `merchant_question` (through the outbox: the event `merchant.question_asked` and its alert
 * job), the ticket waits on the merchant (its SLA clocks pause), and the merchant's replies in
 * that thread come back as internal notes (never to the customer: a note is internal on every
 * path, whatever its text says) and move the ticket back to `open`.
 */

/** One internal note written in `tx`, exactly once per client id; answers it, or the stored one when said again. */
async function writeNote(tx: Db, out: Outgoing, author: Author, conversationId: string, clientId: string, body: string) {
  const { outcomes } = await writeMessages(tx, [{ author, input: { conversationId, clientId, body, kind: 'note' } }], { now: new Date() }, out);
  const o = outcomes[0]!;
  if (!o.ok) throw o.error;
  if (!o.sent.duplicate) {
    const m = o.sent.message;
    out.live('message.live', { shopId: m.shopId, conversationId, messageId: m.id, seq: m.seq, message: toMessageDto(m), activity: toActivity(o.sent.conversation, m) });
  }
  return o.sent;
}

const notConnected = () =>
  conflict('Slack is not connected, or the merchant_question alert is muted or has no channel', {
    say: { ja: 'Slackが接続されていないか、「ショップへの質問」の通知先チャンネルが未設定またはミュートです。設定を確認してください。', en: 'Slack is not connected, or the “question for the shop” alert is muted or has no channel. Check the Slack settings.' },
  });

/**
 * Posts `question` to the merchant in Slack and puts the ticket in `waiting_merchant`; the
 * question stays on the ticket as the asker's internal note. Any person of the shop may ask
 * (a contractor too: the ticket's summary is masked in Slack). 409 when the shop's Slack
 * cannot take it (not connected, broken, no channel or muted).
 *
 * @example
 * await askMerchant(chat, actor, conversationId, '返品を受けてもよいですか？', requestId);
 */
export async function askMerchant(deps: ChatDeps, actor: Actor, conversationId: string, question: string, requestId?: string): Promise<ConversationDto> {
  requireKind(actor, 'user');
  const channel = await channelFor(deps.db, actor.shopId, 'merchant_question');
  const connection = await findConnection(deps.db, actor.shopId);
  if (!channel || channel === 'muted' || connection?.status !== 'ok') throw notConnected();
  const after = await transact(deps.db, chatSink(deps), async (tx, out) => {
    const before = await lockConversation(tx, actor.shopId, conversationId);
    if (!before) throw notFound('conversation');
    if (before.mergedIntoId) throw conflict('this conversation was merged into another', { mergedIntoId: before.mergedIntoId });
    assertStatusTransition(before.status, 'waiting_merchant');
    const sent = await writeNote(tx, out, { kind: 'agent', actor }, conversationId, `ask-merchant-${requestId ?? crypto.randomUUID()}`, question);
    const current = (await lockConversation(tx, actor.shopId, conversationId))!;
    let now = current;
    if (current.status !== 'waiting_merchant') {
      now = await updateConversation(tx, actor.shopId, conversationId, { status: 'waiting_merchant', snoozedUntil: null });
      // The SLA clocks pause in waiting_merchant (sla.machine.ts pausedStatuses).
      out.queued(await chatHooks.statusChanged(tx, now, new Date()));
      now = await recordStatusEvents(tx, out, current, now, actor);
    }
    out.emit('merchant.question_asked', { shopId: actor.shopId, conversationId, messageId: sent.message.id });
    await recordAudit(tx, actor, { action: 'conversation.merchant_asked', objectType: 'conversation', objectId: conversationId, summary: { number: before.number, from: before.status, messageId: sent.message.id } }, requestId);
    out.live('conversation.changed', { shopId: actor.shopId, conversationId });
    return now;
  });
  return (await conversationDtos(deps.db, actor.shopId, [after], viewerRole(actor)))[0]!;
}

/** What a thread reply needs: Slack's connection (for the replier's name) and where the chat's commits go on. */
export type ThreadReplyDeps = SlackDeps & Pick<ChatDeps, 'poke' | 'bus' | 'timing'> & Partial<Pick<ChatDeps, 'logger'>>;

export interface ThreadReply {
  teamId: string;
  channelId: string;
  threadTs: string;
  slackUserId: string;
  text: string;
  /** The shops whose app signed the request (the receiver's record): a reply acts only in those. */
  shopIds: readonly string[];
  /** Slack's event id: the same reply delivered twice (Slack's retries) is one note. */
  eventId: string;
}

/** Slack's mrkdwn escapes, undone: the note reads as the merchant wrote it. */
const unescape = (s: string) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/**
 * A reply in the thread of a ticket's alert (the merchant's answer to a question): an internal
 * note on the ticket, written once per Slack event id, by the linked madoguchi person (their
 * role now: every action from Slack is a known person's); a ticket waiting on the merchant goes
 * back to `open`. A person not linked writes nothing (`why: 'not linked'`, with the shop: the
 * listener links them by email or tells them how). Replies in other threads, by the app itself,
 * or about a ticket gone are ignored (answers why).
 */
export async function noteFromThreadReply(deps: ThreadReplyDeps, reply: ThreadReply): Promise<{ noted: boolean; conversationId?: string; shopId?: string; why?: string }> {
  const [root] = await deps.db
    .select({ shopId: slackAlerts.shopId, objectId: slackAlerts.objectId, botUserId: slackConnections.botUserId })
    .from(slackAlerts)
    .innerJoin(slackConnections, eq(slackConnections.shopId, slackAlerts.shopId))
    .where(
      and(
        eq(slackConnections.teamId, reply.teamId),
        // A workspace may serve several shops, each with its own app: only the one that signed acts.
        inArray(slackAlerts.shopId, reply.shopIds.length ? [...reply.shopIds] : ['00000000-0000-0000-0000-000000000000']),
        eq(slackAlerts.channelId, reply.channelId),
        eq(slackAlerts.ts, reply.threadTs),
        eq(slackAlerts.objectType, 'conversation'),
        inArray(slackAlerts.status, ['posted']),
      ),
    )
    .limit(1);
  if (!root) return { noted: false, why: 'not the thread of a ticket' };
  if (reply.slackUserId === root.botUserId) return { noted: false, why: 'the app’s own message' };
  const body = unescape(reply.text).trim();
  if (!body) return { noted: false, why: 'empty' };
  const shopId = root.shopId;
  const actor = await linkedActor(deps.db, shopId, reply.teamId, reply.slackUserId);
  if (!actor) return { noted: false, conversationId: root.objectId, shopId, why: 'not linked' };
  try {
    return await transact(deps.db, chatSink(deps), async (tx, out) => {
      const before = await lockConversation(tx, shopId, root.objectId);
      if (!before) return { noted: false, why: 'the ticket is gone' };
      const sent = await writeNote(tx, out, { kind: 'agent', actor }, root.objectId, `slack-${reply.eventId}`, body.slice(0, 10_000));
      if (sent.duplicate) return { noted: false, conversationId: root.objectId, why: 'already noted' };
      const current = (await lockConversation(tx, shopId, root.objectId))!;
      if (current.status === 'waiting_merchant') {
        assertStatusTransition(current.status, 'open');
        const opened = await updateConversation(tx, shopId, root.objectId, { status: 'open' });
        out.queued(await chatHooks.statusChanged(tx, opened, new Date()));
        await recordStatusEvents(tx, out, current, opened, actor);
      }
      await recordAudit(tx, actor, { action: 'conversation.merchant_answered', objectType: 'conversation', objectId: root.objectId, summary: { number: before.number, via: 'slack', slackUserId: reply.slackUserId, messageId: sent.message.id } });
      out.live('conversation.changed', { shopId, conversationId: root.objectId });
      return { noted: true, conversationId: root.objectId };
    });
  } catch (e) {
    // A merged ticket, or one closed for good: the answer has nowhere to go, said to the caller.
    if (e instanceof DomainError) return { noted: false, conversationId: root.objectId, why: e.message };
    throw e;
  }
}
