import type { Db } from '../../core/db/client.ts';
import { findOrderById } from '../orders/orders.repository.ts';
import { findShop } from '../shops/shops.repository.ts';
import { customerNotice } from './returns.notify.ts';
import type { ReturnStatus } from './returns.model.ts';
import { findReturn } from './returns.repository.ts';

/** The step of a return a customer is told about: a status it entered, or the reminder to send the parcel. */
export type CustomerStep = ReturnStatus | 'ship_reminder';

/** The step a `return.*` event names (`return.approved` → `approved`). */
export const stepOfEvent = (name: `return.${string}`) => name.slice('return.'.length) as CustomerStep;

/**
 * What the customer is told about `step` of a return, with what the mail and the chat notice
 * need, read now: null when the step is the shop's own business, when a reminder finds the
 * parcel already on its way, or when the return, its order or the shop is gone.
 */
export async function customerNoticeOf(db: Db, shopId: string, returnId: string, step: CustomerStep) {
  const r = await findReturn(db, shopId, returnId);
  if (!r) return null;
  if (step === 'ship_reminder' && r.status !== 'awaiting_shipment') return null;
  const notice = customerNotice({
    status: step,
    shipBy: r.shipBy,
    returnLabelByShop: r.returnLabelByShop,
    keepItem: r.keepItem,
    refundTotal: r.refundTotal,
    rejectionCode: r.rejectionCode,
    decisionNote: r.decisionNote,
    kind: r.kind,
    basis: r.legalBasis,
    policy: r.policy,
    refused: (r.refund as { refused?: { paid: boolean; owed: number } }).refused ?? null,
    withdrawal: r.withdrawalReceivedAt && r.withdrawalChannel ? { at: r.withdrawalReceivedAt, channel: r.withdrawalChannel } : null,
  });
  if (!notice) return null;
  const [order, shop] = await Promise.all([findOrderById(db, shopId, r.orderId), findShop(db, shopId)]);
  if (!order || !shop) return null;
  return { r, order, shop, notice };
}
