import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { plainText, shopIdParams } from '../shops/shops.schema.ts';
import { defaultChannels, isPerOrderType, noticeTypes } from './notices.types.ts';
import { campaignStatuses, recipientStatuses } from './notices.campaigns.model.ts';
import { normalisePrefecture } from './notices.target.prefectures.ts';
import type { ActiveNotices } from './notices.public.ts';
import { isoTime, type Same } from '../../core/openapi.ts';

const day = z.iso.date({ message: said('日付は 2026-12-04 の形で入力してください。', 'expected a date such as 2026-12-04') });
const when = z.iso.datetime({ offset: true, message: said('日時は 2026-12-04T09:00:00+09:00 の形で入力してください。', 'expected a date and time with its offset, such as 2026-12-04T09:00:00+09:00') });

/** 「東京」"Tokyo" "tokyo-to": stored as the orders write it (「東京都」). */
const prefecture = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const p = normalisePrefecture(v);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: said('都道府県は「東京都」「Tokyo」のように入力してください。', 'expected one of the 47 prefectures, such as 東京都 or Tokyo') });
      return z.NEVER;
    }
    return p;
  });

/** 「〒０６０-」 as typed or pasted: NFKC (full-width digits), without the 〒 mark, hyphens or spaces, as orders' postcodes are compared. */
const postcodePrefix = z
  .string()
  .max(20)
  .transform((v) => v.normalize('NFKC').replace(/[〒\s\-‐－―−ー]/g, ''))
  .pipe(z.string().regex(/^\d{1,7}$/, said('郵便番号の先頭は数字1〜7桁で入力してください（例：060）。', 'expected the first 1 to 7 digits of a postcode, such as 060')));

/**
 * Pasted order numbers, one per line: NFKC (full-width 「Ａ－１０２３４」 is the A-10234 orders
 * store) and trimmed, blank lines dropped. What is left is a condition: an empty list after this
 * is no condition at all, never "every order".
 */
const orderNumberList = z
  .array(z.string().max(100))
  .max(10_000)
  .transform((list) => list.map((n) => n.normalize('NFKC').trim()).filter((n) => n.length > 0));

/** Which orders a campaign concerns. Every condition given must hold; within a list, any one value. */
export const campaignTarget = z
  .strictObject({
    orderedFrom: day.optional(),
    orderedTo: day.optional(),
    carriers: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
    prefectures: z.array(prefecture).max(47).optional(),
    postcodePrefixes: z.array(postcodePrefix).max(200).optional(),
    routes: z.array(z.strictObject({ from: prefecture, to: prefecture })).max(47 * 47).optional(),
    shipment: z.enum(['any', 'shipped_not_delivered', 'not_shipped']).optional(),
    /** As pasted or uploaded, one per line: a number the shop has no order with is reported at its line (audience), never an error. */
    orderNumbers: orderNumberList.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.orderedFrom && t.orderedTo && t.orderedTo < t.orderedFrom) {
      ctx.addIssue({ code: 'custom', path: ['orderedTo'], message: said('注文日の終わりが始まりより前になっています。', 'the last order date is before the first') });
    }
  });
export type CampaignTargetInput = z.output<typeof campaignTarget>;

export const campaignChannels = z.strictObject({ banner: z.boolean(), mail: z.boolean(), chat: z.boolean() });

/** A variable's text: one string, or the same in Japanese and English. */
const text = z.union([z.string().max(2000), z.strictObject({ ja: z.string().max(2000), en: z.string().max(2000) })]);

const fields = {
  name: plainText(120),
  type: z.enum(noticeTypes),
  templateVersionId: z.uuid({ message: said('テンプレートの版の ID の形式が正しくありません。', 'expected a template version id (UUID)') }).nullable(),
  /** The shape any notice's variables have (text, or the same in both languages; dates; numbers; lists of them); the type's own schema is checked at publication. */
  variables: z
    .record(z.string().max(64), z.union([text, z.number(), z.boolean(), z.null(), z.array(text).max(100)]))
    .refine((v) => Object.keys(v).length <= 40, said('変数が多すぎます。', 'too many variables')),
  startsAt: when,
  endsAt: when.nullable(),
  channels: campaignChannels,
  target: campaignTarget,
};

const windowInOrder = (b: { startsAt?: string; endsAt?: string | null }, ctx: z.RefinementCtx) => {
  if (b.startsAt && b.endsAt && Date.parse(b.endsAt) <= Date.parse(b.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: said('終了日時は開始日時より後にしてください。', 'the end must come after the start') });
  }
};

/** Refused at channels.banner: a notice about customers' own orders never goes on the public banner and page. */
export const perOrderBanner = said(
  'ご注文ごとのお知らせ（発送の遅れ・配送状況・返送）はバナーに掲載できません。メールかチャットでお送りください。',
  'a notice about customers\' own orders (shop delay, shipment exception, returned to sender) cannot be shown as a banner; send it by mail or chat',
);
const noPerOrderBanner = (b: { type?: string; channels?: { banner: boolean } }, ctx: z.RefinementCtx) => {
  if (b.type && b.channels?.banner && isPerOrderType(b.type)) ctx.addIssue({ code: 'custom', path: ['channels', 'banner'], message: perOrderBanner });
};

