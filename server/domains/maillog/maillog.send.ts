import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db/client.ts';
import type { Mail, Mailer } from '../../core/mail.ts';
import { newSecret } from '../../core/secrets.ts';
import { claimLogRow, claimLogRows, findByMessageId, mailKeyOf, markAttempt, releaseLogRows, renewClaim, suppressionsOf, suppressionsOfMany, type AttemptRecord, type Claim, type MailLogRow, type NewLogRow } from './maillog.repository.ts';
import { deferralReason, MailBeingSent, noteDeferral, refusalOf, type SmtpError } from './maillog.refusal.ts';
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

/** `<…@…>`: a Message-ID given without its brackets gets them, and one without a domain the deployment's. */
function fullMessageId(id: string, host: string): string {
  const bare = id.replace(/^<|>$/g, '');
  return `<${bare.includes('@') ? bare : `${bare}@${host}`}>`;
}

/**
 * Notices are bulk unless the caller says otherwise: an unsubscribe holds for every notice to
 * many customers. A notice about the customer's own order (a shop-side delay asking them to
 * choose, a parcel returned to the shop) says `bulk: false`: it is mail about their contract,
 * sent like a portal code, whatever their suppressions, with no opt-out.
 */
const isBulk = (mail: LoggedMail) => mail.bulk ?? mail.kind === 'notice';

/** A shop's mail key, read once and kept a few minutes: a campaign's mails would otherwise read it once each. Keys never change. */
const KEY_TTL_MS = 5 * 60_000;
const keys = new Map<string, { key: string; at: number }>();

async function shopMailKey(db: MailLogDeps['db'], shopId: string): Promise<string> {
  const known = keys.get(shopId);
  if (known && Date.now() - known.at < KEY_TTL_MS) return known.key;
  const key = await mailKeyOf(db, shopId, () => newSecret(32));
  if (keys.size >= 10_000) keys.clear();
  keys.set(shopId, { key, at: Date.now() });
  return key;
}

/**
 * RFC 8058 one-click unsubscribe, and RFC 2369's mailto: when inbound mail is configured, plus
 * the same link in words at the end of the text: 特定電子メール法 §4 expects the way to opt out
 * shown in the mail itself. The link is signed with the shop's key, so only the mail's reader
 * can use it.
 */
