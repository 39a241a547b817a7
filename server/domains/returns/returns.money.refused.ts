import type { ReturnTerms } from './returns.terms.schema.ts';
import { computeRefund, type MoneyOrder, type RefundBreakdown, type RefundRequest } from './returns.money.ts';

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/** A refused delivery (受け取り拒否): whose fault it was decides who pays. */
export interface RefusedDeliveryRequest {
  order: MoneyOrder;
  /** `shop`: late, damaged, wrong address on our side — everything goes back; `customer`: refused for no fault of the shop. */
  fault: 'customer' | 'shop';
  terms: ReturnTerms;
  refundMethod: RefundRequest['refundMethod'];
}

/**
 * The money of a refused parcel. The whole order comes back, so goods, shipping and the COD
 * fee are given back; for a refusal that was not the shop's fault, the outbound shipping and
 * the carrier's fee for bringing it back are kept only if the terms say so. A COD order was
 * never paid: nothing is refunded, and what the terms charge is shown as owed.
 */
export function computeRefusedDelivery(req: RefusedDeliveryRequest): RefundBreakdown & { refused: { paid: boolean; owed: number } } {
  const r = req.terms.refusedDelivery;
  const charge = req.fault === 'customer' && r.chargeShipping;
  // The same code as every refund, with the refusal's charges as the only deductions the terms allow.
  const terms: ReturnTerms = {
    ...req.terms,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
    deductions: { outboundShipping: charge, codFee: false, ...(charge && r.returnShippingFee !== undefined ? { returnShipping: r.returnShippingFee } : {}) },
  };
  const breakdown = computeRefund({
    order: req.order,
    items: req.order.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity })),
    earlier: [],
    feesRefundedEarlier: false,
    basis: req.fault === 'shop' ? 'shop_error' : 'terms',
    reason: 'changed_mind',
    terms,
    refundMethod: req.refundMethod,
    returnLabelByShop: true,
  });
  const paid = req.order.paymentMethod !== 'cod';
  if (paid) return { ...breakdown, refused: { paid, owed: 0 } };
  const owed = sum(breakdown.deductions.map((d) => d.amount));
  return { ...breakdown, total: 0, clamped: 0, byTaxRate: [], refused: { paid, owed } };
}