export const createCampaignBody = z
  .strictObject({
    ...fields,
    templateVersionId: fields.templateVersionId.default(null),
    variables: fields.variables.default({}),
    endsAt: fields.endsAt.default(null),
    /** By type when left out (defaultChannels): a per-order notice goes by mail and chat only. */
    channels: campaignChannels.optional(),
    target: campaignTarget.default({}),
  })
  .superRefine(windowInOrder)
  .superRefine(noPerOrderBanner)
  .transform((b) => ({ ...b, channels: b.channels ?? defaultChannels(b.type) }));
export type CreateCampaignInput = z.output<typeof createCampaignBody>;

const version = z.number().int().min(1);

export const updateCampaignBody = z
  .strictObject({ version, ...fields })
  .partial()
  .required({ version: true })
  .superRefine(windowInOrder)
  .superRefine(noPerOrderBanner)
  .refine((b) => Object.keys(b).length > 1, said('変更する項目を1つ以上指定してください。', 'name at least one field to change'));
export type UpdateCampaignInput = z.output<typeof updateCampaignBody>;

export const campaignActionBody = z.strictObject({ version });

export const campaignParams = shopIdParams.extend({ id: z.uuid({ message: said('お知らせの ID の形式が正しくありません。', 'expected a campaign id (UUID)') }) });
export const campaignActions = ['publish', 'pause', 'resume', 'cancel', 'retry-failed', 'end'] as const;

export const audienceBody = z.strictObject({ target: campaignTarget });

export const recipientsQuery = z.strictObject({
  status: z.enum(recipientStatuses).optional(),
  after: z.uuid({ message: said('続きの位置が正しくありません。', 'expected the `next` of the previous page') }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const counts = z.object({ total: z.number(), queued: z.number(), sent: z.number(), failed: z.number(), suppressed: z.number(), cancelled: z.number() });

export const campaignView = z.object({
  id: z.uuid(),
  shopId: z.uuid(),
  name: z.string(),
  type: z.enum(noticeTypes),
  templateVersionId: z.string().nullable(),
  variables: z.record(z.string(), z.unknown()),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  channels: campaignChannels,
  target: z.record(z.string(), z.unknown()),
  status: z.enum(campaignStatuses),
  counts,
  version: z.number(),
  publishedAt: z.string().nullable(),
  /** Set when a scheduled notice went back to draft at its start because it no longer held then (the reasons at their fields); null otherwise. */
  startFailure: z.object({ at: z.string(), details: z.array(z.object({ path: z.string(), message: z.string(), ja: z.string() })) }).nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const audienceView = z.object({
  orders: z.number(),
  customers: z.number(),
  byPrefecture: z.array(z.object({ prefecture: z.string().nullable(), orders: z.number() })),
  byCarrier: z.array(z.object({ carrier: z.string().nullable(), orders: z.number() })),
  sample: z.array(z.object({ orderNumber: z.string(), orderedAt: z.string(), customerName: z.string(), email: z.string(), prefecture: z.string().nullable(), carrier: z.string().nullable() })),
  unknownOrderNumbers: z.array(z.object({ line: z.number(), value: z.string() })),
});

export const recipientView = z.object({
  id: z.uuid(),
  email: z.string(),
  customerName: z.string(),
  orderNumbers: z.array(z.string()),
  status: z.enum(recipientStatuses),
  reason: z.string().nullable(),
  sentAt: z.string().nullable(),
});

/** The answers as the console reads them (CONTRACT13), from the same schemas the routes document. */
export type CampaignJson = z.infer<typeof campaignView>;
export type AudienceJson = z.infer<typeof audienceView>;
export type RecipientJson = z.infer<typeof recipientView>;
export type CampaignCreateBody = z.input<typeof createCampaignBody>;
export type CampaignTargetJson = z.input<typeof campaignTarget>;

/* ---------- answers: the public banner (notices.public.test.ts holds it to a real answer) ---------- */

const rendered = z.strictObject({
  headline: z.string().describe("the banner's one-line headline, as text"),
  html: z.string().describe('the notice as HTML, its variables escaped by the renderer'),
});

/** GET /shops/:shopId/notices/active: ActiveNotices' body (notices.public.ts), what the one-tag embed reads. */
export const activeNoticesView = z.strictObject({
  shopId: z.uuid(),
  notices: z
    .array(
      z.strictObject({
        id: z.uuid(),
        type: z.enum(noticeTypes),
        startsAt: isoTime,
        endsAt: isoTime.nullable().describe('ISO 8601, UTC, milliseconds; null when no end is set'),
        ja: rendered,
        en: rendered,
      }),
    )
    .describe('the published notices with a banner showing now; one whose promised next update is past, or that no longer renders, is left off'),
});

// The reference and the answer are one shape (Same, core/openapi.ts).
const activeIsTheAnswer: Same<z.output<typeof activeNoticesView>, ActiveNotices['body']> = true;
