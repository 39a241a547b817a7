import { z } from 'zod';
import { invalidInput } from './errors.ts';
import type { Mailer } from './mail.ts';
import type { JobProcessor } from './queue.ts';

export const MAIL_SEND = 'mail.send';

/** The payload of a `mail.send` outbox row: one message, one recipient. */
export const mailPayload = z.object({
  to: z.email(),
  subject: z.string().min(1).max(998),
  text: z.string().min(1),
  html: z.string().optional(),
  /** The From display name (the shop's sender name), for mail sent on a shop's behalf. */
  fromName: z.string().max(120).optional(),
});

export type MailPayload = z.infer<typeof mailPayload>;

/**
 * Sends one mail. A payload that does not parse is a permanent failure (retrying cannot fix
 * it); a mail server that is down or refuses is retried.
 */
export const sendMailJob =
  (mailer: Mailer): JobProcessor =>
  async (data) => {
    const mail = mailPayload.safeParse(data);
    // The issues only: the payload itself holds an address and a secret link.
    if (!mail.success) throw invalidInput('not a mail.send payload', { fields: mail.error.issues.map((i) => i.path.join('.')) });
    await mailer.send(mail.data);
  };
