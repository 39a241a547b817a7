/**
 * The money of a return: what the shop gives back, what the terms let it keep, and the
 * difference of an exchange. Pure: no I/O, no clock. Integer yen, tax included, throughout
 * (yen has no minor unit); products that can pass 2^53 are computed with BigInt.
 */
import type { PaymentMethod } from '../orders/orders.schema.ts';
import { deductionKinds, isCustomerChoice, isShopFault } from './returns.model.ts';
import type { DeductionKind, LegalBasis, ReturnReason } from './returns.model.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';
import { checkCoupon, checkExchange, checkLines, checkOrder, requested, sum, takenEarlier } from './returns.money.checks.ts';

/** One line of the order as money sees it. `unitPrice` is integer yen, tax included. */
export interface MoneyLine { lineNo: number; quantity: number; unitPrice: number; taxRate: 8 | 10 }

/** The order a return is taken from: its lines, its fees and the coupon spent on it. */
export interface MoneyOrder { lines: MoneyLine[]; shippingFee: number; codFee: number; couponDiscount: number; paymentMethod: PaymentMethod }

/** An item the customer receives in exchange. */
export interface ExchangeItem { sku: string; name: string; quantity: number; unitPrice: number; taxRate: 8 | 10 }

/** Everything {@link computeRefund} needs to judge one return request. */
export interface RefundRequest {
  order: MoneyOrder;
  /** What this request returns. */
  items: Array<{ lineNo: number; quantity: number }>;
  /** Quantities of this order already taken by other live or finished returns; a lineNo may repeat. */
  earlier: Array<{ lineNo: number; quantity: number }>;
  /**
   * Of those, the ones that can no longer be released (received or later). Whether this return
   * completes the order, and so gives back the fees, counts only these: a return still waiting
   * for its parcel may yet expire or be withdrawn. Defaults to `earlier`.
   */
  settledEarlier?: Array<{ lineNo: number; quantity: number }>;
  /** An earlier refund of this order already gave back outbound shipping and the COD fee. */
  feesRefundedEarlier: boolean;
  basis: LegalBasis;
  reason: ReturnReason;
  /** The version the request is judged by (`statutoryTerms` when the shop published none). */
  terms: ReturnTerms;
  refundMethod: 'original_payment' | 'bank_transfer';
  /** The shop sends a prepaid return label. */
  returnLabelByShop: boolean;
  /** The customer keeps the item: nothing is shipped back. */
  keepItem?: boolean;
  /** Present (and non-empty) for an exchange. */
  exchange?: ExchangeItem[];
}

/** One returned line: `net` is `gross` less the part of the coupon these units carried. */
export interface RefundLine { lineNo: number; quantity: number; unitPrice: number; taxRate: 8 | 10; gross: number; couponShare: number; net: number }

/** The whole reckoning, every step visible so the preview can show it line by line. */
export interface RefundBreakdown {
  lines: RefundLine[];
  /** Σ net of {@link lines}. */
  goods: number;
  /** Fees given back (non-zero only). */
  fees: Array<{ kind: 'outbound_shipping' | 'cod_fee'; amount: number }>;
  /** Non-zero only, in `deductionKinds` order. */
  deductions: Array<{ kind: DeductionKind; amount: number }>;
  /** How much the deductions exceeded what they were taken from (the total never goes below 0). */
  clamped: number;
  /** What the shop pays back. */
  total: number;
  /** Goods and fees given back, per rate ascending; fees count at 10%. */
  byTaxRate: Array<{ rate: 8 | 10; amount: number; tax: number }>;
  /** This breakdown gives back the order's fees; the service stores it as the next `feesRefundedEarlier`. */
  feesIncluded: boolean;
  /** `difference` > 0: the customer pays it; < 0: the shop refunds −difference. */
  exchange: null | { newItems: Array<ExchangeItem & { subtotal: number }>; newItemsTotal: number; difference: number };
}

type Fee = RefundBreakdown['fees'][number];
type Amounts = Partial<Record<DeductionKind, number>>;

/**
 * floor(a × b / c) for non-negative integers, exactly. A ¥2e9 coupon times a ¥2e9 line is
 * 4e18, far past 2^53, where a double would already have lost the last yen.
 */
const mulDiv = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b)) / BigInt(c));

