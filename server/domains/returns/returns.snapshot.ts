import type { OrderWithLines } from '../orders/orders.repository.ts';
import type { OrderSnapshot, SnapshotLine } from './returns.model.ts';

/** The order as the rules judge it: a snapshot's contents, with the dates as dates. `customerEmail` only when filing. */
export interface JudgedOrder {
  id: string;
  shopId: string;
  customerEmail?: string;
  orderedAt: Date;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  paymentMethod: string;
  shippingFee: number;
  codFee: number;
  couponDiscount: number;
  lines: SnapshotLine[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function snapshotOf(o: OrderWithLines): OrderSnapshot {
  return {
    orderedAt: o.orderedAt.toISOString(),
    shippedAt: iso(o.shippedAt),
    deliveredAt: iso(o.deliveredAt),
    paymentMethod: o.paymentMethod,
    shippingFee: o.shippingFee,
    codFee: o.codFee,
    couponDiscount: o.couponDiscount,
    lines: o.lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, taxRate: l.taxRate, tags: [...l.tags] })),
  };
}

/** The stored snapshot of a return's order, ready to judge. */
export function judgedOrderOf(r: { orderId: string; shopId: string; orderSnapshot: OrderSnapshot }): JudgedOrder {
  const s = r.orderSnapshot;
  return {
    id: r.orderId,
    shopId: r.shopId,
    orderedAt: new Date(s.orderedAt),
    shippedAt: date(s.shippedAt),
    deliveredAt: date(s.deliveredAt),
    paymentMethod: s.paymentMethod,
    shippingFee: s.shippingFee,
    codFee: s.codFee,
    couponDiscount: s.couponDiscount,
    lines: s.lines,
  };
}

/** What the shop platform changed on the order since the return was filed. */
export interface OrderChanges {
  /** Order-level fields that differ: shippingFee, codFee, couponDiscount, paymentMethod, orderedAt, shippedAt, deliveredAt. */
  fields: Array<{ field: OrderField; then: string | number | null; now: string | number | null }>;
  lines: Array<{ lineNo: number; then: LineFacts | null; now: LineFacts | null }>;
}
type OrderField = 'shippingFee' | 'codFee' | 'couponDiscount' | 'paymentMethod' | 'orderedAt' | 'shippedAt' | 'deliveredAt';
type LineFacts = Pick<SnapshotLine, 'sku' | 'name' | 'quantity' | 'unitPrice' | 'taxRate'>;

const facts = (l: SnapshotLine | undefined): LineFacts | null => (l ? { sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, taxRate: l.taxRate } : null);
const sameLine = (a: SnapshotLine | undefined, b: SnapshotLine | undefined) =>
  !!a && !!b && a.sku === b.sku && a.name === b.name && a.quantity === b.quantity && a.unitPrice === b.unitPrice && a.taxRate === b.taxRate && a.tags.join('\u0000') === b.tags.join('\u0000');

/** The differences between the order a return was filed against and the order now; null when there are none. */
export function orderChanges(then: OrderSnapshot, live: OrderWithLines): OrderChanges | null {
  const now = snapshotOf(live);
  // Dates compare as instants: a snapshot written by the migration spells them its own way.
  const same = (a: string | number | null, b: string | number | null) => a === b || (typeof a === 'string' && typeof b === 'string' && Date.parse(a) === Date.parse(b));
  const fields = (['shippingFee', 'codFee', 'couponDiscount', 'paymentMethod', 'orderedAt', 'shippedAt', 'deliveredAt'] as const)
    .filter((f) => !same(then[f], now[f]))
    .map((field) => ({ field, then: then[field], now: now[field] }));
  const before = new Map(then.lines.map((l) => [l.lineNo, l]));
  const after = new Map(now.lines.map((l) => [l.lineNo, l]));
  const lineNos = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  const lines = lineNos.filter((n) => !sameLine(before.get(n), after.get(n))).map((lineNo) => ({ lineNo, then: facts(before.get(lineNo)), now: facts(after.get(lineNo)) }));
  return fields.length || lines.length ? { fields, lines } : null;
}
