import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { Outgoing } from '../../events/commit.ts';
import { applySlaEvents, type SlaEventInput } from '../sla/sla.service.ts';
import type { AttachmentDto } from './conversations.dto.ts';
import { assigneeKey, assigneesGone } from './conversations.assign.ts';
import { chatHooks } from './conversations.hooks.ts';
import { reopensOnCustomerMessage } from './conversations.machine.ts';
import { insertMentions } from './conversations.mentions.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import type { Author, SendInput } from './conversations.types.ts';
import type { ConversationStatus } from './conversations.tables.ts';
import { clientKey, lockAndRead, writeBatch } from './conversations.write.repository.ts';

/**
 * Group commit for chat messages: one batch of sends in one transaction (conversations.writer.ts
 * gathers them: sends that arrive while a batch is being written, or under load within its
 * gathering window (GATHER_MS), wait, and go together in the next transaction). One call that
 * locks the conversations and then reads what the batch needs (resent client ids, SLA clocks,
 * calendars and policies), one that inserts the messages and moves their conversations, and
 * one SLA pass for the whole batch: four round trips with BEGIN and COMMIT when no SLA clock
 * moves. Until batches of several open the window (GATHER_AFTER), a message finding nothing in
 * flight is written at once, so a quiet server waits for nothing; a busy one pays a
 * transaction per batch rather than per message.
 *
 * Each message still gets the next sequence number of its conversation under the row lock,
 * in the order the sends arrived, and exactly-once holds as before: a client id seen again
 * answers the stored message.
 */
export interface Sent {
  conversation: ConversationRow;
  message: MessageRow;
  attachments: AttachmentDto[];
  duplicate: boolean;
  /** The conversation's status moved (a customer message reopened it). */
  statusChanged: boolean;
}

export interface SendRequest {
  author: Author;
  /** `event`: a notice from madoguchi itself (a return moved on): shown to both sides, no SLA effect, no reply mail. */
  input: Omit<SendInput, 'kind'> & { kind: 'text' | 'note' | 'event' };
}

type Outcome = { ok: true; sent: Sent } | { ok: false; error: unknown };

export function authorColumns(a: Author, kind?: 'text' | 'note' | 'event') {
  if (kind === 'event' && a.kind === 'agent') return { authorKind: 'system' as const, authorId: null, authorName: a.actor.name };
  if (a.kind === 'customer') return { authorKind: 'customer' as const, authorId: a.principal.customerId, authorName: a.principal.customer.name };
  const id = a.actor.kind === 'user' ? a.actor.userId : null;
  return { authorKind: 'agent' as const, authorId: id, authorName: a.actor.name };
}

const shopOf = (a: Author) => (a.kind === 'customer' ? a.principal.shopId : a.actor.shopId);

/**
 * What a message does to its conversation: reopen, first response, read marks. `gone`: the
 * assignees who have left their shop (assigneesGone); a conversation reopened from resolved
 * whose assignee has left goes back to the queue.
 */
function conversationPatch(c: ConversationRow, m: Pick<MessageRow, 'seq' | 'kind' | 'authorKind'>, now: Date, gone: Set<string>): Partial<ConversationRow> {
  const patch: Partial<ConversationRow> = { lastSeq: m.seq };
  if (m.kind === 'note') return patch;
  patch.lastMessageAt = now;
  // A notice moves no read marks and is nobody's response.
  if (m.kind === 'event') return patch;
  if (m.authorKind === 'customer') {
    patch.lastCustomerMessageAt = now;
    patch.customerReadSeq = m.seq;
    if (reopensOnCustomerMessage(c.status)) Object.assign(patch, { status: 'open' as ConversationStatus, snoozedUntil: null, resolvedAt: null });
    if (c.status === 'resolved' && c.assigneeId && gone.has(assigneeKey(c.shopId, c.assigneeId))) Object.assign(patch, { assigneeId: null, awaitingAssignment: true });
  } else {
    patch.agentReadSeq = m.seq;
    if (!c.firstResponseAt) patch.firstResponseAt = now;
  }
  return patch;
}

/** One send's place in a batch once it passed the checks against its locked conversation. */
interface Planned {
  index: number;
  key: string;
  /** The conversation before this message (its status, for statusChanged) and after it. */
  before: ConversationRow;
  after: ConversationRow;
  /** Resent within the same batch: answered with the first one's row. */
  duplicateOfBatch?: boolean;
}

/**
 * Writes a batch in the caller's transaction. A send that fails its checks (another shop's
 * conversation, merged, closed, someone else's client id) gets its error and writes nothing;
 * the rest go on. Answers each send's outcome, in order, and how many outbox rows were written.
 */
