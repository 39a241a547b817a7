import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { DomainEvents } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Outgoing } from '../../events/commit.ts';
import { users } from '../shops/shops.tables.ts';
import { updateConversation, type ConversationRow } from './conversations.repository.ts';
import { messages, type StatusEventData } from './conversations.tables.ts';
import { toActivity, toMessageDto } from './conversations.view.ts';

/**
 * Status events in the conversation's history: who assigned it to whom, snoozed it until
 * when, resolved or reopened it. Written in the transaction of the change itself, so the
 * history and the state never disagree. They are internal, like notes: the customer's sync,
 * the widget's live feed, the inbox preview and reply mails all leave them out
 * (isInternal, in conversations.view.ts). The console renders `statusEvent` in the reader's language; `body` is a
 * bilingual text for API readers.
 */

/** What changed between the two states, as events in the order a reader expects them. */
export function statusEventsOf(before: ConversationRow, after: ConversationRow, by: string | null, names: Map<string, string>): StatusEventData[] {
  const events: StatusEventData[] = [];
  if (after.assigneeId !== before.assigneeId) {
    events.push(after.assigneeId ? { action: 'assigned', by, assignee: names.get(after.assigneeId) ?? '?' } : { action: 'unassigned', by });
  }
  const snoozedAgain = after.status === 'snoozed' && after.snoozedUntil && after.snoozedUntil.getTime() !== before.snoozedUntil?.getTime();
  if (after.status !== before.status || snoozedAgain) {
    if (after.status === 'snoozed') events.push({ action: 'snoozed', by, until: after.snoozedUntil!.toISOString() });
    else if (after.status === 'resolved') events.push({ action: 'resolved', by });
    else if (after.status === 'closed') events.push({ action: 'closed', by });
    else if (before.status === 'snoozed' && by === null) events.push({ action: 'woke', by });
    else if (before.status === 'resolved' || before.status === 'closed' || before.status === 'snoozed') events.push({ action: 'reopened', by });
  }
  return events;
}

const tokyo = (iso: string) => new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' });

/** The text for readers that do not render the data (the API): Japanese first, English alongside. */
export function statusEventText(e: StatusEventData): string {
  const who = e.by ?? 'madoguchi';
  switch (e.action) {
    case 'assigned':
      return `${who}が${e.assignee}さんに割り当てました / ${who} assigned this to ${e.assignee}`;
    case 'unassigned':
      return `${who}が担当を外しました / ${who} unassigned this`;
    case 'snoozed':
      return `${who}が${tokyo(e.until!)}までスヌーズしました / ${who} snoozed this until ${e.until}`;
    case 'resolved':
      return `${who}が解決にしました / ${who} resolved this`;
    case 'closed':
      return `${who}がクローズしました / ${who} closed this`;
    case 'reopened':
      return `${who}が再開しました / ${who} reopened this`;
    case 'woke':
      return `スヌーズが終わりました / The snooze ended`;
  }
}

async function assigneeNames(tx: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Writes the events of a change (before → after, `after` already stored and locked by the
 * caller) as messages after the conversation's last one, moves its sequence on, and sends
 * them to the consoles after the commit. Answers the conversation as it is now.
 */
export async function recordStatusEvents(tx: Db, out: Outgoing, before: ConversationRow, after: ConversationRow, actor: Actor | null): Promise<ConversationRow> {
  const written = await writeStatusEvents(tx, before, after, actor && actor.kind !== 'system' ? actor.name : null);
  for (const live of written.live) out.live('message.live', live);
  // For the listeners (a Slack alert about the ticket updated in place): what it is now.
  if (before.status !== after.status || before.assigneeId !== after.assigneeId) {
    out.emit('conversation.updated', { shopId: after.shopId, conversationId: after.id, status: after.status, assigneeId: after.assigneeId });
  }
  return written.conversation;
}

type LiveMessage = DomainEvents['message.live'];

/** recordStatusEvents for a transaction without an Outgoing (the auto-assigner): the caller publishes `live` after its commit. */
export async function writeStatusEvents(tx: Db, before: ConversationRow, after: ConversationRow, by: string | null): Promise<{ conversation: ConversationRow; live: LiveMessage[] }> {
  const names = await assigneeNames(tx, after.assigneeId && after.assigneeId !== before.assigneeId ? [after.assigneeId] : []);
  const events = statusEventsOf(before, after, by, names);
  if (!events.length) return { conversation: after, live: [] };
  const rows = events.map((statusEvent, i) => ({
    id: randomUUID(),
    shopId: after.shopId,
    conversationId: after.id,
    seq: after.lastSeq + 1 + i,
    clientId: `status-${randomUUID()}`,
    authorKind: 'system' as const,
    authorId: null,
    authorName: statusEvent.by ?? 'madoguchi',
    kind: 'event' as const,
    body: statusEventText(statusEvent),
    statusEvent,
  }));
  const inserted = await tx.insert(messages).values(rows).returning();
  // Only the sequence moves: an internal event is nobody's message, so lastMessageAt stays, and
  // a conversation the agents had read does not turn unread over its own status change.
  const lastSeq = after.lastSeq + rows.length;
  const now = await updateConversation(tx, after.shopId, after.id, { lastSeq, ...(after.agentReadSeq >= after.lastSeq ? { agentReadSeq: lastSeq } : {}) });
  const live = inserted.map((m) => ({ shopId: now.shopId, conversationId: now.id, messageId: m.id, seq: m.seq, message: toMessageDto(m), activity: toActivity(now, m) }));
  return { conversation: now, live };
}