/**
 * Spreads an order's coupon over its lines in proportion to their subtotals. Each share is
 * floored; the remainder goes to the last line (by lineNo) that can take it without its share
 * passing its subtotal, so a free last line never goes negative. If no single line can take
 * it all (only possible with lines of a few yen), it is handed out from the last line back.
 * The shares sum exactly to the discount. Throws `invalid_input` for a coupon above the goods.
 */
export function allocateCoupon(lines: MoneyLine[], discount: number): Map<number, number> {
  const goods = checkLines(lines, ['lines']);
  checkCoupon(discount, goods, ['discount']);
  const sorted = [...lines].sort((a, b) => a.lineNo - b.lineNo);
  const subtotal = (l: MoneyLine) => l.quantity * l.unitPrice;
  const shares = new Map(sorted.map((l) => [l.lineNo, goods === 0 ? 0 : mulDiv(discount, subtotal(l), goods)]));
  const share = (l: MoneyLine) => shares.get(l.lineNo) ?? 0;
  let rest = discount - sum([...shares.values()]);
  if (rest === 0) return shares;
  const fromLast = sorted.reverse();
  const taker = fromLast.find((l) => subtotal(l) - share(l) >= rest);
  if (taker) return shares.set(taker.lineNo, share(taker) + rest);
  for (const l of fromLast) {
    const take = Math.min(rest, subtotal(l) - share(l));
    shares.set(l.lineNo, share(l) + take);
    rest -= take;
  }
  return shares;
}

/**
 * k units of a line after r were taken earlier. The coupon part is a difference of cumulative
 * floors, so however a line is returned in parts, the parts add up exactly to its share.
 */
function refundLine(line: MoneyLine, share: number, r: number, k: number): RefundLine {
  const couponShare = mulDiv(share, r + k, line.quantity) - mulDiv(share, r, line.quantity);
  const gross = k * line.unitPrice;
  return { lineNo: line.lineNo, quantity: k, unitPrice: line.unitPrice, taxRate: line.taxRate, gross, couponShare, net: gross - couponShare };
}

/**
 * Outbound shipping and the COD fee are owed back once: on the shop's fault, or with the return
 * that completes the order. An exchange keeps the sale, so it gives back neither.
 */
function givesBackFees(req: RefundRequest, wanted: Map<number, number>, settled: Map<number, number>): boolean {
  if (req.feesRefundedEarlier || (req.exchange && req.exchange.length > 0)) return false;
  if (isShopFault(req.basis)) return true;
  return req.order.lines.every((l) => (settled.get(l.lineNo) ?? 0) + (wanted.get(l.lineNo) ?? 0) === l.quantity);
}

function feeList(order: MoneyOrder): Fee[] {
  const fees: Fee[] = [
    { kind: 'outbound_shipping', amount: order.shippingFee },
    { kind: 'cod_fee', amount: order.codFee },
  ];
  return fees.filter((f) => f.amount > 0);
}

/** Return shipping is the customer's when the terms say so for this reason and the shop's label carries a parcel. */
function customerPaysReturnLabel(req: RefundRequest): boolean {
  if (!req.returnLabelByShop || req.keepItem || !isCustomerChoice(req.reason)) return false;
  return req.terms.returnShippingPaidBy[req.reason] === 'customer';
}

/**
 * The deductions the terms state, except the transfer fee (it depends on what is left to pay).
 * The shop's fault owes everything back: nothing is ever deducted then (消費者契約法 §8).
 * Fee deductions take back exactly the fee given back, so the preview shows both lines.
 */
function termDeductions(req: RefundRequest, goods: number, fees: Fee[], isExchange: boolean): Amounts {
  if (isShopFault(req.basis)) return {};
  const d = req.terms.deductions;
  const fee = (kind: Fee['kind']) => fees.find((f) => f.kind === kind)?.amount ?? 0;
  const out: Amounts = {};
  if (d.returnShipping && customerPaysReturnLabel(req)) out.return_shipping = d.returnShipping;
  if (d.outboundShipping) out.outbound_shipping = fee('outbound_shipping');
  if (d.codFee) out.cod_fee = fee('cod_fee');
  // Restocking is for goods the shop takes back for money; an exchange keeps the sale.
  if (d.restockingPercent && !isExchange) out.restocking = mulDiv(goods, d.restockingPercent, 100);
  return out;
}

