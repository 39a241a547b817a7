import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { say } from './returns.messages.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { timersFor } from './returns.timers.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { returnEventOf } from '../../events/catalog.ts';
import { rejudge } from './returns.judge.ts';
import type { RefundBreakdown } from './returns.money.ts';
import { termsOfVersion } from './returns.terms.ts';
import { assertTransition, contextOf } from './returns.machine.ts';
import { daysPeriodEnd, type ReturnEvent, type ReturnStatus } from './returns.model.ts';
import { findReturn, insertTransition, updateReturnIf, type ReturnRow, type ReturnWithItems } from './returns.repository.ts';
import type { MoveReturnBody, ReturnDto } from './returns.schema.ts';
import { partyColumns, roleOf, shopOf, systemParty, type ReturnParty } from './returns.parties.ts';
import { keepItemCandidate } from './returns.policy.ts';
import { viewOf } from './returns.queries.ts';

/** What the audit row says of a withdrawal a person recorded: when, how, and their note. */
const withdrawalSummary = (r: ReturnRow, body: MoveReturnBody) =>
  body.event === 'cancel' && r.withdrawalReceivedAt ? { withdrawal: { receivedAt: r.withdrawalReceivedAt.toISOString(), channel: r.withdrawalChannel, note: body.note ?? null } } : {};

/** A clock a few minutes ahead of ours is not a withdrawal from the future. */
const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * The customer's own withdrawal, as a person of the shop records it with a cancel: when it
 * reached the shop (not in the future, not before the request it withdraws) and how.
 */
function withdrawalOf(r: ReturnRow, body: MoveReturnBody, now: Date): Partial<ReturnRow> {
  if (!body.withdrawalReceivedAt || !body.withdrawalChannel) return {};
  const at = new Date(body.withdrawalReceivedAt);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new DomainError('invalid_input', say('withdrawalFuture'), { path: ['withdrawalReceivedAt'] });
  // Times are typed to the minute: a withdrawal in the request's own minute is after it.
  const requestMinute = Math.floor(r.noticeAt.getTime() / 60_000) * 60_000;
  if (at.getTime() < requestMinute) throw new DomainError('invalid_input', say('withdrawalBeforeRequest'), { path: ['withdrawalReceivedAt'] });
  return { withdrawalReceivedAt: at < r.noticeAt ? r.noticeAt : at, withdrawalChannel: body.withdrawalChannel };
}

/** What each move writes besides the status. */
async function patchFor(tx: Db, r: ReturnWithItems, event: ReturnEvent, body: MoveReturnBody, now: Date): Promise<Partial<ReturnRow>> {
  switch (event) {
    case 'reject':
      return { rejectionCode: body.reasonCode ?? null, decisionNote: body.note ?? null };
    case 'approve':
      return { decisionNote: body.note ?? null };
    case 'ship':
      return { carrier: body.carrier ?? r.carrier, trackingNumber: body.trackingNumber ?? null, shippedAt: now };
    case 'receive':
      return { receivedAt: now };
    case 'request_shipment': {
      const terms = await termsOfVersion(tx, r.shopId, r.termsVersion);
      return { shipBy: daysPeriodEnd(now, terms.terms.shipWithinDays) };
    }
    case 'refund_succeeded':
      return { refundedAt: now };
    case 'cancel':
      return withdrawalOf(r, body, now);
    case 'keep_item':
    case 'start_refund': {
      // A refused parcel's money was settled when it came back (the whole order, by fault): nothing to re-judge.
      if (r.kind === 'refused_delivery') return {};
      const j = await rejudge(tx, r, event === 'keep_item' || r.keepItem, now);
      return { keepItem: event === 'keep_item' || r.keepItem, refund: j.refund, refundTotal: j.refund.total, feesIncluded: j.refund.feesIncluded };
    }
    default:
      return {};
  }
}

/**
 * Moves a return by one event. The machine says whether this role may; the write is guarded
 * by the status read, so of two people acting at once one succeeds and the other gets 409.
 * An approval moves on by itself to waiting for the parcel (unless the merchant may let the
 * customer keep it). Every move is in the history, the audit trail and on the outbox.
 */
export async function moveReturn(db: Db, p: ReturnParty, id: string, body: MoveReturnBody, opts: { sink: EventSink; requestId?: string; now?: Date }): Promise<ReturnDto> {
  const now = opts.now ?? new Date();
  const shopId = shopOf(p);
  await transact(db, opts.sink, async (tx, out) => {
    const r = await findReturn(tx, shopId, id);
    if (!r || (p.kind === 'customer' && r.orderId !== p.orderId)) throw notFound('return');
    if (body.expectedStatus && body.expectedStatus !== r.status) {
      throw conflict(`this return is now ${r.status}, not ${body.expectedStatus}; reload it`, { status: r.status });
    }
    if (p.kind === 'customer' && (body.withdrawalReceivedAt || body.withdrawalChannel)) throw new DomainError('forbidden', 'a withdrawal is recorded by the shop; the customer withdraws from the portal');
    const withdrawalRecorded = !!(body.withdrawalReceivedAt && body.withdrawalChannel && body.note);
    const noteGiven = !!body.note;
    const to = assertTransition(r.status, body.event, roleOf(p), { ...contextOf(r), reasonCode: body.reasonCode ?? null, withdrawalRecorded, noteGiven });
    const patch = await patchFor(tx, r, body.event, body, now);
    // The refund computed again may have crossed the agents' limit: judge the move by the new amount.
    if (patch.refundTotal !== undefined) assertTransition(r.status, body.event, roleOf(p), { ...contextOf({ ...r, refundTotal: patch.refundTotal }), reasonCode: body.reasonCode ?? null, withdrawalRecorded, noteGiven });
    const steps: Array<{ party: ReturnParty; event: ReturnEvent; from: ReturnStatus; to: ReturnStatus; patch: Partial<ReturnRow> }> = [{ party: p, event: body.event, from: r.status, to, patch }];
    if (to === 'approved') {
      const terms = await termsOfVersion(tx, shopId, r.termsVersion);
      if (!keepItemCandidate({ terms, refund: r.refund as RefundBreakdown }, r.kind)) {
        const shipBy = daysPeriodEnd(now, terms.terms.shipWithinDays);
        steps.push({ party: systemParty(shopId), event: 'request_shipment', from: 'approved', to: 'awaiting_shipment', patch: { shipBy } });
      }
    }
    let current: ReturnRow = r;
    for (const s of steps) {
      const moved = await updateReturnIf(tx, shopId, id, s.from, { ...s.patch, status: s.to });
      if (!moved) throw conflict('someone else moved this return meanwhile; reload it', { status: s.from });
      current = moved;
      await insertTransition(tx, { shopId, returnId: id, event: s.event, fromStatus: s.from, toStatus: s.to, ...partyColumns(s.party), reasonCode: s.party === p ? (body.reasonCode ?? null) : null, note: s.party === p ? (body.note ?? null) : null });
    }
    if (p.kind === 'staff') {
      await recordAudit(tx, p.actor, { action: `return.${body.event}`, objectType: 'return', objectId: id, summary: { number: r.number, from: r.status, to: current.status, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...withdrawalSummary(current, body) } }, opts.requestId);
    }
    for (const s of steps) out.emit(returnEventOf(s.to), { shopId, returnId: id, number: r.number, status: s.to });
    out.enqueue(timersFor(current, now));
  });
  const after = await findReturn(db, shopId, id);
  return viewOf(db, p, after!);
}
