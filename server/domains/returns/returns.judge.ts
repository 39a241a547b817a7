import type { Db } from '../../core/db/client.ts';
import type { PaymentMethod } from '../orders/orders.schema.ts';
import { computeRefund, type ExchangeItem, type MoneyOrder, type RefundBreakdown } from './returns.money.ts';
import { isCustomerChoice, isShopFault, type LegalBasis, type ReturnKind, type ReturnReason } from './returns.model.ts';
import { checkPolicy, legalBasisOf, type NoticeReached, type PolicyResult } from './returns.policy.ts';
import { countRecentReturns, feesTakenEarlier, lapsedStatutoryNotices, takenQuantities, type ReturnWithItems, type Taken } from './returns.repository.ts';
import { judgedOrderOf, type JudgedOrder } from './returns.snapshot.ts';
import { termsInForce, termsOfVersion, type TermsInForce } from './returns.terms.ts';

/** What a customer or a person of the shop asks for, before it is judged. */
export interface ReturnAsk {
  kind: ReturnKind;
  reason: ReturnReason;
  items: Array<{ lineNo: number; quantity: number }>;
  conditionsConfirmed: boolean;
  exchange?: ExchangeItem[];
  goodwill?: boolean;
  keepItem?: boolean;
  /** When a person filing on the customer's behalf says the notice reached the shop (default: now). */
  noticeAt?: Date;
}

export interface Judgement {
  terms: TermsInForce;
  policy: PolicyResult;
  refund: RefundBreakdown;
  refundMethod: 'original_payment' | 'bank_transfer';
  returnLabelByShop: boolean;
  /** When the request is judged to have reached the shop (the window's reference time). */
  noticeAt: Date;
  /** The exchange items, defaulting to the same products at the same prices (another size or colour: see the comment). */
  exchange?: ExchangeItem[];
}

/** The order as the money module reads it. */
export const moneyOrderOf = (order: Pick<JudgedOrder, 'lines' | 'shippingFee' | 'codFee' | 'couponDiscount' | 'paymentMethod'>): MoneyOrder => ({
  lines: order.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity, unitPrice: l.unitPrice, taxRate: l.taxRate as 8 | 10 })),
  shippingFee: order.shippingFee,
  codFee: order.codFee,
  couponDiscount: order.couponDiscount,
  paymentMethod: order.paymentMethod as PaymentMethod,
});

/** Card, carrier billing and deferred payment are reversed; what the customer paid in cash or by transfer goes back by transfer. */
export const refundMethodFor = (m: PaymentMethod): Judgement['refundMethod'] =>
  m === 'credit_card' || m === 'carrier_billing' || m === 'deferred' || m === 'e_money' ? 'original_payment' : 'bank_transfer';


/**
 * The shop sends a prepaid label when it pays the return (its fault, or its terms say so for
 * this reason) or when its terms deduct a set return shipping charge for one.
 */
function labelByShop(t: TermsInForce, reason: ReturnReason): boolean {
  if (!isCustomerChoice(reason)) return true;
  return t.terms.returnShippingPaidBy[reason] === 'shop' || t.terms.deductions.returnShipping !== undefined;
}

/** A return judged again after filing keeps what its filing decided: its legal basis and its terms version. */
export interface Rejudging {
  /** The return being judged again: its own quantities do not count as taken. */
  returnId: string;
  basis: LegalBasis;
  termsVersion: number | null;
}

/**
 * What other returns took of each line, capped to what this order leaves beside this request.
 * Returns filed against another version of the order (the platform pushed it again) may have
 * taken more of a line than this version has: counted in full, they would refuse a request
 * that was valid when filed, or take a filed return's refund away. At filing nothing is
 * reserved (`own` empty), so a line with nothing left is still refused as "none left".
 */
function takenBeside(taken: Taken[], order: JudgedOrder, own: Map<number, number>) {
  const room = new Map(order.lines.map((l) => [l.lineNo, Math.max(0, l.quantity - (own.get(l.lineNo) ?? 0))]));
  const kept = taken.filter((t) => room.has(t.lineNo));
  return {
    earlier: kept.map((t) => ({ lineNo: t.lineNo, quantity: Math.min(t.quantity, room.get(t.lineNo)!) })),
    settledEarlier: kept.map((t) => ({ lineNo: t.lineNo, quantity: Math.min(t.settled, t.quantity, room.get(t.lineNo)!) })),
  };
}

/**
 * When the request is judged to have reached the shop: the time a person recorded, or, for a
 * statutory cancellation of items an earlier statutory request already covered and the shop let
 * expire, that request's notice (a cancellation that reached the shop stands, 民法 §540②).
 */
