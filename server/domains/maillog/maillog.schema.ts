import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { calendarDay } from '../orders/orders.schema.ts';
import { mobileCarriers } from './maillog.carriers.ts';
import { mailKinds, mailStatuses, suppressionReasons } from './maillog.model.ts';

/** A real calendar day (2026-02-31 is refused, not read as 3 March): the orders list's. */
const day = calendarDay;

export const mailLogQuery = z
  .strictObject({
    kind: z.enum(mailKinds, { message: said('種類は notice・portal_code・reply・return_update・invitation のいずれかです', 'expected notice, portal_code, reply, return_update or invitation') }).optional(),
    status: z.enum(mailStatuses, { message: said('状態は queued・sent・deferred・bounced・failed・suppressed のいずれかです', 'expected queued, sent, deferred, bounced, failed or suppressed') }).optional(),
    recipient: z.string().trim().min(1).max(254).optional().describe('part of the recipient address (not for contractors, who see addresses masked)'),
    conversationId: z.uuid().optional(),
    orderNumber: z.string().trim().min(1).max(100).optional(),
    returnId: z.uuid().optional(),
    campaignId: z.uuid().optional(),
    from: day.optional().describe('first day sent (YYYY-MM-DD, Japan time), included'),
    to: day.optional().describe('last day sent (YYYY-MM-DD, Japan time), included'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(200).optional().describe('next of the previous page'),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: said('終了日は開始日と同じかそれより後にしてください', 'the last day is before the first day') });

export type MailLogQuery = z.output<typeof mailLogQuery>;

const bilingual = z.object({ ja: z.string(), en: z.string() });

export const mailLogEntry = z.object({
  id: z.uuid(),
  kind: z.enum(mailKinds),
  about: z.object({ conversationId: z.uuid().nullable(), orderNumber: z.string().nullable(), orderNumbers: z.array(z.string()).describe('every order the mail is about (a notice lists several)'), returnId: z.uuid().nullable(), campaignId: z.uuid().nullable(), invitationId: z.uuid().nullable() }),
  recipient: z.string().describe('masked for contractors'),
  masked: z.boolean(),
  mobileCarrier: z.enum(mobileCarriers).nullable().describe("a Japanese mobile carrier's address: its default filter may drop the shop's mail"),
  carrierHint: bilingual.nullable().describe('what to tell such a customer'),
  subject: z.string(),
  messageId: z.string(),
  bulk: z.boolean(),
  status: z.enum(mailStatuses),
  reason: z.string().nullable(),
  attempts: z.number().int(),
  smtpResponse: z.string().nullable(),
  dsnStatus: z.string().nullable(),
  dsnDiagnostic: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  bouncedAt: z.string().nullable(),
});

export const mailLogPage = z.object({ entries: z.array(mailLogEntry), next: z.string().nullable() });

export const mailLogDetail = mailLogEntry.extend({
  rawReport: z.string().nullable().describe('the delivery report as received; null for contractors'),
  suppressions: z.array(z.object({ reason: z.enum(suppressionReasons), createdAt: z.string() })),
});

export const mailLogParams = z.strictObject({ shopId: z.uuid({ message: 'expected a shop id (UUID)' }), id: z.uuid({ message: said('メールの ID が正しくありません', 'expected a mail id (UUID)') }) });

export const suppressionView = z.object({ address: z.string(), reason: z.enum(suppressionReasons), logId: z.uuid().nullable(), detail: z.string().nullable(), createdAt: z.string(), mobileCarrier: z.enum(mobileCarriers).nullable() });

export const suppressionParams = z.strictObject({
  shopId: z.uuid({ message: 'expected a shop id (UUID)' }),
  address: z.email({ message: said('メールアドレスの形式で入力してください（例：taro@example.jp）。', 'expected an email address') }).max(254),
});

export const dnsRecord = z.object({
  kind: z.enum(['spf', 'dkim', 'dmarc']),
  name: z.string().describe('the DNS name the TXT record lives at'),
  type: z.literal('TXT'),
  expected: z.string().describe('what to publish (for DKIM, the record shape: the public key comes from your key pair)'),
  found: z.array(z.string()).describe('the TXT records of that name'),
  ok: z.boolean(),
  problem: bilingual.nullable(),
});

export const dnsCheck = z.object({ domain: z.string(), dkimSelector: z.string().nullable(), records: z.array(dnsRecord), checkedAt: z.string() });
