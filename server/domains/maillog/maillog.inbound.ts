import type { Db } from '../../core/db/client.ts';
import { invalidInput, notFound } from '../../core/errors.ts';
import { newSecret } from '../../core/secrets.ts';
import { parseDeliveryReport, verdictOf } from './maillog.dsn.ts';
import { findSignedLogRow, mailKeyOf, markBounced, softBouncesSince, suppress, type MailLogRow } from './maillog.repository.ts';
import { BOUNCE_LOCAL, idOfToken, signatureHolds, UNSUBSCRIBE_LOCAL } from './maillog.sign.ts';

/** A soft bounce suppresses when it is the second within this many days. */
export const SOFT_BOUNCE_DAYS = 30;

/** Mail to one of the log's addresses at the inbound domain: a DSN to a VERP return path, or a mailto: unsubscribe. */
export type MailLogTarget = { kind: 'bounce'; token: string } | { kind: 'unsubscribe'; token: string };

/** The first recipient that is a bounce+… or unsub+… address at `domain`, or undefined (the mail is for the conversations). */
export function mailLogTarget(domain: string, recipients: string[]): MailLogTarget | undefined {
  for (const address of recipients) {
    const at = address.lastIndexOf('@');
    if (at < 0 || address.slice(at + 1).toLowerCase() !== domain) continue;
    const local = address.slice(0, at);
    const b = BOUNCE_LOCAL.exec(local);
    if (b) return { kind: 'bounce', token: b[1]! };
    const u = UNSUBSCRIBE_LOCAL.exec(local);
    if (u) return { kind: 'unsubscribe', token: u[1]! };
  }
  return undefined;
}

export type BounceAnswer =
  | { bounce: { logId: string; dsnStatus: string; hard: boolean; duplicate: boolean; suppressed: boolean } }
  | { ignored: 'automatic_reply' | 'not_a_delivery_report' | 'delivery_delayed' | 'delivered' | 'another_mail' };

/** Message-IDs compared as RFC 5322 ids: brackets and surrounding space aside, exactly. */
const sameMessageId = (a: string, b: string) => a.trim().replace(/^<|>$/g, '') === b.trim().replace(/^<|>$/g, '');

/** The mail a signed bounce address names; 4xx (the mail server drops it) when forged or unknown. */
async function bouncedMail(db: Db, secret: string, token: string): Promise<MailLogRow> {
  if (!signatureHolds(secret, 'bounce', token)) throw invalidInput('the bounce address is not valid: its signature does not match');
  const row = await findSignedLogRow(db, idOfToken(token)!);
  if (!row) throw invalidInput('the mail this bounce address names is not in the mail log');
  return row;
}

/**
 * A mail to a VERP return path: a delivery report marks that mail bounced with the DSN's status
 * and diagnostic, keeping the report; a hard bounce (5.x.x) suppresses the address for the
 * shop's bulk mail, and so does a second soft one (4.x.x) within SOFT_BOUNCE_DAYS. A report
 * posted again (a replay, or the mail server's retry) changes nothing: the first one stands.
 * Anything else sent there (out-of-office answers come to the return path too) is no bounce.
 */
export async function receiveBounce(db: Db, bounce: { secret: string }, token: string, raw: Buffer, mail: { automatic: boolean; from: string | null }, now = new Date()): Promise<BounceAnswer> {
  const row = await bouncedMail(db, bounce.secret, token);
  const daemon = /^(mailer-daemon|postmaster)@/i.test(mail.from ?? '');
  const report = parseDeliveryReport(raw, { fromDaemon: daemon });
  if (!report) return { ignored: mail.automatic ? 'automatic_reply' : 'not_a_delivery_report' };
  // A report that returns the headers of another mail (a reused or forged return path) is not about this one.
  if (report.originalMessageId && !sameMessageId(report.originalMessageId, row.messageId)) return { ignored: 'another_mail' };
  const verdict = verdictOf(report, row.recipient);
  if (!verdict.bounced) return { ignored: verdict.why === 'delayed' ? 'delivery_delayed' : 'delivered' };
  const text = raw.toString('utf8');
  return db.transaction(async (tx) => {
    const first = await markBounced(tx, row.shopId, row.id, { status: verdict.status, diagnostic: verdict.diagnostic, report: text }, now);
    let suppressed = false;
    if (first && verdict.hard) suppressed = await suppress(tx, row.shopId, row.recipient, 'hard_bounce', row.id, `${verdict.status} ${verdict.diagnostic ?? ''}`.trim());
    if (first && !verdict.hard) {
      const soft = await softBouncesSince(tx, row.shopId, row.recipient, new Date(now.getTime() - SOFT_BOUNCE_DAYS * 86_400_000));
      if (soft >= 2) suppressed = await suppress(tx, row.shopId, row.recipient, 'soft_bounces', row.id, `${soft} soft bounces in ${SOFT_BOUNCE_DAYS} days; last ${verdict.status}`);
    }
    return { bounce: { logId: row.id, dsnStatus: verdict.status, hard: verdict.hard, duplicate: !first, suppressed } };
  });
}

export interface Unsubscribed {
  shopId: string;
  logId: string;
  recipient: string;
  /** The address was unsubscribed before: nothing changed. */
  duplicate: boolean;
}

/** The mail an unsubscribe token names, its signature checked with the shop's key; 404 / 400 otherwise. */
export async function unsubscribeTarget(db: Db, token: string): Promise<MailLogRow> {
  const id = idOfToken(token);
  if (!id) throw invalidInput('the unsubscribe link is not valid');
  const row = await findSignedLogRow(db, id);
  if (!row) throw notFound('the mail of this unsubscribe link');
  const key = await mailKeyOf(db, row.shopId, () => newSecret(32));
  if (!signatureHolds(key, 'unsubscribe', token)) throw invalidInput('the unsubscribe link is not valid: its signature does not match');
  return row;
}

/**
 * Stops the shop's bulk mail (notices) to the address the token's mail went to. Transactional
 * mail (portal codes, replies, return updates) still goes: the customer asks for those.
 */
export async function unsubscribe(db: Db, token: string, how: 'one-click' | 'mailto' | 'page'): Promise<Unsubscribed> {
  const row = await unsubscribeTarget(db, token);
  const made = await suppress(db, row.shopId, row.recipient, 'unsubscribed', row.id, how);
  return { shopId: row.shopId, logId: row.id, recipient: row.recipient, duplicate: !made };
}

/** A mail to an unsub+… address (the List-Unsubscribe mailto:); an automatic answer to it unsubscribes no one. */
export async function receiveUnsubscribeMail(db: Db, token: string, mail: { automatic: boolean }): Promise<{ unsubscribed: { logId: string; duplicate: boolean } } | { ignored: 'automatic_reply' }> {
  if (mail.automatic) return { ignored: 'automatic_reply' };
  const u = await unsubscribe(db, token, 'mailto');
  return { unsubscribed: { logId: u.logId, duplicate: u.duplicate } };
}
