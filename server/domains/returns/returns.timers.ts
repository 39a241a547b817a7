import type { OutboxItem } from '../../core/outbox.ts';
import { endOfTokyoDay, expiresUnshipped, reminderAt, tokyoDayOf } from './returns.model.ts';
import type { ReturnRow } from './returns.repository.ts';

/**
 * Timers of a return waiting for its parcel: a reminder before the date to send it by (3 days
 * before, the day before for a short window; see `reminderAt`), and, where that date is a
 * deadline (the shop's terms, see `expiresUnshipped`), the expiry. `shipBy` is the end of the
 * date's last day (`daysPeriodEnd`): the expiry runs the instant after it, when that day is
 * over, so the day the customer is told is theirs to the end. The published page states both
 * (returns.terms.text.ts), so the page and the machine agree.
 */
export const SHIP_REMINDER_TOPIC = 'return.ship_reminder';
export const SHIP_EXPIRY_TOPIC = 'return.ship_expiry';

/**
 * When a return whose date to send the parcel by is `shipBy` expires: once that date's Tokyo day
 * has wholly passed. The same instant as shipBy + 1 ms for a date set by `daysPeriodEnd`; a date
 * set before (approval time + N × 24 h) gets its whole last day too.
 */
export const expiresAt = (shipBy: Date): Date => new Date(endOfTokyoDay(tokyoDayOf(shipBy)).getTime() + 1);

/** The expiry timer of a return: at `expiresAt`, under a key naming that instant when it is armed again. */
export const expiryTimer = (r: Pick<ReturnRow, 'id' | 'shopId'>, at: Date, again = false): OutboxItem => ({
  shopId: r.shopId,
  topic: SHIP_EXPIRY_TOPIC,
  payload: { returnId: r.id },
  runAt: at,
  dedupeKey: again ? `return-expire:${r.id}:${at.getTime()}` : `return-expire:${r.id}`,
});

export function timersFor(r: Pick<ReturnRow, 'id' | 'shopId' | 'status' | 'shipBy' | 'legalBasis'>, now = new Date()): OutboxItem[] {
  if (r.status !== 'awaiting_shipment' || !r.shipBy) return [];
  const remindAt = reminderAt(r.shipBy, now);
  return [
    ...(remindAt ? [{ shopId: r.shopId, topic: SHIP_REMINDER_TOPIC, payload: { returnId: r.id }, runAt: remindAt, dedupeKey: `return-remind:${r.id}` }] : []),
    ...(expiresUnshipped(r.legalBasis) ? [expiryTimer(r, expiresAt(r.shipBy))] : []),
  ];
}