/** The bank transfer fee, when the terms state one and there is money to transfer. */
function transferFee(req: RefundRequest, toPay: number): number {
  if (isShopFault(req.basis) || req.refundMethod !== 'bank_transfer' || toPay <= 0) return 0;
  return req.terms.deductions.transferFee ?? 0;
}

const listed = (a: Amounts) =>
  deductionKinds.flatMap((kind) => {
    const amount = a[kind] ?? 0;
    return amount > 0 ? [{ kind, amount }] : [];
  });

type Settlement = Pick<RefundBreakdown, 'deductions' | 'clamped' | 'total' | 'exchange'>;

function settleRefund(req: RefundRequest, credit: number, base: Amounts): Settlement {
  const all: Amounts = { ...base, transfer_fee: transferFee(req, credit - sum(Object.values(base))) };
  const deducted = sum(Object.values(all));
  return { deductions: listed(all), clamped: Math.max(0, deducted - credit), total: Math.max(0, credit - deducted), exchange: null };
}

/**
 * The returned goods (and fees) pay for the new items. Deductions other than the transfer
 * fee are part of what the customer owes, so they raise the difference; the transfer fee only
 * exists when the shop has a difference to pay out.
 */
function settleExchange(req: RefundRequest, items: ExchangeItem[], credit: number, base: Amounts): Settlement {
  const newItems = items.map(({ sku, name, quantity, unitPrice, taxRate }) => ({ sku, name, quantity, unitPrice, taxRate, subtotal: quantity * unitPrice }));
  const newItemsTotal = sum(newItems.map((x) => x.subtotal));
  const difference = newItemsTotal + sum(Object.values(base)) - credit;
  const owed = Math.max(0, -difference);
  const transfer = transferFee(req, owed);
  return {
    deductions: listed({ ...base, transfer_fee: transfer }),
    clamped: Math.max(0, transfer - owed),
    total: Math.max(0, owed - transfer),
    exchange: { newItems, newItemsTotal, difference },
  };
}

function byTaxRate(lines: RefundLine[], fees: Fee[]): RefundBreakdown['byTaxRate'] {
  const amount = (rate: 8 | 10) => sum(lines.filter((l) => l.taxRate === rate).map((l) => l.net)) + (rate === 10 ? sum(fees.map((f) => f.amount)) : 0);
  return ([8, 10] as const)
    .map((rate) => ({ rate, amount: amount(rate), tax: mulDiv(amount(rate), rate, 100 + rate) }))
    .filter((r) => r.amount > 0);
}

/**
 * Computes what a return gives back: per line (with its share of the coupon), the fees owed
 * back, the deductions the terms allow, the total, the tax per rate, and for an exchange the
 * difference either side pays. Throws `invalid_input` (DomainError) for a request that does
 * not fit the order.
 */
export function computeRefund(req: RefundRequest): RefundBreakdown {
  const { order } = req;
  checkOrder(order);
  const byLine = new Map(order.lines.map((l) => [l.lineNo, l]));
  const taken = takenEarlier(req, byLine);
  const wanted = requested(req, byLine, taken);
  const exchange = req.exchange && req.exchange.length > 0 ? req.exchange : null;
  if (exchange) checkExchange(exchange);

  // An exchange keeps the sale: the returned units are worth their price, and the coupon stays with the order.
  const shares = exchange ? new Map<number, number>() : allocateCoupon(order.lines, order.couponDiscount);
  const lines = order.lines
    .filter((l) => wanted.has(l.lineNo))
    .sort((a, b) => a.lineNo - b.lineNo)
    .map((l) => refundLine(l, shares.get(l.lineNo) ?? 0, taken.get(l.lineNo) ?? 0, wanted.get(l.lineNo) ?? 0));
  const goods = sum(lines.map((l) => l.net));
  const settledTaken = req.settledEarlier ? takenEarlier({ ...req, earlier: req.settledEarlier }, byLine) : taken;
  const feesIncluded = givesBackFees(req, wanted, settledTaken);
  const fees = feesIncluded ? feeList(order) : [];
  const credit = goods + sum(fees.map((f) => f.amount));
  const base = termDeductions(req, goods, fees, exchange !== null);
  const settled = exchange ? settleExchange(req, exchange, credit, base) : settleRefund(req, credit, base);
  return { lines, goods, fees, ...settled, byTaxRate: byTaxRate(lines, fees), feesIncluded };
}
