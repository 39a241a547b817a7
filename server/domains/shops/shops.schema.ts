import { z } from 'zod';
import { shopsMessages } from './shops.messages.ts';
import { replyTimes, roles } from './shops.tables.ts';
import { prefectures } from '../orders/orders.model.ts';
import { registerMessages, said } from '../../core/messages.ts';

registerMessages(shopsMessages);

/** A name or label shown to people and put into mail: one line, no control characters. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, said('1行で入力してください（改行や制御文字は使えません）。', 'one line of text, without control characters'));

/**
 * A name customers read as the sender of mail (the sender name, or the shop's name in its place):
 * no address characters, so "Amazon <no-reply@amazon.co.jp>" or "support@bank.jp" cannot pose
 * as another sender, and no invisible formatting characters (right-to-left overrides, zero
 * widths) that make a name read other than it is.
 */
export const senderName = (max: number) =>
  plainText(max).regex(
    /^[^@<>"\p{Cf}]*$/u,
    said('差出人として表示されるため、@ < > " や見えない制御文字は使えません。', 'shown as the sender of mail: no @ < > " or invisible formatting characters'),
  );

export const shopIdParams = z.strictObject({ shopId: z.uuid({ message: 'expected a shop id (UUID)' }) });

const origin = z
  .string()
  .max(200, shopsMessages.originLength.en)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, shopsMessages.origin.en);

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, said('タイムゾーンは Asia/Tokyo のような IANA の名前で指定してください。', 'expected an IANA time zone such as Asia/Tokyo'));

/** Lower-cased on the way in, so the same colour is one value. */
const color = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, shopsMessages.color.en)
  .transform((c) => c.toLowerCase());

/** One short line; empty means "use the widget's own words" (stored as null). */
const greeting = z
  .string()
  .trim()
  .max(120, shopsMessages.greeting.en)
  .regex(/^[^\p{Cc}]*$/u, shopsMessages.greeting.en)
  .transform((g) => g || null)
  .nullable();

/** Something a customer can reach the shop by: a mail address, a phone number (03-1234-5678, 0120…) or a web address. */
const REACHABLE = /[^\s@]+@[^\s@]+\.[^\s@]+|\d{2,5}[-‐－ー ]?\d{1,4}[-‐－ー ]?\d{3,4}|https?:\/\/\S+/;
/**
 * The contact every delay notice prints (「■ お問い合わせ」): a few lines of the shop's own words,
 * with at least one way to reach it. Empty clears it (null), and then no notice can be published.
 */
const noticeContact = z
  .string()
  .transform((v) => v.replace(/\r\n?/g, '\n').trim())
  .refine((v) => v === '' || (v.length <= 300 && v.split('\n').length <= 4 && /^[^\p{Cc}]*$/u.test(v.replace(/\n/g, '')) && REACHABLE.test(v.normalize('NFKC'))), shopsMessages.noticeContact.en)
  .transform((v) => v || null)
  .nullable();

/** https only: the link sits on shops' https pages, and a javascript: or http: link there is a hole or a warning. */
const privacyUrl = z
  .string()
  .trim()
  .max(500, shopsMessages.privacyUrl.en)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' && !u.username && !u.password && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, shopsMessages.privacyUrl.en)
  .nullable();

const settingsFields = {
  name: senderName(120),
  timezone,
  locale: z.enum(['ja', 'en']),
  allowedOrigins: z.array(origin).max(20, shopsMessages.tooManyOrigins.en),
  /** Shown as the From name of customer mail; null goes back to the shop's name. */
  mailSenderName: senderName(80).nullable(),
  widgetColor: color.nullable(),
  widgetGreetingJa: greeting,
  widgetGreetingEn: greeting,
  privacyUrl,
  replyTime: z.enum(replyTimes, { message: shopsMessages.replyTime.en }).nullable(),
  /** Where the shop ships from: route-targeted notices use it for orders that name no origin. */
  originPrefecture: z.enum(prefectures, { message: said('都道府県は「東京都」のように入力してください', 'expected a prefecture such as 東京都') }).nullable(),
  /** Notice mails a minute (the shop's mail provider's limit); 0: no limit. */
  noticeMailsPerMinute: z.number().int().min(0).max(100_000),
  /** How customers reach the shop about a delay notice, printed in every one (mail, phone, hours). */
  noticeContact,
};

/** Defaults only when a shop is opened; a change names just what changes. */
export const createShopBody = z.strictObject({
  ...settingsFields,
  timezone: timezone.default('Asia/Tokyo'),
  locale: settingsFields.locale.default('ja'),
  allowedOrigins: settingsFields.allowedOrigins.default([]),
  mailSenderName: settingsFields.mailSenderName.optional(),
  widgetColor: settingsFields.widgetColor.optional(),
  widgetGreetingJa: greeting.optional(),
  widgetGreetingEn: greeting.optional(),
  privacyUrl: privacyUrl.optional(),
  replyTime: settingsFields.replyTime.optional(),
  originPrefecture: settingsFields.originPrefecture.optional(),
  noticeMailsPerMinute: settingsFields.noticeMailsPerMinute.optional(),
  noticeContact: noticeContact.optional(),
});
export const updateShopBody = z.strictObject(settingsFields).partial();

export const shopView = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  locale: z.enum(['ja', 'en']),
  allowedOrigins: z.array(z.string()),
  mailSenderName: z.string().nullable().describe('The From display name of mail to customers; null: the shop name is used'),
  widgetColor: z.string().nullable(),
  widgetGreetingJa: z.string().nullable(),
  widgetGreetingEn: z.string().nullable(),
  privacyUrl: z.string().nullable(),
  replyTime: z.enum(replyTimes).nullable(),
  originPrefecture: z.string().nullable(),
  noticeMailsPerMinute: z.number().int(),
  noticeContact: z.string().nullable().describe('How customers reach the shop about a delay notice, printed in every notice; null: not set (publishing a notice is refused)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const password = z.string().min(12, 'at least 12 characters').max(200);
export const email = z.email({ message: said('メールアドレスの形式で入力してください（例：taro@example.jp）。', 'expected an email address') }).max(254).transform((e) => e.toLowerCase());

export const memberParams = shopIdParams.extend({ userId: z.uuid({ message: 'expected a user id (UUID)' }) });
export const updateMemberBody = z.strictObject({ role: z.enum(roles) });

export const memberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  since: z.string(),
});
