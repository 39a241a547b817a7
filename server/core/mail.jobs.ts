import { z } from 'zod';
import { mailKinds } from '../domains/maillog/maillog.model.ts';

export const MAIL_SEND = 'mail.send';

/** The payload of a `mail.send` outbox row: one message, one recipient. */
export const mailPayload = z.object({
  to: z.email(),
  subject: z.string().min(1).max(998),
  text: z.string().min(1),
  html: z.string().optional(),
  /** The From display name (the shop's sender name), for mail sent on a shop's behalf. */
  fromName: z.string().max(120).optional(),
  /**
   * For the mail log (server/domains/maillog): whose mail, of what kind, about what, under
   * which Message-ID (written with the row, so every retry is the same mail). Rows written
   * before the log have none: they are logged under the outbox row's shop, as the topic's kind.
   */
  shopId: z.uuid().nullish(),
  kind: z.enum(mailKinds).optional(),
  about: z
    .object({
      conversationId: z.uuid().optional(),
      orderNumber: z.string().max(100).optional(),
      returnId: z.uuid().optional(),
      campaignId: z.uuid().optional(),
      invitationId: z.uuid().optional(),
    })
    .optional(),
  /** `<id@domain>`, or an id alone (the log adds the deployment's domain). */
  messageId: z
    .string()
    .regex(/^<?[^<>\s@]{1,200}(@[^<>\s@]{1,200})?>?$/, 'expected <id@domain> or an id')
    .optional(),
});

export type MailPayload = z.infer<typeof mailPayload>;
