import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findOrder, findOrderById, type OrderWithLines } from '../orders/orders.repository.ts';
import { timersFor } from './returns.timers.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { returnEventOf } from '../../events/catalog.ts';
import { judgeReturn, type Judgement, type ReturnAsk } from './returns.judge.ts';
import { daysPeriodEnd, type ReturnActorRole, type ReturnEvent, type ReturnStatus } from './returns.model.ts';
import {
  findBankAccount,
  findReturn,
  insertBankAccount,
  insertPhotos,
  insertReturn,
  insertTransition,
  listPhotos,
  listReturns,
  listTransitions,
  nextReturnNumber,
  type ReturnRow,
  type ReturnWithItems,
} from './returns.repository.ts';
import type { FileReturnBody } from './returns.schema.ts';
import { returnSummary, toReturnView } from './returns.view.ts';
import { snapshotOf } from './returns.snapshot.ts';
import { maskBankAccount, seesBankDetails } from './returns.bank.ts';
import { say } from './returns.messages.ts';
import { openPhoto, type StoredPhoto } from './returns.photos.ts';
import type { FileStorage } from '../../core/storage.ts';

/**
 * Who acts on a return: a person or key of the shop, madoguchi itself, or the customer from
 * the portal (verified against one order).
 */
export type ReturnParty = { kind: 'staff'; actor: Actor } | { kind: 'customer'; shopId: string; orderId: string; name: string };

export const shopOf = (p: ReturnParty) => (p.kind === 'staff' ? p.actor.shopId : p.shopId);

/** A shop's API key acts as its staff; `system` is madoguchi's own rules and timers. */
export function roleOf(p: ReturnParty): ReturnActorRole {
  if (p.kind === 'customer') return 'customer';
  const a = p.actor;
  if (a.kind === 'user') return a.role;
  return a.kind === 'api_key' ? 'staff' : 'system';
}

export const partyColumns = (p: ReturnParty) =>
  p.kind === 'customer'
    ? { actorKind: 'customer' as const, actorId: p.orderId, actorName: p.name }
    : { actorKind: p.actor.kind, actorId: p.actor.kind === 'user' ? p.actor.userId : p.actor.kind === 'api_key' ? p.actor.keyId : null, actorName: p.actor.name };

/** madoguchi's own rules and timers, as the party of the moves they make. */
export const systemParty = (shopId: string, name = 'madoguchi rules'): ReturnParty => ({ kind: 'staff', actor: { kind: 'system', shopId, name } });

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
export async function previewReturn(db: Db, p: ReturnParty, body: FileReturnBody, now = new Date()) {
  requireFiler(p, body);
  const order = await orderFor(db, p, body.orderNumber, false);
  const j = await judgeReturn(db, order, askOf(body, noticeTimeOf(p, body, order, now)), now);
  return previewView(j);
}

export const previewView = (j: Judgement) => ({
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

/** Cheap enough that the merchant may let the customer keep it: the return waits in `approved` for that decision. */
export const keepItemCandidate = (j: Pick<Judgement, 'terms' | 'refund'>, kind: string) =>
  kind === 'return' && j.terms.terms.keepItemThreshold > 0 && j.refund.total <= j.terms.terms.keepItemThreshold;

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
) {
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
        refundLimit: j.terms.terms.agentRefundLimit,
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

/** One return, for the shop's people (with the moves their role may make) or for its customer. */
export async function getReturnFor(db: Db, p: ReturnParty, id: string, opts: { requestId?: string } = {}) {
  const r = await findReturn(db, shopOf(p), id);
  if (!r || (p.kind === 'customer' && r.orderId !== p.orderId)) throw notFound('return');
  return viewOf(db, p, r, opts);
}

export async function viewOf(db: Db, p: ReturnParty, r: ReturnWithItems, opts: { requestId?: string } = {}) {
  const [order, history, photos, bank] = await Promise.all([
    findOrderById(db, r.shopId, r.orderId),
    listTransitions(db, r.shopId, r.id),
    listPhotos(db, r.shopId, r.id),
    findBankAccount(db, r.shopId, r.id),
  ]);
  if (!order) throw notFound('order');
  const role = roleOf(p);
  const whole = !!bank && seesBankDetails(role);
  // Who saw a customer's bank details, and when, is in the audit trail (APPI supervision).
  if (whole && p.kind === 'staff') await recordAudit(db, p.actor, { action: 'return.bank_viewed', objectType: 'return', objectId: r.id, summary: { number: r.number } }, opts.requestId);
  const bankAccount = bank ? { ...(whole ? bank : maskBankAccount(bank)), masked: !whole } : null;
  return { ...toReturnView(r, order, history, photos, role), bankAccount };
}

/** A contractor's look at the bank details, with the reason written down; audited. */
export async function revealBankAccount(db: Db, actor: Actor, returnId: string, reason: string, requestId?: string) {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'bank details are revealed by a person, with a reason');
  const r = await findReturn(db, actor.shopId, returnId);
  if (!r) throw notFound('return');
  const bank = await findBankAccount(db, actor.shopId, returnId);
  if (!bank) throw notFound('bank account');
  await recordAudit(db, actor, { action: 'return.bank_revealed', objectType: 'return', objectId: returnId, summary: { number: r.number, reason } }, requestId);
  return { bankAccount: bank };
}

/** A claim photo for a person or key of the shop; who looked at it is in the audit trail. */
export async function viewPhoto(db: Db, storage: FileStorage, actor: Actor, returnId: string, photoId: string, requestId?: string) {
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
  const f = await openPhoto(db, storage, actor.shopId, returnId, photoId);
  await recordAudit(db, actor, { action: 'return_photo.viewed', objectType: 'return', objectId: returnId, summary: { photoId } }, requestId);
  return { contentType: f.contentType, size: f.sizeBytes, filename: f.filename, stream: f.stream };
}

export async function listShopReturns(db: Db, actor: Actor, q: { status?: ReturnStatus[]; limit: number; before?: number }) {
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
  const rows = await listReturns(db, actor.shopId, q);
  return {
    returns: rows.map((r) => ({
      ...returnSummary(r),
      orderNumber: r.orderNumber,
      customerName: r.customerName,
      refundTotal: r.refundTotal,
      // The return's own limit (from the terms version it is judged by), not the current terms'.
      refundLimit: r.refundLimit,
      overRefundLimit: r.refundTotal > r.refundLimit,
      flags: r.flags,
      reviewReasons: r.reviewReasons,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
    nextBefore: rows.length === q.limit ? rows[rows.length - 1]!.number : null,
  };
}
