import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { invalidInput, isDomainError } from '../../core/errors.ts';
import { sendMailJob } from '../maillog/maillog.jobs.ts';
import type { MailLogDeps } from '../maillog/maillog.send.ts';
import type { JobProcessor } from '../../core/queue.ts';
import { expiresUnshipped } from './returns.model.ts';
import { expiresAt, expiryTimer, SHIP_REMINDER_TOPIC } from './returns.timers.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import type { ReturnStepEventName } from '../../events/catalog.ts';
import { enqueue } from '../../core/outbox.ts';
import { BANK_RETENTION_DAYS } from './returns.bank.ts';
import { bankAccountsDue, deleteBankAccount, findReturn, type ReturnRow } from './returns.repository.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { moveReturn } from './returns.transitions.ts';
import { systemParty } from './returns.parties.ts';

const payload = z.object({ shopId: z.uuid(), returnId: z.uuid() });

const parse = (data: unknown, topic: string) => {
  const r = payload.safeParse(data);
  if (!r.success) throw invalidInput(`not a ${topic} payload`, { fields: r.error.issues.map((i) => i.path.join('.')) });
  return r.data;
};

/**
 * The reminder timer of a return waiting for its parcel: says `return.ship_reminder` (its
 * listeners mail the customer and post in the chat) if the parcel is still not on its way. The
 * event's id names the return and its date, so a timer that runs twice says it once.
 */
export async function remindToShip(db: Db, sink: EventSink, data: unknown): Promise<'reminded' | 'skipped'> {
  const p = parse(data, SHIP_REMINDER_TOPIC);
  const r = await findReturn(db, p.shopId, p.returnId);
  if (!r || r.status !== 'awaiting_shipment' || !r.shipBy) return 'skipped';
  await sayOnce(db, sink, 'return.ship_reminder', r, `remind-${r.id}-${r.shipBy.getTime()}`);
  return 'reminded';
}

/** Says `name` of return `r` under the fixed id `id`: said again, it adds no second listener job (see Outgoing.write). */
const sayOnce = (db: Db, sink: EventSink, name: ReturnStepEventName, r: ReturnRow, id: string) =>
  transact(db, sink, async (_tx, out) => out.emit(name, { shopId: r.shopId, returnId: r.id, number: r.number, status: r.status }, { id }));

/**
 * A job written before return events had listeners (topic `return.<status>`, one processor for
 * the mail and the chat notice), still in the outbox of an upgraded deployment: said again as
 * the event, so its listeners run.
 */
export async function sayLegacyReturnStep(db: Db, sink: EventSink, name: ReturnStepEventName, data: unknown): Promise<'said' | 'skipped'> {
  const p = parse(data, name);
  const r = await findReturn(db, p.shopId, p.returnId);
  if (!r) return 'skipped';
  await sayOnce(db, sink, name, r, `legacy-${r.id}-${name}`);
  return 'said';
}

/** Early by more than this, an expiry timer was armed for an earlier rule of the date: it is armed again for the right instant. */
const EARLY_REARM_MS = 5 * 60_000;

/** The deadline to send the parcel passed with no tracking: the return expires (a timer, on the outbox). */
export async function expireUnshipped(db: Db, sink: EventSink, data: unknown, now = new Date()): Promise<'expired' | 'skipped' | 'rearmed'> {
  const p = parse(data, 'return.ship_expiry');
  const r = await findReturn(db, p.shopId, p.returnId);
  if (!r || r.status !== 'awaiting_shipment' || !r.shipBy) return 'skipped';
  // A timer armed before statutory cancellations stopped expiring finds nothing to do.
  if (!expiresUnshipped(r.legalBasis)) return 'skipped';
  // Fired before the date's last day is over (clocks apart): retried with backoff rather than
  // dropped, or the return would wait forever. A parcel sent at 23:59 on the date is in time.
  const due = expiresAt(r.shipBy);
  // A timer armed before the date ran to the end of its day (approval time + N × 24 h) fires
  // hours early: it is armed again for the day's end (a key of its own: this job still holds the first).
  if (due.getTime() - now.getTime() > EARLY_REARM_MS) {
    await db.transaction((tx) => enqueue(tx, expiryTimer(r, due, true)));
    return 'rearmed';
  }
  if (now.getTime() < due.getTime()) throw new Error(`return ${r.id} is not due until ${due.toISOString()}`);
  try {
    await moveReturn(db, systemParty(p.shopId, 'return deadline'), r.id, { event: 'expire', expectedStatus: 'awaiting_shipment' }, { sink, now });
    return 'expired';
  } catch (e) {
    // The parcel was sent or received meanwhile: nothing to expire.
    if (isDomainError(e) && e.code === 'conflict') return 'skipped';
    throw e;
  }
}

/** The daily job that keeps bank details no longer than their purpose needs. */
export const BANK_PURGE_TOPIC = 'returns.bank_purge';

/**
 * Deletes the refund accounts of returns that ended (refunded, or closed without a refund) more
 * than BANK_RETENTION_DAYS ago, each with an audit row, in batches until none is due. What the
 * portal's bank form promises (APPI §21: the purpose, and kept no longer than it needs).
 */
export async function purgeBankDetails(db: Db, now = new Date(), batch = 200): Promise<number> {
  const before = new Date(now.getTime() - BANK_RETENTION_DAYS * 86_400_000);
  let purged = 0;
  for (;;) {
    const due = await bankAccountsDue(db, before, batch);
    for (const d of due) {
      await db.transaction(async (tx) => {
        if (!(await deleteBankAccount(tx, d.shopId, d.returnId, now))) return;
        purged++;
        const actor = { kind: 'system' as const, shopId: d.shopId, name: 'bank details retention' };
        await recordAudit(tx, actor, { action: 'return.bank_deleted', objectType: 'return', objectId: d.returnId, summary: { number: d.number, retentionDays: BANK_RETENTION_DAYS } });
      });
    }
    if (due.length < batch) return purged;
  }
}

/** The portal's code mail: sent when the attempt matched an order, nothing otherwise (see createPortalAuth). */
export const sendPortalCode =
  (log: MailLogDeps): JobProcessor =>
  async (data) => {
    if (data.to === null || data.to === undefined) return 'skipped';
    // Transactional: a suppressed address still gets its code (the customer is asking for it now).
    return sendMailJob(log, 'portal_code')(data);
  };
