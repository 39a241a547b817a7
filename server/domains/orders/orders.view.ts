import type { Role } from '../shops/shops.tables.ts';
import { maskers, masksContactData } from './orders.mask.ts';
import type { OrderWithLines } from './orders.repository.ts';
import type { ShipmentStatus } from './orders.model.ts';
import type { MaskableField, OrderSource, PaymentMethod } from './orders.schema.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Delivered wins over shipped: a platform may send a delivery time without ever sending the shipment's. */
export const shipmentStatus = (o: { shippedAt: Date | null; deliveredAt: Date | null }): ShipmentStatus =>
  o.deliveredAt ? 'delivered' : o.shippedAt ? 'shipped' : 'unshipped';

/**
 * The one shape in which an order leaves the service. Masking happens here, from the
 * viewer's role, so no path (API, socket, mail, export) can hand out an unmasked copy by
 * forgetting a step.
 */
export function toOrderView(o: OrderWithLines, viewer: Role | 'api_key') {
  const raw: Record<MaskableField, string | null> = {
    email: o.customerEmail,
    phone: o.customerPhone,
    postcode: o.postcode,
    address: o.address,
  };
  const masked: MaskableField[] = [];
  if (masksContactData(viewer)) {
    for (const f of Object.keys(raw) as MaskableField[]) {
      if (raw[f] !== null) {
        raw[f] = maskers[f](raw[f]);
        masked.push(f);
      }
    }
  }
  return {
    id: o.id,
    orderNumber: o.orderNumber,
    orderedAt: o.orderedAt.toISOString(),
    customer: { name: o.customerName, email: raw.email!, phone: raw.phone, postcode: raw.postcode, prefecture: o.prefecture, address: raw.address },
    masked,
    lines: o.lines.map((l) => ({
      lineNo: l.lineNo,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      taxRate: l.taxRate as 8 | 10,
      tags: l.tags,
      subtotal: l.quantity * l.unitPrice,
    })),
    shippingFee: o.shippingFee,
    codFee: o.codFee,
    coupon: o.couponCode || o.couponDiscount ? { code: o.couponCode, discount: o.couponDiscount } : null,
    paymentMethod: o.paymentMethod as PaymentMethod,
    carrier: o.carrier,
    trackingNumber: o.trackingNumber,
    shippedAt: iso(o.shippedAt),
    deliveredAt: iso(o.deliveredAt),
    cancelledAt: iso(o.cancelledAt),
    status: shipmentStatus(o),
    total: o.total,
    source: o.source as OrderSource,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

export type OrderView = ReturnType<typeof toOrderView>;
