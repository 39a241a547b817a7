import { invalidInput } from '../../core/errors.ts';
import { mailPayload } from '../../core/mail.jobs.ts';
import type { JobProcessor } from '../../core/queue.ts';
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