export async function writeMessages(tx: Db, reqs: SendRequest[], opts: { now: Date }, out: Outgoing): Promise<{ outcomes: Outcome[] }> {
  const { now } = opts;
  const outcomes: Outcome[] = new Array(reqs.length);
  const { locked, stored, sla: known } = await lockAndRead(tx, reqs.map((r) => ({ shopId: shopOf(r.author), conversationId: r.input.conversationId, clientId: r.input.clientId })));
  // Only resolved conversations a customer writes to can bring a departed assignee back: asked about only then.
  const reopening = [...locked.values()].filter((c) => c.status === 'resolved' && c.assigneeId && reqs.some((r) => r.author.kind === 'customer' && r.input.conversationId === c.id));
  const gone = await assigneesGone(tx, reopening);
  const current = new Map(locked);
  const planned: Planned[] = [];
  // The index of the first send of each client id in this batch.
  const firstOf = new Map<string, number>();
  const duplicateOf = (r: SendRequest, existing: { authorKind: string; authorId: string | null }) => {
    const mine = authorColumns(r.author, r.input.kind);
    if (existing.authorKind !== mine.authorKind || existing.authorId !== mine.authorId) {
      throw new DomainError('conflict', 'this client id was already used by someone else in this conversation');
    }
  };

  reqs.forEach((r, index) => {
    try {
      const c = current.get(r.input.conversationId);
      if (!c || c.shopId !== shopOf(r.author) || (r.author.kind === 'customer' && c.customerId !== r.author.principal.customerId)) throw notFound('conversation');
      const key = clientKey(c.id, r.input.clientId);
      const existing = stored.get(key);
      if (existing) {
        duplicateOf(r, existing);
        outcomes[index] = { ok: true, sent: { conversation: c, message: existing, attachments: [], duplicate: true, statusChanged: false } };
        return;
      }
      const first = firstOf.get(key);
      if (first !== undefined) {
        duplicateOf(r, authorColumns(reqs[first]!.author, reqs[first]!.input.kind));
        planned.push({ index, key, before: c, after: c, duplicateOfBatch: true });
        return;
      }
      if (c.mergedIntoId) throw new DomainError('conflict', 'this conversation was merged into another', { mergedIntoId: c.mergedIntoId });
      if (c.status === 'closed' && r.input.kind !== 'note') throw new DomainError('invalid_transition', 'this conversation is closed; start a new one');
      const m = { seq: c.lastSeq + 1, kind: r.input.kind, authorKind: authorColumns(r.author, r.input.kind).authorKind };
      const after = { ...c, ...conversationPatch(c, m, now, gone), updatedAt: now };
      current.set(c.id, after);
      firstOf.set(key, index);
      planned.push({ index, key, before: c, after });
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  });

  const fresh = planned.filter((p) => !p.duplicateOfBatch);
  const touched = [...current.values()].filter((c) => c !== locked.get(c.id));
  const inserted = await writeBatch(
    tx,
    fresh.map((p) => {
      const r = reqs[p.index]!;
      return { id: randomUUID(), shopId: p.after.shopId, conversationId: p.after.id, seq: p.after.lastSeq, clientId: r.input.clientId, kind: r.input.kind, body: r.input.body, ...authorColumns(r.author, r.input.kind) };
    }),
    touched,
    now,
  );
  const sla: SlaEventInput[] = [];
  for (const p of fresh) {
    const r = reqs[p.index]!;
    const m = inserted.get(p.key)!;
    const attachments = r.input.attachmentIds?.length
      ? await chatHooks.claimAttachments(tx, { shopId: m.shopId, conversationId: m.conversationId, messageId: m.id, ids: r.input.attachmentIds, author: r.author })
      : [];
    if (m.kind === 'note' && r.input.mentions?.length && r.author.kind === 'agent') {
      await insertMentions(tx, p.after, m, r.input.mentions);
      for (const userId of new Set(r.input.mentions)) out.emit('mention.created', { shopId: m.shopId, conversationId: m.conversationId, messageId: m.id, userId }, { at: now });
    }
    const slaEvent = chatHooks.slaEventOf(p.after, m, now);
    if (slaEvent) sla.push(slaEvent);
    // Its listeners: the reply mail for an agent's reply the customer has not read (subscriptions.ts).
    // One literal, no spread: see slaInput (conversations.hooks.ts).
    out.emit('message.created', { shopId: m.shopId, conversationId: m.conversationId, messageId: m.id, seq: m.seq, authorKind: m.authorKind, kind: m.kind }, { at: now });
    outcomes[p.index] = { ok: true, sent: { conversation: p.after, message: m, attachments, duplicate: false, statusChanged: p.after.status !== p.before.status } };
  }
  const inBatchResend = new Set<number>();
  for (const p of planned.filter((x) => x.duplicateOfBatch)) {
    inBatchResend.add(p.index);
    const first = outcomes[firstOf.get(p.key)!]!;
    outcomes[p.index] = first.ok ? { ok: true, sent: { ...first.sent, duplicate: true, statusChanged: false } } : first;
  }
  // A resend of a stored message answers it with the files it was sent with: one look-up per
  // shop and audience, however many resends.
  const resends = new Map<string, Array<{ sent: Sent; audience: Author['kind'] }>>();
  for (const [i, o] of outcomes.entries()) {
    if (!o.ok || !o.sent.duplicate || inBatchResend.has(i)) continue;
    const audience = reqs[i]!.author.kind;
    const key = `${o.sent.message.shopId} ${audience}`;
    const group = resends.get(key);
    if (group) group.push({ sent: o.sent, audience });
    else resends.set(key, [{ sent: o.sent, audience }]);
  }
  for (const group of resends.values()) {
    const { sent, audience } = group[0]!;
    const files = await chatHooks.attachmentsOf(tx, sent.message.shopId, group.map((g) => g.sent.message.id), audience);
    for (const g of group) g.sent.attachments = files.get(g.sent.message.id) ?? [];
  }

  out.queued(await applySlaEvents(tx, sla, known));
  return { outcomes };
}