export async function unsubscribeOf(deps: MailLogDeps, row: Pick<MailLogRow, 'id' | 'shopId'>): Promise<{ headers: Record<string, string>; footer: string }> {
  const key = await shopMailKey(deps.db, row.shopId);
  const url = `${deps.baseUrl}/unsubscribe/${signedId(key, 'unsubscribe', row.id)}`;
  const links = [`<${url}>`];
  if (deps.bounce) links.push(`<mailto:${unsubscribeAddress(deps.bounce.domain, key, row.id)}?subject=unsubscribe>`);
  return {
    headers: { 'List-Unsubscribe': links.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    footer: `――――――――――――――――――――\n今後このショップからのお知らせメールが不要な方は、こちらから配信を停止できます（ご注文に関するご連絡は引き続きお送りします）。\nTo stop notice mails from this shop (mail about your orders still comes): ${url}\n`,
  };
}

/** How long a caller waits for another worker that holds the same mail before it leaves the mail to a later try. */
const OTHER_SENDER_WAIT_MS = 15_000;

/**
 * The mail's claim (claimLogRow), waiting out another worker that holds it: its attempt ends
 * (the mail sent, refused or deferred: the answer is the row as it left it, or the claim is
 * taken again after a deferral) or its claim lapses (it died: taken again). A claim held past
 * OTHER_SENDER_WAIT_MS throws MailBeingSent: the job tries again later.
 */
export async function claimMail(db: MailLogDeps['db'], fresh: NewLogRow): Promise<Claim> {
  const deadline = Date.now() + OTHER_SENDER_WAIT_MS;
  for (;;) {
    const claim = await claimLogRow(db, fresh);
    if (claim.mine || claim.row.status === 'sent' || claim.row.status === 'bounced') return claim;
    for (let leased = true, row = claim.row; ; ) {
      if (!leased && (row.status === 'failed' || row.status === 'suppressed')) return { row, mine: false };
      if (!leased) break; // queued or deferred, its claim over: claim it again
      if (Date.now() > deadline) throw new MailBeingSent(fresh.messageId);
      await new Promise((r) => setTimeout(r, 200));
      const seen = await findByMessageId(db, fresh.shopId, fresh.messageId);
      if (!seen) break;
      if (seen.row.status === 'sent' || seen.row.status === 'bounced') return { row: seen.row, mine: false };
      [row, leased] = [seen.row, seen.leased];
    }
  }
}

/**
 * A mail of a batch whose log row is claimed: settled without sending (sent already under its
 * Message-ID, or a suppressed address: `record` says so for the log), held by another worker
 * (`busy`: left for a later try), or ready to go.
 */
export interface ClaimedMail {
  mail: LoggedMail;
  row: MailLogRow;
  /** Written by this claim (not a row an earlier attempt left): one never sent may be released. */
  fresh: boolean;
  /** The claim's token when this caller holds the row (see claimLogRows). */
  token?: string;
  settled?: { outcome: SendOutcome; record?: AttemptRecord };
  /** Another worker holds this mail's claim: not sent here; the batch's job tries again later. */
  busy?: boolean;
  /** List-Unsubscribe and the opt-out line of bulk mail. */
  unsubscribe?: { headers: Record<string, string>; footer: string };
}

/** What one attempt came to: the outcome, the log's record of it (to write), and a transient error to throw after recording. */
export interface Attempt {
  outcome?: SendOutcome;
  record?: AttemptRecord;
  /** A connection error, a 4xx, our side refused, or the mail held elsewhere: the row is deferred (or left) and the caller's job is tried again. */
  retry?: unknown;
}

const outcomeOf = (row: MailLogRow, status: SendOutcome['status'], reason?: string): SendOutcome => ({ logId: row.id, messageId: row.messageId, status, ...(reason ? { reason } : {}) });

/** How long a bulk mail that its server keeps deferring is tried, from its first try (see attemptMail). */
export const BULK_GIVE_UP_MS = 24 * 3_600_000;

/** A row that says sent (or bounced since) is never sent again. */
const isDone = (row: MailLogRow) => row.status === 'sent' || row.status === 'bounced';

/**
 * Claims the log rows of one shop's mails at once, with the same lease as a single mail's
 * claim (claimLogRows): one INSERT for all, one UPDATE for rows an earlier attempt left, one
 * suppression lookup for the bulk ones' addresses, the shop's unsubscribe key once. Nothing is
 * sent yet.
 */
export async function claimMails(deps: MailLogDeps, shopId: string, mails: LoggedMail[]): Promise<ClaimedMail[]> {
  if (!mails.length) return [];
  const host = new URL(deps.baseUrl).hostname;
  const made: NewLogRow[] = mails.map((mail) => {
    const id = randomUUID();
    return { id, shopId, kind: mail.kind, recipient: mail.to, subject: mail.subject.slice(0, 998), messageId: fullMessageId(mail.messageId ?? id, host), bulk: isBulk(mail), ...(mail.about ?? {}) };
  });
  const claims = await claimLogRows(deps.db, shopId, made);
  const open = (i: number) => {
    const c = claims.get(made[i]!.messageId)!;
    return c.mine && !isDone(c.row);
  };
  const bulkOpen = mails.filter((m, i) => isBulk(m) && open(i));
  const suppressed = bulkOpen.length ? await suppressionsOfMany(deps.db, shopId, bulkOpen.map((m) => m.to)) : new Map<string, { reason: string }[]>();
  const out: ClaimedMail[] = [];
  for (const [i, mail] of mails.entries()) {
    const { row, mine, token } = claims.get(made[i]!.messageId)!;
    const fresh = row.id === made[i]!.id;
    if (isDone(row)) out.push({ mail, row, fresh, settled: { outcome: outcomeOf(row, 'sent') } });
    else if (!mine) out.push({ mail, row, fresh, busy: true });
    else {
      const reasons = isBulk(mail) ? suppressed.get(mail.to.toLowerCase()) : undefined;
      if (reasons?.length) {
        const reason = reasons.map((s) => s.reason).join(',');
        out.push({ mail, row, fresh, token, settled: { outcome: outcomeOf(row, 'suppressed', reason), record: { id: row.id, status: 'suppressed', reason, attempted: false, token } } });
      } else out.push({ mail, row, fresh, token, ...(isBulk(mail) ? { unsubscribe: await unsubscribeOf(deps, row) } : {}) });
    }
  }
  return out;
}

/**
 * Gives back what a stopped batch holds of mails it never attempted: rows its claim wrote are
 * deleted (no row says queued for a mail nobody will send), rows an earlier attempt left are
 * let go at once (a resume need not wait out the lease). One claim per batch: one token.
 */
export async function releaseMails(deps: MailLogDeps, shopId: string, unsent: ClaimedMail[]): Promise<void> {
  const held = unsent.filter((c) => c.token && !c.busy);
  for (const token of new Set(held.map((c) => c.token!))) {
    const of = held.filter((c) => c.token === token);
    await releaseLogRows(deps.db, shopId, token, { drop: of.filter((c) => c.fresh).map((c) => c.row.id), letGo: of.filter((c) => !c.fresh).map((c) => c.row.id) });
  }
}

/**
 * Sends one claimed mail of a batch (a settled one is answered as it is). Nothing is written
 * here: the caller records `record` with others of its batch (`recordAttempts`). A 5xx to the
 * recipient or the message is a failed outcome; anything else (refusalOf) is `retry`, to throw
 * once recorded, as sendLogged does for one mail.
 */
export async function attemptMail(deps: MailLogDeps, c: ClaimedMail): Promise<Attempt> {
  if (c.settled) return c.settled;
  if (c.busy || !c.token) return { retry: new MailBeingSent(c.row.messageId) };
  // The batch's claim was made when the chunk began: renewed now, or found lapsed and taken by
  // another worker (a slow mail server, a stalled job run again), in which case not sent here.
  if (!(await renewClaim(deps.db, c.mail.shopId, c.row.id, c.token))) {
    c.busy = true;
    return { retry: new MailBeingSent(c.row.messageId) };
  }
  return deliver(deps, c);
}

/**
 * Hands one mail whose claim this caller holds to the mail server, and says what came of it
 * (nothing written): the one send of a batch's mail and of a single one (sendLogged).
 */
async function deliver(deps: MailLogDeps, c: ClaimedMail): Promise<Attempt> {
  const { shopId, kind: _k, about: _a, bulk: _b, messageId: _m, ...message } = c.mail;
  try {
    const sent = await deps.mailer.send({
      ...message,
      ...(c.unsubscribe ? { text: `${message.text.trimEnd()}\n\n${c.unsubscribe.footer}` } : {}),
      messageId: c.row.messageId,
      headers: { ...message.headers, ...c.unsubscribe?.headers },
      ...(deps.bounce ? { envelopeFrom: bounceAddress(deps.bounce, c.row.id) } : {}),
    });
    return { outcome: outcomeOf(c.row, 'sent'), record: { id: c.row.id, status: 'sent', smtpResponse: sent.response, attempted: true, token: c.token } };
  } catch (e) {
    const refusal = refusalOf((e ?? {}) as SmtpError);
    if (refusal.kind === 'recipient') {
      return { outcome: outcomeOf(c.row, 'failed', refusal.answer), record: { id: c.row.id, status: 'failed', smtpResponse: refusal.answer, reason: refusal.answer, attempted: true, token: c.token } };
    }
    noteDeferral(e, { shopId, logId: c.row.id });
    // Bulk mail is tried again as long as its chunk is (the sweep hands it over again after the
    // job's last try), but not for ever: a day after its first try it fails with the last answer,
    // as a mail queue gives up, so the campaign ends and the agent sees why.
    if ((isBulk(c.mail) || c.mail.kind === 'notice') && Date.now() - c.row.createdAt.getTime() > BULK_GIVE_UP_MS) {
      const reason = `gave up after ${c.row.attempts + 1} tries over a day: ${deferralReason(refusal)}`.slice(0, 2000);
      return { outcome: outcomeOf(c.row, 'failed', reason), record: { id: c.row.id, status: 'failed', smtpResponse: refusal.answer, reason, attempted: true, token: c.token } };
    }
    return { record: { id: c.row.id, status: 'deferred', smtpResponse: refusal.answer, reason: deferralReason(refusal), attempted: true, token: c.token }, retry: e };
  }
}

/**
 * Claims the row (written queued), sends, records the answer. A 5xx refusal of the recipient
 * or the message (refusalOf): row failed, resolves {status:'failed'} (no retry). A connection
 * error, a 4xx, or a 5xx to our own sender: row deferred, THROWS (the job retries; its final
 * failure marks the row failed, see giveUpOnMail).
 *
 * Idempotent by Message-ID: a second call with the messageId of a mail already sent (or
 * bounced since) sends nothing and answers 'sent'; one whose earlier attempt failed, was
 * deferred or suppressed tries again (a campaign's "retry failed", or a suppression lifted).
 * Only one caller at a time holds a mail (claimLogRow's lease): a second one at once waits for
 * the first's answer, or throws MailBeingSent for its job to try again later.
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
  const { row, mine, token } = await claimMail(deps.db, {
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
  // Sent or bounced already, or another worker's attempt just ended refused or suppressed: its answer stands.
  if (!mine) return row.status === 'failed' || row.status === 'suppressed' ? outcome(row.status, row.reason ?? undefined) : outcome('sent');

  if (isBulk(mail)) {
    const reasons = await suppressionsOf(deps.db, shopId, message.to);
    if (reasons.length) {
      const reason = reasons.map((s) => s.reason).join(',');
      await markAttempt(deps.db, shopId, row.id, 'suppressed', { reason, attempted: false, token });
      return outcome('suppressed', reason);
    }
  }

  const attempt = await deliver(deps, { mail, row, fresh: row.id === id, token, ...(isBulk(mail) ? { unsubscribe: await unsubscribeOf(deps, row) } : {}) });
  const record = (r: AttemptRecord) => markAttempt(deps.db, shopId, r.id, r.status, { smtpResponse: r.smtpResponse, reason: r.reason, attempted: r.attempted, token });
  if (attempt.retry !== undefined) {
    // Recorded as best it can be: the job retries either way, and the mail error is the one to report.
    await record(attempt.record!).catch(() => undefined);
    throw attempt.retry;
  }
  // Recorded apart from the sending: the mail went, so a database error here is no SMTP
  // deferral. It is thrown as itself (a job waits for the database without spending a try);
  // the row keeps its claim until the lease lapses, and a retry after that sends the mail
  // again under the same Message-ID: at least once, recognisably the same mail.
  await record(attempt.record!);
  return attempt.outcome!;
}

export { recordAttempts } from './maillog.repository.ts';
