import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { invalidInput, isDomainError } from '../../core/errors.ts';
import type { Mailer } from '../../core/mail.ts';
import { sendMailJob } from '../../core/mail.jobs.ts';
import type { JobProcessor } from '../../core/queue.ts';
import { render } from '../../core/templates.ts';
import { findOrderById } from '../orders/orders.repository.ts';
import { findShop } from '../shops/shops.repository.ts';
import { expiresUnshipped, type ReturnStatus } from './returns.model.ts';
import { customerNotice } from './returns.notify.ts';
import { expiresAt, expiryTimer } from './returns.events.ts';
import { enqueue } from '../../core/outbox.ts';
import { BANK_RETENTION_DAYS } from './returns.bank.ts';
import { bankAccountsDue, deleteBankAccount, findReturn } from './returns.repository.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { moveReturn } from './returns.transitions.ts';
import { systemParty } from './returns.parties.ts';
import { postNotice } from '../conversations/conversations.notice.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';

const payload = z.object({ shopId: z.uuid(), returnId: z.uuid() });

const parse = (data: unknown, topic: string) => {
  const r = payload.safeParse(data);
  if (!r.success) throw invalidInput(`not a ${topic} payload`, { fields: r.error.issues.map((i) => i.path.join('.')) });
  return r.data;
};

export interface ReturnJobDeps {
  db: Db;
  mailer: Mailer;
  baseUrl: string;
  /** For the chat notice in the customer's open conversation. */
  chat: Pick<ChatDeps, 'db' | 'bus' | 'writer'>;
}

/**
 * Mails the customer about the step the topic names (`return.awaiting_shipment`, …), to the
 * address on the order and nowhere else; steps that are the shop's own business send nothing.
 */
export async function notifyReturnStep(deps: ReturnJobDeps, topic: string, data: unknown): Promise<'sent' | 'skipped'> {
  const p = parse(data, topic);
  const status = topic.slice('return.'.length) as ReturnStatus | 'ship_reminder';
  const r = await findReturn(deps.db, p.shopId, p.returnId);
  if (!r) return 'skipped';
  if (status === 'ship_reminder' && r.status !== 'awaiting_shipment') return 'skipped';
  const notice = customerNotice({
    status,
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
  if (!notice) return 'skipped';
  const [order, shop] = await Promise.all([findOrderById(deps.db, p.shopId, r.orderId), findShop(deps.db, p.shopId)]);
  if (!order || !shop) return 'skipped';
  const kindJa = r.kind === 'exchange' ? '交換のお申し込み' : '返品のお申し込み';
  // The chat first: it is stored once by its client id, so a retry after a failed mail does not repeat it.
  await postNotice(deps.chat, {
    shopId: p.shopId,
    email: order.customerEmail,
    clientId: `r-${r.id}-${status}`,
    from: '返品窓口 / Returns desk',
    body: [`R-${r.number}（${order.orderNumber}）`, ...notice.ja, '', ...notice.en].join('\n'),
  });
  await deps.mailer.send({
    to: order.customerEmail,
    subject: `【${shop.name}】R-${r.number} ${notice.subjectJa} / ${notice.subjectEn}`,
    text: render(
      'mail/return-update',
      { customerName: order.customerName, shopName: shop.name, orderNumber: order.orderNumber, number: r.number, kindJa, kindEn: r.kind === 'exchange' ? 'exchange request' : 'return request', ja: notice.ja, en: notice.en, termsUrl: `${deps.baseUrl}/shops/${shop.id}/return-terms` },
      { text: true },
    ),
  });
  return 'sent';
}

/** The deadline to send the parcel passed with no tracking: the return expires (a timer, on the outbox). */
/** Early by more than this, an expiry timer was armed for an earlier rule of the date: it is armed again for the right instant. */
const EARLY_REARM_MS = 5 * 60_000;

export async function expireUnshipped(db: Db, data: unknown, now = new Date()): Promise<'expired' | 'skipped' | 'rearmed'> {
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
    await moveReturn(db, systemParty(p.shopId, 'return deadline'), r.id, { event: 'expire', expectedStatus: 'awaiting_shipment' }, { now });
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
  (mailer: Mailer): JobProcessor =>
  async (data) => {
    if (data.to === null || data.to === undefined) return 'skipped';
    await sendMailJob(mailer)(data);
    return 'sent';
  };
