import type { OrderWithLines } from '../orders/orders.repository.ts';
import { allowedEvents, contextOf, isOverRefundLimit } from './returns.machine.ts';
import { expiresUnshipped, type ReturnActorRole } from './returns.model.ts';
import type { ReturnWithItems, TransitionRow } from './returns.repository.ts';
import type { ReturnHistoryEntryDto, ReturnItemDto, ReturnPhotoDto, ReturnSummaryDto, ReturnViewDto } from './returns.schema.ts';
import { orderChanges } from './returns.snapshot.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What identifies a return in lists and at the head of its page. */
export const returnSummary = (r: Pick<ReturnWithItems, 'id' | 'number' | 'status' | 'kind' | 'reason' | 'legalBasis'>): ReturnSummaryDto => ({
  id: r.id,
  number: r.number,
  status: r.status,
  kind: r.kind,
  reason: r.reason,
  legalBasis: r.legalBasis,
});

/**
 * The one shape in which a return leaves the service. It carries the customer's name and no
 * contact data (the order's own view masks those by role), so no path can leak them here.
 * `viewer` decides which moves are offered. Items, prices and dates are the order's as it was
 * when the return was filed; what the shop platform changed since is listed for the shop's
 * people (`orderChangedSinceFiling`), never applied.
 */
export function toReturnView(
  r: ReturnWithItems,
  order: OrderWithLines,
  history: TransitionRow[],
  photos: Array<{ id: string; contentType: string; sizeBytes: number; filename: string }>,
  viewer: ReturnActorRole,
): ReturnViewDto {
  const filed = r.orderSnapshot;
  const byLine = new Map(filed.lines.map((l) => [l.lineNo, l]));
  const liveLines = new Set(order.lines.map((l) => l.lineNo));
  const overRefundLimit = isOverRefundLimit(r);
  const customer = viewer === 'customer';
  // The request stands once made (statutory, or the shop's fault): what the shop's people may do to it is limited.
  const standsForStaff = !customer && !expiresUnshipped(r.legalBasis);
  const context = contextOf(r);
  const allowed = allowedEvents(r.status, viewer, context);
  return {
    ...returnSummary(r),
    termsVersion: r.termsVersion,
    source: r.source,
    order: {
      orderNumber: order.orderNumber,
      orderedAt: new Date(filed.orderedAt).toISOString(),
      deliveredAt: filed.deliveredAt ? new Date(filed.deliveredAt).toISOString() : null,
      paymentMethod: filed.paymentMethod,
      customerName: order.customerName,
    },
    orderChangedSinceFiling: customer ? null : orderChanges(filed, order),
    items: r.items.map((i): ReturnItemDto => {
      const l = byLine.get(i.lineNo);
      return {
        lineNo: i.lineNo,
        quantity: i.quantity,
        sku: l?.sku ?? '',
        name: l?.name ?? '',
        unitPrice: l?.unitPrice ?? 0,
        taxRate: l?.taxRate ?? 10,
        tags: l?.tags ?? [],
        removedFromOrder: !liveLines.has(i.lineNo),
      };
    }),
    comment: r.comment,
    noticeAt: r.noticeAt.toISOString(),
    noticeChannel: r.noticeChannel,
    withdrawalReceivedAt: iso(r.withdrawalReceivedAt),
    withdrawalChannel: r.withdrawalChannel,
    cancelRecordsWithdrawal: standsForStaff,
    rejectNeedsReason: standsForStaff,
    // Served to the shop's people only (each view audited): a photo may show a label with an address.
    photos: photos.map((ph): ReturnPhotoDto => ({ id: ph.id, contentType: ph.contentType, sizeBytes: ph.sizeBytes, filename: ph.filename, url: customer ? null : `/api/shops/${r.shopId}/returns/${r.id}/photos/${ph.id}` })),
    policy: r.policy as ReturnViewDto['policy'],
    reviewReasons: customer ? [] : r.reviewReasons,
    flags: customer ? [] : r.flags,
    refundMethod: r.refundMethod,
    returnLabelByShop: r.returnLabelByShop,
    keepItem: r.keepItem,
    refund: r.refund as ReturnViewDto['refund'],
    refundTotal: r.refundTotal,
    refundLimit: customer ? null : r.refundLimit,
    overRefundLimit: customer ? null : overRefundLimit,
    exchangeItems: r.exchangeItems as ReturnViewDto['exchangeItems'],
    rejectionCode: r.rejectionCode,
    decisionNote: r.decisionNote,
    carrier: r.carrier,
    trackingNumber: r.trackingNumber,
    shipBy: iso(r.shipBy),
    shipByIsDeadline: expiresUnshipped(r.legalBasis),
    shippedAt: iso(r.shippedAt),
    receivedAt: iso(r.receivedAt),
    refundedAt: iso(r.refundedAt),
    bankPurgedAt: iso(r.bankPurgedAt),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    allowedEvents: allowed,
    rejectionCodes: allowed.includes('reject') ? (context.rejectionCodes ?? []) : [],
    history: history.map((h): ReturnHistoryEntryDto => ({
      event: h.event,
      from: h.fromStatus,
      to: h.toStatus,
      // A customer sees who acted as "the shop", not staff names.
      by: customer ? (h.actorKind === 'customer' ? h.actorName : h.actorKind === 'system' ? 'madoguchi' : 'shop') : h.actorName,
      byKind: h.actorKind,
      reasonCode: h.reasonCode,
      note: customer && h.actorKind !== 'customer' && h.event !== 'reject' ? null : h.note,
      at: h.createdAt.toISOString(),
    })),
  };
}
