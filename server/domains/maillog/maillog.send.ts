import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db/client.ts';
import type { Mail, Mailer } from '../../core/mail.ts';
import { newSecret } from '../../core/secrets.ts';
import { claimLogRow, mailKeyOf, markAttempt, suppressionsOf, type MailLogRow } from './maillog.repository.ts';
import { bounceAddress, signedId, unsubscribeAddress } from './maillog.sign.ts';
import type { MailKind } from './maillog.model.ts';

export type { MailKind } from './maillog.model.ts';

/** The objects a mail concerns, for the delivery history on their pages. */
export interface MailAbout {
  conversationId?: string;
  orderNumber?: string;
  /** Every order the mail is about, when several (a notice lists them all); orderNumber is the first. */
  orderNumbers?: string[];
  returnId?: string;
  campaignId?: string;
  invitationId?: string;
}

export interface LoggedMail extends Mail {
  shopId: string;
  kind: MailKind;
  about?: MailAbout;
  /** Bulk mail (notices): suppressed/unsubscribed addresses are recorded `suppressed` and not sent; gets List-Unsubscribe headers. */
  bulk?: boolean;
  /** A stable id (e.g. `<campaign-<id>-<recipientId>@domain>`); a row already `sent` with it is not sent again. */
  messageId?: string;
}

export interface MailLogDeps {
  db: Db;
  mailer: Mailer;
  /** The public address, for unsubscribe links. */
  baseUrl: string;
  /** Inbound mail, when configured: the VERP return path that brings DSNs back to POST /api/inbound/email. */
  bounce?: { domain: string; secret: string };
}

/** The log's deps from what the worker and the listeners hold: inbound mail, when configured, is where bounces come back. */
export const mailLogDeps = (d: { db: Db; mailer: Mailer; baseUrl: string; inbound?: { domain: string; secret: string } }): MailLogDeps => ({
  db: d.db,
  mailer: d.mailer,
  baseUrl: d.baseUrl,
  ...(d.inbound ? { bounce: { domain: d.inbound.domain, secret: d.inbound.secret } } : {}),
});

export type SendOutcome = { logId: string; messageId: string; status: 'sent' | 'suppressed' | 'failed'; reason?: string };

/** A mail server's refusal, as nodemailer reports it. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * A refusal of this mail to this recipient that sending again cannot change: a 5xx answer to
 * its envelope or its content. A 5xx to our sign-in (EAUTH) is our configuration, and the
 * mail is tried again once it is fixed.
 */
function permanentRefusal(e: SmtpError): boolean {
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE');
}

const answerOf = (e: SmtpError) => (e.response ?? e.message ?? String(e)).slice(0, 2000);

/** `<…@…>`: a Message-ID given without its brackets gets them, and one without a domain the deployment's. */
function fullMessageId(id: string, host: string): string {
  const bare = id.replace(/^<|>$/g, '');
  return `<${bare.includes('@') ? bare : `${bare}@${host}`}>`;
}

/** Notices are bulk whatever the caller says: an unsubscribe must hold for every notice. */
const isBulk = (mail: LoggedMail) => mail.bulk === true || mail.kind === 'notice';

/**
 * RFC 8058 one-click unsubscribe, and RFC 2369's mailto: when inbound mail is configured. The
 * link is signed with the shop's key, so only the mail's reader can use it.
 */
async function unsubscribeHeaders(deps: MailLogDeps, row: MailLogRow): Promise<Record<string, string>> {
  const key = await mailKeyOf(deps.db, row.shopId, () => newSecret(32));
  const links = [`<${deps.baseUrl}/unsubscribe/${signedId(key, 'unsubscribe', row.id)}>`];
  if (deps.bounce) links.push(`<mailto:${unsubscribeAddress(deps.bounce.domain, key, row.id)}?subject=unsubscribe>`);
  return { 'List-Unsubscribe': links.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * Writes the row (queued), sends, records the answer. A 5xx refusal: row failed, resolves
 * {status:'failed'} (no retry). A connection error / 4xx: row deferred, THROWS (the job retries).
 *
 * Idempotent by Message-ID: a second call with the messageId of a mail already sent (or
 * bounced since) sends nothing and answers 'sent'; one whose earlier attempt failed, was
 * deferred or suppressed tries again (a campaign's "retry failed", or a suppression lifted).
 * A process that dies after the mail server took the mail but before the row says so sends it
 * again on retry, with the same Message-ID, so the second copy is recognisably the same mail.
 *
 * @example
 * const r = await sendLogged(deps, { shopId, kind: 'portal_code', about: { orderNumber }, to, subject, text });
 * if (r.status === 'failed') logger.info({ logId: r.logId }, 'the address refused the code');
 */
export async function sendLogged(deps: MailLogDeps, mail: LoggedMail): Promise<SendOutcome> {
  const { shopId, kind, about = {}, bulk: _bulk, messageId: given, ...message } = mail;
  const id = randomUUID();
  const row = await claimLogRow(deps.db, {
    id,
    shopId,
    kind,
    recipient: message.to,
    subject: message.subject.slice(0, 998),
    messageId: fullMessageId(given ?? id, new URL(deps.baseUrl).hostname),
    bulk: isBulk(mail),
    ...about,
  });
  const outcome = (status: SendOutcome['status'], reason?: string): SendOutcome => ({ logId: row.id, messageId: row.messageId, status, ...(reason ? { reason } : {}) });
  if (row.status === 'sent' || row.status === 'bounced') return outcome('sent');

  if (isBulk(mail)) {
    const reasons = await suppressionsOf(deps.db, shopId, message.to);
    if (reasons.length) {
      const reason = reasons.map((s) => s.reason).join(',');
      await markAttempt(deps.db, shopId, row.id, 'suppressed', { reason, attempted: false });
      return outcome('suppressed', reason);
    }
  }

  const headers = { ...message.headers, ...(isBulk(mail) ? await unsubscribeHeaders(deps, row) : {}) };
  try {
    const sent = await deps.mailer.send({
      ...message,
      messageId: row.messageId,
      headers,
      ...(deps.bounce ? { envelopeFrom: bounceAddress(deps.bounce, row.id) } : {}),
    });
    await markAttempt(deps.db, shopId, row.id, 'sent', { smtpResponse: sent.response, attempted: true });
    return outcome('sent');
  } catch (e) {
    const err = (e ?? {}) as SmtpError;
    if (permanentRefusal(err)) {
      await markAttempt(deps.db, shopId, row.id, 'failed', { smtpResponse: answerOf(err), reason: answerOf(err), attempted: true });
      return outcome('failed', answerOf(err));
    }
    // Recorded as best it can be: the job retries either way, and the mail error is the one to report.
    await markAttempt(deps.db, shopId, row.id, 'deferred', { smtpResponse: answerOf(err), reason: answerOf(err), attempted: true }).catch(() => undefined);
    throw e;
  }
}
