import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findOrder, type OrderWithLines } from '../orders/orders.repository.ts';
import { timersFor } from './returns.timers.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { returnEventOf } from '../../events/catalog.ts';
import { judgeReturn, type Judgement, type ReturnAsk } from './returns.judge.ts';
import { daysPeriodEnd, type ReturnEvent, type ReturnStatus } from './returns.model.ts';
import { insertBankAccount, insertPhotos, insertReturn, insertTransition, nextReturnNumber, type ReturnRow } from './returns.repository.ts';
import type { FileReturnBody, ReturnDto, ReturnPreviewDto } from './returns.schema.ts';
import { snapshotOf } from './returns.snapshot.ts';
import { seesBankDetails } from './returns.bank.ts';
import { say } from './returns.messages.ts';
import type { StoredPhoto } from './returns.photos.ts';
import { partyColumns, roleOf, shopOf, systemParty, type ReturnParty } from './returns.parties.ts';
import { keepItemCandidate } from './returns.policy.ts';
import { refundLimitOf } from './returns.machine.ts';
import { getReturnFor } from './returns.queries.ts';

function requireFiler(p: ReturnParty, body: Pick<FileReturnBody, 'goodwill' | 'bankAccount'>): void {
  const role = roleOf(p);
  if (role === 'system') throw new DomainError('forbidden', 'returns are filed by the customer or a person of the shop');
  if (body.goodwill && !['owner', 'staff', 'agent'].includes(role)) throw new DomainError('forbidden', 'a goodwill return is the shop’s decision: owner, staff or an in-house agent');
  // Bank details are personal data a contractor sees only masked (DESIGN.md, "Roles"): one who
  // typed them in would hold them whole. The customer gives them on the portal, or the merchant.
  if (body.bankAccount && p.kind === 'staff' && !seesBankDetails(role)) {
    throw new DomainError('forbidden', 'a contractor may not enter bank details; the customer gives them on the returns portal, or the merchant enters them', {
      path: ['bankAccount'],
      say: {
        ja: '委託先の担当者は口座情報を入力できません。お客様に返品ページから入力していただくか、ショップの担当者（オーナー・スタッフ）が入力してください。',
        en: 'Contractors may not enter bank details. Ask the customer to enter them on the returns page, or have the shop’s owner or staff enter them.',
      },
    });
  }
}

async function orderFor(db: Db, p: ReturnParty, orderNumber: string, lock: boolean): Promise<OrderWithLines> {
  const order = await findOrder(db, shopOf(p), orderNumber, { forUpdate: lock });
  if (!order || (p.kind === 'customer' && order.id !== p.orderId)) throw notFound('order');
  // A cancelled order (the platform said so) is the shop's to look at: the customer is sent to the shop, its people may still file.
  if (order.cancelledAt && p.kind === 'customer') throw new DomainError('conflict', say('orderCancelled'), { path: ['orderNumber'] });
  return order;
}

/** A clock a few minutes ahead of ours is not a notice from the future. */
const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * When a notice filed on the customer's behalf reached the shop (到達主義, 民法 §97). Only the
 * shop's people and its API key record one; not in the future, not before the order was placed.
 */
function noticeTimeOf(p: ReturnParty, b: FileReturnBody, order: OrderWithLines, now: Date): Date | undefined {
  if (!b.noticeReceivedAt) return undefined;
  if (p.kind === 'customer') throw new DomainError('forbidden', 'the notice time is recorded by the shop when it files on the customer’s behalf');
  const at = new Date(b.noticeReceivedAt);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new DomainError('invalid_input', say('noticeFuture'), { path: ['noticeReceivedAt'] });
  if (at < order.orderedAt) throw new DomainError('invalid_input', say('noticeBeforeOrder'), { path: ['noticeReceivedAt'] });
  return at;
}

