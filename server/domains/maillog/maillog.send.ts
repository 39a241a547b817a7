import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db/client.ts';
import type { Mail, Mailer } from '../../core/mail.ts';
import { newSecret } from '../../core/secrets.ts';
import { claimLogRows, mailKeyOf, recordAttempts, releaseLogRows, suppressionsOfMany, type AttemptRecord, type MailLogRow } from './maillog.repository.ts';
import { bounceAddress, signedId, unsubscribeAddress } from './maillog.sign.ts';
import type { MailKind } from './maillog.model.ts';

export type { MailKind } from './maillog.model.ts';

/** The objects a mail concerns, for the delivery history on their pages. */
export interface MailAbout {
  conversationId?: string;
  orderNumber?: string;
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
function unsubscribeHeaders(deps: MailLogDeps, key: string, row: MailLogRow): Record<string, string> {
  const links = [`<${deps.baseUrl}/unsubscribe/${signedId(key, 'unsubscribe', row.id)}>`];
  if (deps.bounce) links.push(`<mailto:${unsubscribeAddress(deps.bounce.domain, key, row.id)}?subject=unsubscribe>`);
  return { 'List-Unsubscribe': links.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * A mail whose log row is claimed: either settled without sending (sent already under its
 * Message-ID, or a suppressed address: `record` says so for the log), or ready to go.
 */
export interface ClaimedMail {
  mail: LoggedMail;
  row: MailLogRow;
  /** Written by this claim (not a row an earlier attempt left): one never sent may be released. */
  fresh: boolean;
  settled?: { outcome: SendOutcome; record?: AttemptRecord };
  /** List-Unsubscribe for bulk mail. */
  headers: Record<string, string>;
}

/** What one attempt came to: the outcome, the log's record of it (to write), and a transient error to throw after recording. */
export interface Attempt {
  outcome?: SendOutcome;
  record?: AttemptRecord;
  /** A connection error or a 4xx: the row is deferred and the caller's job is tried again. */
  retry?: unknown;
}

const outcomeOf = (row: MailLogRow, status: SendOutcome['status'], reason?: string): SendOutcome => ({ logId: row.id, messageId: row.messageId, status, ...(reason ? { reason } : {}) });

/**
 * Claims the log rows of one shop's mails at once: one INSERT for all (a Message-ID seen before
 * answers its existing row), one suppression lookup for the bulk ones' addresses, the shop's
 * unsubscribe key once. Nothing is sent yet.
 */
export async function claimMails(deps: MailLogDeps, shopId: string, mails: LoggedMail[]): Promise<ClaimedMail[]> {
  if (!mails.length) return [];
  const host = new URL(deps.baseUrl).hostname;
  const made = mails.map((mail) => {
    const id = randomUUID();
    return {
      id,
      shopId,
      kind: mail.kind,
      recipient: mail.to,
      subject: mail.subject.slice(0, 998),
      messageId: fullMessageId(mail.messageId ?? id, host),
      bulk: isBulk(mail),
      ...(mail.about ?? {}),
    };
  });
  const rows = await claimLogRows(deps.db, shopId, made);
  const bulkOpen = mails.filter((m, i) => isBulk(m) && !isDone(rows.get(made[i]!.messageId)!));
  const suppressed = bulkOpen.length ? await suppressionsOfMany(deps.db, shopId, bulkOpen.map((m) => m.to)) : new Map();
  const key = bulkOpen.length ? await mailKeyOf(deps.db, shopId, () => newSecret(32)) : '';
  return mails.map((mail, i) => {
    const row = rows.get(made[i]!.messageId)!;
    const fresh = row.id === made[i]!.id;
    if (isDone(row)) return { mail, row, fresh, headers: {}, settled: { outcome: outcomeOf(row, 'sent') } };
    const reasons = isBulk(mail) ? suppressed.get(mail.to.toLowerCase()) : undefined;
    if (reasons?.length) {
      const reason = reasons.map((s: { reason: string }) => s.reason).join(',');
      return { mail, row, fresh, headers: {}, settled: { outcome: outcomeOf(row, 'suppressed', reason), record: { id: row.id, status: 'suppressed', reason, attempted: false } } };
    }
    return { mail, row, fresh, headers: isBulk(mail) ? unsubscribeHeaders(deps, key, row) : {} };
  });
}

/** Gives back the rows of claimed mails that were never attempted (written by their claim, still queued): a stopped batch leaves no row that says queued for a mail nobody will send. */
export async function releaseMails(deps: MailLogDeps, shopId: string, unsent: ClaimedMail[]): Promise<void> {
  await releaseLogRows(deps.db, shopId, unsent.filter((c) => c.fresh && !c.settled).map((c) => c.row.id));
}

/** A row that says sent (or bounced since) is never sent again. */
const isDone = (row: MailLogRow) => row.status === 'sent' || row.status === 'bounced';

/**
 * Sends one claimed mail (a settled one is answered as it is). Nothing is written here: the
 * caller records `record` (alone, or with others of its batch, `recordAttempts`). A 5xx
 * refusal is a failed outcome; a connection error or 4xx is `retry`, to throw once recorded.
 */
export async function attemptMail(deps: MailLogDeps, c: ClaimedMail): Promise<Attempt> {
  if (c.settled) return c.settled;
  const { shopId: _s, kind: _k, about: _a, bulk: _b, messageId: _m, ...message } = c.mail;
  try {
    const sent = await deps.mailer.send({
      ...message,
      messageId: c.row.messageId,
      headers: { ...message.headers, ...c.headers },
      ...(deps.bounce ? { envelopeFrom: bounceAddress(deps.bounce, c.row.id) } : {}),
    });
    return { outcome: outcomeOf(c.row, 'sent'), record: { id: c.row.id, status: 'sent', smtpResponse: sent.response, attempted: true } };
  } catch (e) {
    const err = (e ?? {}) as SmtpError;
    if (permanentRefusal(err)) {
      return { outcome: outcomeOf(c.row, 'failed', answerOf(err)), record: { id: c.row.id, status: 'failed', smtpResponse: answerOf(err), reason: answerOf(err), attempted: true } };
    }
    return { record: { id: c.row.id, status: 'deferred', smtpResponse: answerOf(err), reason: answerOf(err), attempted: true }, retry: e };
  }
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
 * Bulk mail of many recipients claims, sends and records in batches with the same parts
 * (`claimMails`, `attemptMail`, `recordAttempts`: see notices.send.ts).
 *
 * @example
 * const r = await sendLogged(deps, { shopId, kind: 'portal_code', about: { orderNumber }, to, subject, text });
 * if (r.status === 'failed') logger.info({ logId: r.logId }, 'the address refused the code');
 */
export async function sendLogged(deps: MailLogDeps, mail: LoggedMail): Promise<SendOutcome> {
  const [claimed] = await claimMails(deps, mail.shopId, [mail]);
  const attempt = await attemptMail(deps, claimed!);
  if (attempt.retry) {
    // Recorded as best it can be: the job retries either way, and the mail error is the one to report.
    await recordAttempts(deps.db, mail.shopId, [attempt.record!]).catch(() => undefined);
    throw attempt.retry;
  }
  if (attempt.record) await recordAttempts(deps.db, mail.shopId, [attempt.record]);
  return attempt.outcome!;
}

export { recordAttempts } from './maillog.repository.ts';
