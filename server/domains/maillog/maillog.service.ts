import { requireRole, type Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, forbidden, invalidInput, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { maskAddressesIn, maskEmail, masksContactData } from '../orders/orders.mask.ts';
import type { Role } from '../shops/shops.tables.ts';
import { carrierHint, mobileCarrierOf } from './maillog.carriers.ts';
import { findLogRow, liftSuppressions, listLog, listSuppressions, suppressionsOf, type MailLogRow } from './maillog.repository.ts';
import type { MailLogQuery } from './maillog.schema.ts';

const viewerRole = (a: Actor): Role | 'api_key' => (a.kind === 'user' ? a.role : 'api_key');

/** Who reads the log: the shop's people (contractors masked) and its API key. */
function requireReader(actor: Actor): void {
  if (actor.kind === 'user') requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
}

const iso = (d: Date | null) => d?.toISOString() ?? null;


/**
 * One mail as the console shows it. The carrier flag and hint are worked out from the real
 * address before it is masked: a contractor can still tell the customer what to allow.
 */
export function toLogEntry(r: MailLogRow, role: Role | 'api_key', mailDomain: string) {
  const masked = masksContactData(role);
  const text = (s: string | null) => (masked ? maskAddressesIn(s) : s);
  const hint = carrierHint(r.recipient, mailDomain);
  return {
    id: r.id,
    kind: r.kind,
    about: { conversationId: r.conversationId, orderNumber: r.orderNumber, orderNumbers: r.orderNumbers ?? (r.orderNumber ? [r.orderNumber] : []), returnId: r.returnId, campaignId: r.campaignId, invitationId: r.invitationId },
    recipient: masked ? maskEmail(r.recipient) : r.recipient,
    masked,
    mobileCarrier: mobileCarrierOf(r.recipient),
    carrierHint: hint ? { ja: hint.ja, en: hint.en } : null,
    subject: r.subject,
    messageId: r.messageId,
    bulk: r.bulk,
    status: r.status,
    reason: text(r.reason),
    attempts: r.attempts,
    smtpResponse: text(r.smtpResponse),
    dsnStatus: r.dsnStatus,
    dsnDiagnostic: text(r.dsnDiagnostic),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    sentAt: iso(r.sentAt),
    bouncedAt: iso(r.bouncedAt),
  };
}

const cursorOf = (r: MailLogRow) => Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString('base64url');

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A cursor is exactly what cursorOf wrote: a four-digit-year ISO time that reads back as itself, and a uuid. Anything else is a 400, never a query PostgreSQL refuses. */
function parseCursor(s: string): { createdAt: Date; id: string } {
  const [at = '', id = '', ...rest] = Buffer.from(s, 'base64url').toString().split('|');
  const createdAt = new Date(CURSOR_AT.test(at) ? at : Number.NaN);
  if (rest.length || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at || !UUID.test(id)) {
    throw invalidInput('query is not valid', [{ in: 'query', path: 'cursor', message: 'not a cursor from this list', ja: 'ページの位置が正しくありません。最初のページから開き直してください' }]);
  }
  return { createdAt, id };
}

/** The start of a Japan day, and of the day after (the `to` day is included). */
const tokyoDay = (day: string, plusDays = 0) => new Date(new Date(`${day}T00:00:00+09:00`).getTime() + plusDays * 86_400_000);

/**
 * A page of the shop's mail log, newest first. Contractors see addresses masked and may not
 * search by one (finding a mail would confirm a hidden address). Every read of a page with
 * entries is audited, like reads of orders: the log holds customers' addresses.
 */
export async function listMailLog(db: Db, actor: Actor, q: MailLogQuery, mailDomain: string, requestId?: string) {
  requireReader(actor);
  const role = viewerRole(actor);
  if (q.recipient && masksContactData(role)) throw forbidden('contractors see addresses masked, so they cannot search the mail log by one');
  const rows = await listLog(db, actor.shopId, {
    kind: q.kind,
    status: q.status,
    recipient: q.recipient,
    conversationId: q.conversationId,
    orderNumber: q.orderNumber,
    returnId: q.returnId,
    campaignId: q.campaignId,
    since: q.from ? tokyoDay(q.from) : undefined,
    until: q.to ? tokyoDay(q.to, 1) : undefined,
    before: q.cursor ? parseCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  if (page.length || q.recipient) {
    await recordAudit(db, actor, { action: 'mail_log.listed', objectType: 'mail_log', summary: { ids: page.map((r) => r.id), searched: Boolean(q.recipient), masked: masksContactData(role) } }, requestId);
  }
  return { entries: page.map((r) => toLogEntry(r, role, mailDomain)), next: rows.length > q.limit ? cursorOf(page.at(-1)!) : null };
}

/** One mail with its delivery report (not for contractors: a report quotes the address and the mail) and the address's suppressions. */
export async function getMailLogEntry(db: Db, actor: Actor, id: string, mailDomain: string, requestId?: string) {
  requireReader(actor);
  const role = viewerRole(actor);
  const row = await findLogRow(db, actor.shopId, id);
  if (!row) throw notFound('mail');
  const suppressions = await suppressionsOf(db, actor.shopId, row.recipient);
  await recordAudit(db, actor, { action: 'mail_log.viewed', objectType: 'mail_log', objectId: row.id, summary: { kind: row.kind, masked: masksContactData(role) } }, requestId);
  return {
    ...toLogEntry(row, role, mailDomain),
    rawReport: masksContactData(role) ? null : row.dsnReport,
    suppressions: suppressions.map((s) => ({ reason: s.reason, createdAt: s.createdAt.toISOString() })),
  };
}

/** The shop's suppression list (owner, staff). */
export async function getSuppressions(db: Db, actor: Actor, requestId?: string) {
  requireRole(actor, 'owner', 'staff');
  const rows = await listSuppressions(db, actor.shopId);
  if (rows.length) await recordAudit(db, actor, { action: 'mail_suppressions.listed', objectType: 'mail_suppression', summary: { count: rows.length } }, requestId);
  return {
    suppressions: rows.map((s) => ({ address: s.address, reason: s.reason, logId: s.logId, detail: s.detail, createdAt: s.createdAt.toISOString(), mobileCarrier: mobileCarrierOf(s.address) })),
  };
}

/**
 * Lifts a bounce suppression (owner, staff): the customer fixed their mailbox, or the bounce
 * was the mail server's mistake. An unsubscribe is the customer's own choice and stays: the
 * shop may not mail notices to someone who said no (特定電子メール法), so it is a 409.
 */
export async function deleteSuppression(db: Db, actor: Actor, address: string, requestId?: string) {
  requireRole(actor, 'owner', 'staff');
  return db.transaction(async (tx) => {
    const known = await suppressionsOf(tx, actor.shopId, address);
    if (!known.length) throw notFound('suppression of this address');
    const lifted = await liftSuppressions(tx, actor.shopId, address, ['hard_bounce', 'soft_bounces']);
    if (!lifted.length) throw conflict('this address unsubscribed itself; only the customer can subscribe again', { say: { ja: 'このアドレスはお客様ご自身が配信停止しています。ショップ側で解除することはできません。', en: 'This address was unsubscribed by the customer; the shop cannot undo that.' } });
    // The trail keeps the address masked, as it keeps no personal data in the clear.
    await recordAudit(tx, actor, { action: 'mail_suppression.lifted', objectType: 'mail_suppression', summary: { address: maskEmail(address.toLowerCase()), reasons: lifted.map((l) => l.reason) } }, requestId);
    return { lifted: lifted.map((l) => l.reason), remaining: known.filter((k) => !lifted.some((l) => l.reason === k.reason)).map((k) => k.reason) };
  });
}