const askOf = (b: FileReturnBody, noticeAt?: Date): ReturnAsk => ({
  kind: b.kind,
  reason: b.reason,
  items: b.items,
  conditionsConfirmed: b.conditionsConfirmed,
  goodwill: b.goodwill,
  ...(b.exchange ? { exchange: b.exchange } : {}),
  ...(noticeAt ? { noticeAt } : {}),
});

/**
 * What the customer would get back, and why, before anything is filed: the portal shows it
 * and the filing stores the same computation.
 */
export async function previewReturn(db: Db, p: ReturnParty, body: FileReturnBody, now = new Date()): Promise<ReturnPreviewDto> {
  requireFiler(p, body);
  const order = await orderFor(db, p, body.orderNumber, false);
  const j = await judgeReturn(db, order, askOf(body, noticeTimeOf(p, body, order, now)), now);
  return previewView(j);
}

export const previewView = (j: Judgement): ReturnPreviewDto => ({
  termsVersion: j.terms.version,
  basis: j.policy.basis,
  eligible: j.policy.eligible,
  autoApprove: j.policy.autoApprove,
  checks: j.policy.checks,
  reviewReasons: j.policy.reviewReasons,
  windowEndsAt: j.policy.windowEndsAt?.toISOString() ?? null,
  noticeAt: j.noticeAt.toISOString(),
  refundMethod: j.refundMethod,
  returnLabelByShop: j.returnLabelByShop,
  refund: j.refund,
});

/** Starts a transition row for the history. */
const historyRow = (r: Pick<ReturnRow, 'shopId' | 'id'>, p: ReturnParty, event: ReturnEvent | 'file', from: ReturnStatus | null, to: ReturnStatus, extra: { reasonCode?: string | null; note?: string | null } = {}) => ({
  shopId: r.shopId,
  returnId: r.id,
  event,
  fromStatus: from,
  toStatus: to,
  ...partyColumns(p),
  reasonCode: extra.reasonCode ?? null,
  note: extra.note ?? null,
});

/** The moves the rules make by themselves right after filing: approve, then ask for the parcel. */
function automaticPath(j: Judgement, kind: string): Array<{ event: ReturnEvent; to: ReturnStatus }> {
  if (!j.policy.autoApprove) return [{ event: 'send_to_review', to: 'needs_review' }];
  const steps: Array<{ event: ReturnEvent; to: ReturnStatus }> = [{ event: 'auto_approve', to: 'approved' }];
  if (!keepItemCandidate(j, kind)) steps.push({ event: 'request_shipment', to: 'awaiting_shipment' });
  return steps;
}

/**
 * Files a return, exchange or defect claim. The order's row lock makes filings of one order
 * take turns, so two cannot both take the last unit of a line. A request the terms do not
 * allow is refused with the failed checks; one the rules approve moves on at once.
 */
export async function fileReturn(
  db: Db,
  p: ReturnParty,
  body: FileReturnBody,
  opts: { source: 'portal' | 'console' | 'api'; sink: EventSink; requestId?: string; now?: Date; photos?: StoredPhoto[]; onFailure?: () => Promise<unknown> },
): Promise<ReturnDto> {
  const now = opts.now ?? new Date();
  const created = await fileInTransaction(db, p, body, opts, now).catch(async (e: unknown) => {
    // Nothing half-written: what the caller stored for this filing (its photos) goes too. Only
    // the transaction's failure counts; a later read of the view does not undo a filing.
    await opts.onFailure?.();
    throw e;
  });
  return getReturnFor(db, p, created.id);
}

