import { invalidInput } from '../../core/errors.ts';
import { mailPayload } from '../../core/mail.jobs.ts';
import type { JobProcessor } from '../../core/queue.ts';
import type { Db } from '../../core/db/client.ts';
import { deferredRowOf } from './maillog.refusal.ts';
import { markGaveUp, pruneMailLog } from './maillog.repository.ts';
import { sendLogged, type MailKind, type MailLogDeps } from './maillog.send.ts';

/**
 * Sends one mail of an outbox row (`mail.send`, `portal.code_mail`) through the mail log. A
 * payload that does not parse is a permanent failure (retrying cannot fix it); a mail server
 * that is down or answers 4xx is retried; a 5xx refusal is recorded failed and the job ends.
 * A payload of no shop (none in it, none on its row) is sent unlogged: there is no shop to
 * log it under.
 */
export const sendMailJob =
  (log: MailLogDeps, kind: MailKind): JobProcessor =>
  async (data) => {
    const mail = mailPayload.safeParse(data);
    // The issues only: the payload itself holds an address and a secret link.
    if (!mail.success) throw invalidInput('not a mail.send payload', { fields: mail.error.issues.map((i) => i.path.join('.')) });
    const { shopId: own, kind: given, about, messageId, ...message } = mail.data;
    const shopId = own ?? data.shopId;
    if (!shopId) {
      await log.mailer.send(message);
      return 'sent';
    }
    return (await sendLogged(log, { ...message, shopId, kind: given ?? kind, about, messageId })).status;
  };

/**
 * A job failed for good: if its last error was a mail's deferral (sendLogged notes which row),
 * that row is marked failed ("gave up after N tries: <last answer>"), no longer `deferred` as
 * if still being retried. Any job may send mail (mail.send, portal codes, the mail
 * listeners), so the worker calls this for every final failure; other errors change nothing.
 */
export async function giveUpOnMail(db: Db, err: unknown): Promise<boolean> {
  const row = deferredRowOf(err);
  return row ? markGaveUp(db, row.shopId, row.logId) : false;
}

/** The mail log's daily upkeep (pruneMailLog). */
export const MAIL_LOG_PRUNE_TOPIC = 'mail_log.prune';

/** Longer than any mail job's retries (a customer mail's: about three hours): a mail unfinished this long has no job left. */
export const STUCK_HOURS = 24;
/** A raw delivery report is the agent's for looking into a bounce; after this it goes (it quotes the address and the mail). */
export const REPORT_DAYS = 90;

export async function runMailLogPrune(db: Db, retentionDays: number, now = new Date()) {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return pruneMailLog(db, { stuckBefore: ago(STUCK_HOURS * 3_600_000), reportsBefore: ago(Math.min(REPORT_DAYS, retentionDays) * 86_400_000), rowsBefore: ago(retentionDays * 86_400_000) });
}
