/**
 * What a mail server's refusal means for the mail: pure, so the single send and the batch
 * path of bulk notices classify alike, and tested on its own.
 */

/** A mail server's refusal, as nodemailer reports it (`command`: the SMTP command it answered). */
export interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export type Refusal =
  /** This mail to this recipient is refused for good: the row is failed, nothing is retried. */
  | { kind: 'recipient'; answer: string }
  /** Our side is refused (our envelope sender, our sign-in): every mail would be; deferred and retried once it is fixed. */
  | { kind: 'configuration'; answer: string }
  /** A 4xx, a dropped or refused connection, a timeout: deferred and retried. */
  | { kind: 'temporary'; answer: string };

export const answerOf = (e: SmtpError) => (e.response ?? e.message ?? String(e)).slice(0, 2000);

/**
 * Only a 5xx to the recipient (RCPT TO) or to the message itself (DATA, the end of data:
 * EMESSAGE) is about this mail. A 5xx to MAIL FROM refuses our VERP return path or sending
 * domain, to the sign-in our credentials, and one at the greeting the connection: each would
 * refuse every mail alike, so failing the customer's mail for good would be wrong.
 */
export function refusalOf(e: SmtpError): Refusal {
  const answer = answerOf(e);
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
  if (!permanent) return { kind: 'temporary', answer };
  if (e.code === 'EMESSAGE' || (e.code === 'EENVELOPE' && (e.command === 'RCPT TO' || e.command === 'DATA'))) return { kind: 'recipient', answer };
  if (e.command === 'MAIL FROM' || e.code === 'EAUTH') return { kind: 'configuration', answer };
  return { kind: 'temporary', answer };
}

/** The row's reason for a deferral: a configuration problem says so, for the operator who reads the log. */
export const deferralReason = (r: Refusal) => (r.kind === 'configuration' ? `our mail server refused our sender or sign-in (a configuration problem; tried again): ${r.answer}` : r.answer);

/**
 * Another worker holds the mail's claim and did not finish while this one waited: thrown so
 * the job tries again later (by then the mail is sent, or the claim has lapsed).
 */
export class MailBeingSent extends Error {
  constructor(messageId: string) {
    super(`the mail ${messageId} is being sent by another worker; trying again later`);
    this.name = 'MailBeingSent';
  }
}

/**
 * The log row of each error sendLogged threw for a deferral, so the job's final failure can
 * mark that row failed (giveUpOnMail in maillog.jobs.ts). Keyed weakly by the error itself:
 * the error thrown stays nodemailer's own.
 */
const deferredRows = new WeakMap<object, { shopId: string; logId: string }>();

export function noteDeferral(e: unknown, row: { shopId: string; logId: string }): void {
  if (typeof e === 'object' && e !== null) deferredRows.set(e, row);
}

export const deferredRowOf = (e: unknown) => (typeof e === 'object' && e !== null ? deferredRows.get(e) : undefined);