async function fileInTransaction(db: Db, p: ReturnParty, body: FileReturnBody, opts: { source: 'portal' | 'console' | 'api'; sink: EventSink; requestId?: string; photos?: StoredPhoto[] }, now: Date) {
  requireFiler(p, body);
  return transact(db, opts.sink, async (tx, out) => {
    const order = await orderFor(tx, p, body.orderNumber, true);
    const j = await judgeReturn(tx, order, askOf(body, noticeTimeOf(p, body, order, now)), now);
    if (!j.policy.eligible) {
      const failed = j.policy.checks.filter((c) => !c.ok && c.blocking);
      throw new DomainError('invalid_input', `this return is not possible under the shop’s terms: ${failed.map((c) => c.en).join('; ')}`, { checks: failed });
    }
    // A refund by transfer needs somewhere to go; the customer is the one who can say where.
    if (p.kind === 'customer' && j.refundMethod === 'bank_transfer' && j.refund.total > 0 && !body.bankAccount) {
      throw new DomainError('invalid_input', 'this refund is paid by bank transfer: give the account it goes to', {
        path: ['bankAccount'],
        say: { ja: 'このご返金は銀行振込になります。振込先の口座を入力してください。', en: 'This refund is paid by bank transfer: give the account it goes to.' },
      });
    }
    const steps = automaticPath(j, body.kind);
    const status = steps[steps.length - 1]!.to;
    const shipBy = status === 'awaiting_shipment' ? daysPeriodEnd(now, j.terms.terms.shipWithinDays) : null;
    const byLine = new Map(order.lines.map((l) => [l.lineNo, l]));
    const row = await insertReturn(
      tx,
      {
        shopId: order.shopId,
        number: await nextReturnNumber(tx, order.shopId),
        orderId: order.id,
        orderSnapshot: snapshotOf(order),
        kind: body.kind,
        reason: body.reason,
        legalBasis: j.policy.basis,
        status,
        termsVersion: j.terms.version,
        comment: body.comment ?? null,
        noticeAt: j.noticeAt,
        noticeChannel: body.noticeChannel ?? null,
        source: opts.source,
        refundMethod: j.refundMethod,
        returnLabelByShop: j.returnLabelByShop,
        policy: j.policy,
        reviewReasons: j.policy.reviewReasons,
        flags: j.policy.flags,
        refund: j.refund,
        refundTotal: j.refund.total,
        refundLimit: refundLimitOf(j.terms.terms),
        feesIncluded: j.refund.feesIncluded,
        exchangeItems: j.exchange ?? null,
        shipBy,
      },
      body.items.map((i) => ({ orderLineId: byLine.get(i.lineNo)!.id, lineNo: i.lineNo, quantity: i.quantity })),
    );
    await insertPhotos(tx, row.shopId, row.id, opts.photos ?? []);
    if (body.bankAccount) await insertBankAccount(tx, row.shopId, row.id, body.bankAccount);
    await insertTransition(tx, historyRow(row, p, 'file', null, 'requested', { note: body.comment ?? null }));
    let from: ReturnStatus = 'requested';
    for (const s of steps) {
      await insertTransition(tx, historyRow(row, systemParty(order.shopId), s.event, from, s.to));
      from = s.to;
    }
    if (p.kind === 'staff') {
      await recordAudit(tx, p.actor, { action: 'return.filed', objectType: 'return', objectId: row.id, summary: { number: row.number, orderNumber: order.orderNumber, reason: body.reason, basis: j.policy.basis, status, ...noticeSummary(body, j) } }, opts.requestId);
    }
    const said = { shopId: row.shopId, returnId: row.id, number: row.number };
    out.emit('return.requested', { ...said, status: 'requested' });
    // Every status the rules moved it through (approved, then awaiting_shipment): listeners hear each.
    for (const s of steps) out.emit(returnEventOf(s.to), { ...said, status: s.to });
    out.enqueue(timersFor(row, now));
    return row;
  });
}

/** What the audit row says of the notice time a person recorded (what it moves is the window). */
const noticeSummary = (b: FileReturnBody, j: Judgement) =>
  b.noticeReceivedAt || b.noticeChannel ? { noticeReceivedAt: j.noticeAt.toISOString(), noticeChannel: b.noticeChannel ?? null } : {};
