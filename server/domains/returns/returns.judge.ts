import type { Db } from '../../core/db/client.ts';
import type { OrderWithLines } from '../orders/orders.repository.ts';
import type { PaymentMethod } from '../orders/orders.schema.ts';
import { computeRefund, type ExchangeItem, type MoneyOrder, type RefundBreakdown } from './returns.money.ts';
import { isCustomerChoice, isShopFault, type ReturnKind, type ReturnReason } from './returns.model.ts';
import { checkPolicy, legalBasisOf, type PolicyResult } from './returns.policy.ts';
import { countRecentReturns, feesTakenEarlier, takenQuantities } from './returns.repository.ts';
import { termsInForce, type TermsInForce } from './returns.terms.ts';

/** What a customer or a person of the shop asks for, before it is judged. */
export interface ReturnAsk {
  kind: ReturnKind;
  reason: ReturnReason;
  items: Array<{ lineNo: number; quantity: number }>;
  conditionsConfirmed: boolean;
  exchange?: ExchangeItem[];
  goodwill?: boolean;
  keepItem?: boolean;
}

export interface Judgement {
  terms: TermsInForce;
  policy: PolicyResult;
  refund: RefundBreakdown;
  refundMethod: 'original_payment' | 'bank_transfer';
  returnLabelByShop: boolean;
  /** The exchange items, defaulting to the same products at the same prices (another size or colour: see the comment). */
  exchange?: ExchangeItem[];
}

/** The order as the money module reads it. */
export const moneyOrderOf = (order: OrderWithLines): MoneyOrder => ({
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

/**
 * Judges a return of this order: the terms in force when it was placed, the policy check, and
 * the refund, by the same code for the portal's preview, the filing and the final refund.
 * `except`: the return being re-judged, whose own quantities do not count as taken.
 */
export async function judgeReturn(db: Db, order: OrderWithLines, ask: ReturnAsk, now: Date, except?: string): Promise<Judgement> {
  const terms = await termsInForce(db, order.shopId, order.orderedAt);
  const basis = legalBasisOf(ask.reason, terms.version, ask.goodwill);
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
  const earlier = taken.map((t) => ({ lineNo: t.lineNo, quantity: t.quantity }));
  const settledEarlier = taken.map((t) => ({ lineNo: t.lineNo, quantity: t.settled }));
  const feesRefundedEarlier = await feesTakenEarlier(db, order.shopId, order.id, except);
  const recentReturns = await countRecentReturns(db, order.shopId, order.customerEmail, new Date(now.getTime() - 180 * 86_400_000));
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
    termsVersion: terms.version,
    terms: terms.terms,
    deliveredAt: order.deliveredAt,
    shippedAt: order.shippedAt,
    items: ask.items.map((i) => ({ lineNo: i.lineNo, name: byLine.get(i.lineNo)?.name ?? '', tags: byLine.get(i.lineNo)?.tags ?? [] })),
    conditionsConfirmed: ask.conditionsConfirmed,
    refundTotal: exchange ? refund.goods : refund.total,
    recentReturns: except ? Math.max(0, recentReturns - 1) : recentReturns,
    now,
  });
  return { terms, policy, refund, refundMethod, returnLabelByShop, ...(exchange ? { exchange } : {}) };
}