async function noticeOf(db: Db, order: JudgedOrder, ask: ReturnAsk, basis: LegalBasis): Promise<NoticeReached | undefined> {
  let notice: NoticeReached | undefined = ask.noticeAt ? { at: ask.noticeAt, by: 'staff' } : undefined;
  if (basis !== 'statutory') return notice;
  const wanted = ask.items.map((i) => i.lineNo);
  for (const earlier of await lapsedStatutoryNotices(db, order.shopId, order.id)) {
    const covers = wanted.every((n) => earlier.lineNos.includes(n));
    if (covers && earlier.noticeAt.getTime() < (notice?.at.getTime() ?? Infinity)) notice = { at: earlier.noticeAt, by: 'earlier_request', number: earlier.number };
  }
  return notice;
}

/**
 * Judges a return of this order: the terms in force when it was placed, the policy check, and
 * the refund, by the same code for the portal's preview, the filing and the final refund.
 * `order` is the order now when filing, and the return's own snapshot when `again` re-judges a
 * filed return (its refund at the refund, a kept item, new exchange items).
 */
export async function judgeReturn(db: Db, order: JudgedOrder, ask: ReturnAsk, now: Date, again?: Rejudging): Promise<Judgement> {
  const terms = again ? await termsOfVersion(db, order.shopId, again.termsVersion) : await termsInForce(db, order.shopId, order.orderedAt);
  const basis = again?.basis ?? legalBasisOf(ask.reason, terms.version, ask.goodwill);
  const except = again?.returnId;
  const returnLabelByShop = isShopFault(basis) || labelByShop(terms, ask.reason);
  const refundMethod = refundMethodFor(order.paymentMethod as PaymentMethod);
  const byLine = new Map(order.lines.map((l) => [l.lineNo, l]));
  const exchange =
    ask.kind === 'exchange'
      ? (ask.exchange ??
        ask.items.flatMap((i) => {
          const l = byLine.get(i.lineNo);
          return l ? [{ sku: l.sku, name: l.name, quantity: i.quantity, unitPrice: l.unitPrice, taxRate: l.taxRate as 8 | 10 }] : [];
        }))
      : undefined;
  // One after another, not Promise.all: `db` is the filing's or the move's transaction, a single
  // connection, and node-postgres only queues queries sent on one at once (deprecated; pg@9 refuses them).
  const taken = await takenQuantities(db, order.shopId, order.id, except);
  const { earlier, settledEarlier } = takenBeside(taken, order, new Map(again ? ask.items.map((i) => [i.lineNo, i.quantity]) : []));
  const feesRefundedEarlier = await feesTakenEarlier(db, order.shopId, order.id, except);
  // The abuse flag is the filing's concern; a re-judged return keeps the flags it was filed with.
  const recentReturns = order.customerEmail ? await countRecentReturns(db, order.shopId, order.customerEmail, new Date(now.getTime() - 180 * 86_400_000)) : 0;
  const notice = again ? undefined : await noticeOf(db, order, ask, basis);
  const refund = computeRefund({
    order: moneyOrderOf(order),
    items: ask.items,
    earlier,
    settledEarlier,
    feesRefundedEarlier,
    basis,
    reason: ask.reason,
    terms: terms.terms,
    refundMethod,
    returnLabelByShop,
    ...(ask.keepItem ? { keepItem: true } : {}),
    ...(exchange ? { exchange } : {}),
  });
  const policy = checkPolicy({
    reason: ask.reason,
    kind: ask.kind,
    goodwill: !!ask.goodwill,
    basis,
    termsVersion: terms.version,
    terms: terms.terms,
    deliveredAt: order.deliveredAt,
    shippedAt: order.shippedAt,
    items: ask.items.map((i) => ({ lineNo: i.lineNo, name: byLine.get(i.lineNo)?.name ?? '', tags: byLine.get(i.lineNo)?.tags ?? [] })),
    conditionsConfirmed: ask.conditionsConfirmed,
    refundTotal: exchange ? refund.goods : refund.total,
    recentReturns: except ? Math.max(0, recentReturns - 1) : recentReturns,
    now,
    ...(notice ? { notice } : {}),
  });
  return { terms, policy, refund, refundMethod, returnLabelByShop, noticeAt: notice?.at ?? now, ...(exchange ? { exchange } : {}) };
}

/**
 * The refund computed again, by the same code as the preview: at the refund, when the customer
 * keeps the item, when the exchange items change. On the order as it was when the return was
 * filed, with the basis and terms version the filing decided: a later push of the order never
 * moves a filed return's money, and never strands it.
 */
export async function rejudge(tx: Db, r: ReturnWithItems, keepItem: boolean, now: Date, exchange?: NonNullable<Judgement['exchange']>): Promise<Judgement> {
  return judgeReturn(
    tx,
    judgedOrderOf(r),
    {
      kind: r.kind,
      reason: r.reason,
      items: r.items.map((i) => ({ lineNo: i.lineNo, quantity: i.quantity })),
      conditionsConfirmed: true,
      goodwill: r.legalBasis === 'goodwill',
      keepItem,
      ...(exchange ? { exchange } : r.exchangeItems ? { exchange: r.exchangeItems as NonNullable<Judgement['exchange']> } : {}),
    },
    now,
    { returnId: r.id, basis: r.legalBasis, termsVersion: r.termsVersion },
  );
}
