import { z } from 'zod';
import { japaneseOf, said, type Bilingual } from '../../core/messages.ts';

/**
 * The six delay notices a shop sends (../shared/domain-jp.md, "Delay notices"): each has its
 * variables, declared once here as data. The zod schemas, the console's variables form (GET
 * /api/notice-types) and the renderer's check of which names a template may use all come from
 * these declarations, so a variable cannot exist in one and be missing in another.
 */
export const noticeTypes = ['seasonal', 'weather', 'lead_time', 'shop_delay', 'shipment_exception', 'returned_to_sender'] as const;
export type NoticeType = (typeof noticeTypes)[number];
export type NoticeLang = 'ja' | 'en';
export const noticeLangs: readonly NoticeLang[] = ['ja', 'en'];

export const noticeTypeNames: Record<NoticeType, Bilingual> = {
  seasonal: { ja: '繁忙期の配送遅延', en: 'Peak-season delays' },
  weather: { ja: '天候・災害による遅延', en: 'Weather or disaster delays' },
  lead_time: { ja: 'お届け日数の変更', en: 'Delivery lead-time change' },
  shop_delay: { ja: '発送の遅れ（ショップ都合）', en: 'Shipping delay on our side' },
  shipment_exception: { ja: '配送状況の確認（荷物の遅れ）', en: 'Shipment exception' },
  returned_to_sender: { ja: 'お荷物の返送', en: 'Parcel returned to us' },
};

/**
 * Notices about a customer's own order (its shipping, its parcel): mailed and chatted to the
 * customers concerned, never shown on the shop's public pages, which anyone can read.
 */
export const perOrderTypes: readonly NoticeType[] = ['shop_delay', 'shipment_exception', 'returned_to_sender'];
export const isPerOrderType = (type: string) => (perOrderTypes as readonly string[]).includes(type);
/** The channels a new campaign of a type starts with: a banner only for notices the public may read. */
export const defaultChannels = (type: NoticeType) => ({ banner: !isPerOrderType(type), mail: true, chat: isPerOrderType(type) });

export const variableKinds = ['text', 'date', 'datetime', 'number', 'list', 'url'] as const;
export type VariableKind = (typeof variableKinds)[number];

export interface VariableSpec {
  name: string;
  kind: VariableKind;
  required: boolean;
  label: Bilingual;
  /** A closed set of values (kind text or list), each shown in the reader's language. */
  choices?: { value: string; label: Bilingual }[];
  /** A list a template shows one item per line (`{{#each}}`) instead of joined into one phrase. */
  lines?: boolean;
}

const season = [
  { value: 'ochugen', label: { ja: 'お中元', en: 'summer gift (ochugen)' } },
  { value: 'oseibo', label: { ja: 'お歳暮', en: 'year-end gift (oseibo)' } },
  { value: 'nenmatsu', label: { ja: '年末年始', en: 'New Year holiday' } },
];
const delayOptions = [
  { value: 'wait', label: { ja: '入荷を待って、まとめて発送する', en: 'wait until everything is in stock and ship it together' } },
  { value: 'partial', label: { ja: 'ご用意できている商品を先に発送する（追加の送料はいただきません）', en: 'ship the items we have now first (at no extra shipping cost)' } },
  { value: 'cancel', label: { ja: 'ご注文をキャンセルし、全額を返金する', en: 'cancel the order for a full refund' } },
];
const delayCauses = [
  { value: 'stock', label: { ja: '仕入れ先からの入荷が遅れている', en: 'our supplier is late delivering to us' } },
  { value: 'surge', label: { ja: '想定を大きく上回るご注文をいただいている', en: 'we have received far more orders than we prepared for' } },
  { value: 'making', label: { ja: '商品の製作に想定以上の時間がかかっている', en: 'making the items is taking longer than planned' } },
];
const returnReasons = [
  { value: 'absence', label: { ja: 'ご不在が続き、配送業者の保管期間が過ぎた', en: 'nobody was home and the carrier’s holding period ended' } },
  { value: 'refused', label: { ja: 'お受け取りいただけなかった', en: 'the parcel was not accepted at delivery' } },
  { value: 'address', label: { ja: 'お届け先のご住所が見つからなかった', en: 'the carrier could not find the delivery address' } },
];

const v = (name: string, kind: VariableKind, required: boolean, ja: string, en: string, more: Partial<VariableSpec> = {}): VariableSpec => ({
  name,
  kind,
  required,
  label: { ja, en },
  ...more,
});

/**
 * A campaign's variables are what all its recipients share (dates, cause, options, deadlines).
 * What belongs to one order (its number, when it was placed, its carrier and tracking number)
 * is never a variable: one customer's order number would go to every recipient. Each mail lists
 * the recipient's own orders with those facts (NoticeContext.recipient.orders, notices.render.ts).
 */
export const noticeVariableSpecs: Record<NoticeType, VariableSpec[]> = {
  seasonal: [
    v('season', 'text', true, '時期', 'Season', { choices: season }),
    v('period_from', 'date', true, '混雑期間（開始日）', 'Busy period from'),
    v('period_to', 'date', true, '混雑期間（終了日）', 'Busy period to'),
    v('carrier', 'text', true, '配送業者', 'Carrier'),
    v('extra_days', 'number', true, '遅れの見込み（日数）', 'Expected extra days'),
    v('regions', 'list', true, '対象地域', 'Regions'),
    v('gift_order_cutoff', 'date', false, 'ご進物のご注文締切日', 'Order-by date for gifts'),
  ],
  weather: [
    v('event', 'text', true, '原因（台風・大雪など）', 'Cause (typhoon, snow, …)'),
    v('as_of', 'datetime', true, '情報の時点', 'As of'),
    v('regions', 'list', false, '対象地域', 'Regions'),
    v('postcode_prefixes', 'list', false, '対象の郵便番号（上2桁）', 'Postcode prefixes (first two digits)'),
    v('suspended_areas', 'list', false, '集荷・配達の停止地域', 'Areas where service is suspended'),
    v('carrier', 'text', false, '配送業者', 'Carrier'),
    v('extra_days', 'number', false, '遅れの見込み（日数）', 'Expected extra days'),
    v('next_update_at', 'datetime', true, '次回のお知らせ予定', 'Next update at'),
    v('carrier_status_url', 'url', false, '配送業者の運行状況ページ', 'Carrier status page'),
  ],
  lead_time: [
    v('old_lead_time', 'number', true, '変更前のお届け日数（発送から）', 'Days to deliver before (from shipping)'),
    v('new_lead_time', 'number', true, '変更後のお届け日数（発送から）', 'Days to deliver after (from shipping)'),
    v('regions', 'list', true, '対象地域', 'Regions'),
    v('origin', 'text', false, '発送元', 'Shipped from'),
    v('carrier', 'text', false, '配送業者', 'Carrier'),
    v('effective_date', 'date', true, '変更日', 'Effective date'),
  ],
  shop_delay: [
    v('cause', 'text', true, '遅れの理由', 'Cause', { choices: delayCauses }),
    v('items', 'list', true, '遅れている商品', 'Delayed items', { lines: true }),
    v('original_ship_date', 'date', true, '当初の発送予定日', 'Original shipping date'),
    v('new_ship_date', 'date', false, '新しい発送予定日', 'New shipping date'),
    v('next_update_at', 'datetime', false, '次回のお知らせ予定', 'Next update at'),
    v('options', 'list', true, 'お選びいただける対応', 'Options offered', { choices: delayOptions, lines: true }),
    v('reply_by', 'date', false, 'ご返信の期限', 'Reply by'),
  ],
  shipment_exception: [
    v('last_scan_at', 'datetime', true, '最後の追跡記録', 'Last tracking scan'),
    v('old_expected_date', 'date', true, '当初のお届け予定日', 'Original expected date'),
    v('new_expected_date', 'date', false, '新しいお届け予定日', 'New expected date'),
    v('next_update_at', 'datetime', false, '次回のお知らせ予定', 'Next update at'),
  ],
  returned_to_sender: [
    v('reason', 'text', true, '返送の理由', 'Why it came back', { choices: returnReasons }),
    v('storage_deadline', 'date', true, 'ショップでの保管期限', 'We hold it until'),
    v('redelivery_steps', 'list', true, '再発送の手順', 'How to have it sent again', { lines: true }),
    v('fee_policy', 'text', true, '再発送の送料について', 'Who pays the new shipping'),
  ],
};

export const noticesMessages = {
  date: { ja: '日付を 2026-12-04 の形式で入力してください。', en: 'a date as YYYY-MM-DD' },
  datetime: { ja: '日時を 2026-12-04T09:00:00+09:00 の形式で入力してください。', en: 'a date and time with its offset, e.g. 2026-12-04T09:00:00+09:00' },
  url: { ja: 'https:// または http:// で始まるURLを入力してください。', en: 'an http(s) URL' },
  days: { ja: '1〜60の整数（日数）で入力してください。', en: 'a whole number of days from 1 to 60' },
  line: { ja: '1行で入力してください（改行や制御文字は使えません）。', en: 'one line of text, without control characters' },
  choice: { ja: '選択肢の中から選んでください。', en: 'one of the offered choices' },
  regionsOrPostcodes: { ja: '対象地域か郵便番号のどちらかを入力してください。', en: 'name the regions or the postcode prefixes' },
  postcodePrefix: { ja: '郵便番号の上2桁（例：90）で入力してください。', en: 'the first two digits of a postcode, e.g. 90' },
  newDateOrUpdate: { ja: '新しい日付が未定のときは、次回のお知らせ予定を入力してください。', en: 'without a new date, give the time of the next update' },
  periodOrder: { ja: '終了日は開始日以降の日付にしてください。', en: 'the end of the period must not be before its start' },
  leadTimeOrder: { ja: '変更後のお届け日数は変更前より長くしてください。', en: 'the new lead time must be longer than the old one' },
  shipDateOrder: { ja: '新しい発送予定日は当初の予定日より後の日付にしてください。', en: 'the new shipping date must be after the original one' },
  expectedOrder: { ja: '新しいお届け予定日は当初の予定日より後の日付にしてください。', en: 'the new expected date must be after the original one' },
  updateAfterAsOf: { ja: '次回のお知らせ予定は情報の時点より後にしてください。', en: 'the next update must come after the as-of time' },
  updateAfterScan: { ja: '次回のお知らせ予定は最後の追跡記録より後にしてください。', en: 'the next update must come after the last tracking scan' },
} satisfies Record<string, Bilingual>;
/** A detail of a 400 or 409 at a field, in both languages: `en` is a message registered with said(). */
export const atField = (path: string, en: string, more: Record<string, unknown> = {}) => ({ in: 'body' as const, path, message: en, ja: japaneseOf(en) ?? en, ...more });

const m = Object.fromEntries(Object.entries(noticesMessages).map(([k, b]) => [k, said(b.ja, b.en)])) as Record<keyof typeof noticesMessages, string>;

const line = z.string().trim().min(1).max(200).regex(/^[^\p{Cc}]*$/u, m.line);
/**
 * Free text is one line, or the same in both languages ({ ja: '大雪', en: 'heavy snow' }) so an
 * English notice need not show Japanese; a plain string is shown in both.
 */
const translatable = z.union([line, z.strictObject({ ja: line, en: line })]);
function fieldSchema(s: VariableSpec): z.ZodType {
  const values = s.choices?.map((c) => c.value) as [string, ...string[]] | undefined;
  switch (s.kind) {
    case 'text':
      return values ? z.enum(values, { message: m.choice }) : translatable;
    case 'date':
      return z.iso.date({ message: m.date });
    case 'datetime':
      return z.iso.datetime({ offset: true, message: m.datetime });
    case 'number':
      return z.number({ message: m.days }).int(m.days).min(1, m.days).max(60, m.days);
    case 'url':
      return z.url({ protocol: /^https?$/, message: m.url }).max(500);
    case 'list': {
      const item = values ? z.enum(values, { message: m.choice }) : s.name === 'postcode_prefixes' ? z.string().regex(/^\d{2}$/, m.postcodePrefix) : translatable;
      return z.array(item).min(1).max(50);
    }
  }
}

type Vars = Record<string, unknown>;
type Check = (v: Vars, ctx: z.RefinementCtx) => void;
const issue = (ctx: z.RefinementCtx, path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
/** Dates compare as strings (YYYY-MM-DD) and datetimes as instants. */
const at = (s: unknown) => new Date(String(s)).getTime();
const dateOrUpdate = (date: string): Check => (x, ctx) => {
  if (x[date] === undefined && x.next_update_at === undefined) issue(ctx, 'next_update_at', m.newDateOrUpdate);
};

/** Rules between variables; rules against the as-of time are the renderer's (notices.render.ts). */
const crossChecks: Record<NoticeType, Check[]> = {
  seasonal: [(x, ctx) => void (String(x.period_to) < String(x.period_from) && issue(ctx, 'period_to', m.periodOrder))],
  weather: [
    (x, ctx) => void (x.regions === undefined && x.postcode_prefixes === undefined && issue(ctx, 'regions', m.regionsOrPostcodes)),
    (x, ctx) => void (at(x.next_update_at) <= at(x.as_of) && issue(ctx, 'next_update_at', m.updateAfterAsOf)),
  ],
  lead_time: [(x, ctx) => void (Number(x.new_lead_time) <= Number(x.old_lead_time) && issue(ctx, 'new_lead_time', m.leadTimeOrder))],
  shop_delay: [
    dateOrUpdate('new_ship_date'),
    (x, ctx) => void (x.new_ship_date !== undefined && String(x.new_ship_date) <= String(x.original_ship_date) && issue(ctx, 'new_ship_date', m.shipDateOrder)),
  ],
  shipment_exception: [
    dateOrUpdate('new_expected_date'),
    (x, ctx) => void (x.new_expected_date !== undefined && String(x.new_expected_date) <= String(x.old_expected_date) && issue(ctx, 'new_expected_date', m.expectedOrder)),
    (x, ctx) => void (x.next_update_at !== undefined && at(x.next_update_at) <= at(x.last_scan_at) && issue(ctx, 'next_update_at', m.updateAfterScan)),
  ],
  returned_to_sender: [],
};

function schemaOf(type: NoticeType) {
  const shape = Object.fromEntries(noticeVariableSpecs[type].map((s) => [s.name, s.required ? fieldSchema(s) : fieldSchema(s).optional()]));
  // The cross-field rules run only on fields that passed their own schema (zod 4 skips refinements on a failed object).
  return z.strictObject(shape).superRefine((x, ctx) => crossChecks[type].forEach((c) => c(x as Vars, ctx)));
}

/** The variable schemas: strict objects, so an unknown variable is an error and not silently dropped. */
export const noticeVariables = Object.fromEntries(noticeTypes.map((t) => [t, schemaOf(t)])) as unknown as Record<NoticeType, z.ZodType<Record<string, unknown>>>;

/**
 * Sample values, as of 3 December 2026 21:00 JST ({@link noticeSampleAsOf}): what the editor's
 * preview shows and what every saved wording must render with.
 */
export const noticeSampleAsOf = new Date('2026-12-03T21:00:00+09:00');
export const noticeSamples: Record<NoticeType, Record<string, unknown>> = {
  seasonal: {
    season: 'oseibo',
    period_from: '2026-12-01',
    period_to: '2026-12-25',
    carrier: 'ヤマト運輸',
    extra_days: 2,
    regions: [{ ja: '北海道', en: 'Hokkaido' }, { ja: '東北地方', en: 'Tohoku' }, { ja: '沖縄県', en: 'Okinawa' }],
    gift_order_cutoff: '2026-12-18',
  },
  weather: {
    event: { ja: '大雪', en: 'heavy snow' },
    as_of: '2026-12-03T21:00:00+09:00',
    regions: [{ ja: '北海道', en: 'Hokkaido' }, { ja: '青森県', en: 'Aomori' }, { ja: '秋田県', en: 'Akita' }],
    suspended_areas: [{ ja: '北海道旭川市', en: 'Asahikawa, Hokkaido' }, { ja: '北海道北見市', en: 'Kitami, Hokkaido' }],
    carrier: 'ヤマト運輸',
    extra_days: 2,
    next_update_at: '2026-12-04T12:00:00+09:00',
    carrier_status_url: 'https://www.kuronekoyamato.co.jp/ytc/info/',
  },
  lead_time: {
    old_lead_time: 1,
    new_lead_time: 2,
    regions: [{ ja: '中国地方', en: 'Chugoku' }, { ja: '四国地方', en: 'Shikoku' }, { ja: '九州地方', en: 'Kyushu' }],
    origin: { ja: '東京都', en: 'Tokyo' },
    carrier: '佐川急便',
    effective_date: '2026-12-14',
  },
  shop_delay: {
    cause: 'stock',
    items: [{ ja: '手織りリネンのストール（生成り）', en: 'Hand-woven linen stole (natural)' }],
    original_ship_date: '2026-12-04',
    new_ship_date: '2026-12-11',
    options: ['wait', 'partial', 'cancel'],
    reply_by: '2026-12-07',
  },
  shipment_exception: {
    last_scan_at: '2026-12-01T18:40:00+09:00',
    old_expected_date: '2026-12-02',
    next_update_at: '2026-12-04T18:00:00+09:00',
  },
  returned_to_sender: {
    reason: 'absence',
    storage_deadline: '2026-12-17',
    redelivery_steps: [
      { ja: '下記のお問い合わせ先まで、ご希望のお届け日時をお知らせください', en: 'Tell us, at the contact below, when you would like it delivered' },
      { ja: 'お届け先が変わった場合は、新しいご住所もお書き添えください', en: 'If your address has changed, please include the new one' },
    ],
    fee_policy: { ja: '再発送の送料（全国一律800円）はお客さまのご負担となります。', en: 'The shipping cost of sending it again (a flat ¥800) is yours to pay.' },
  },
};

/** Wording parts, each written in Japanese and English. */
export const noticeParts = ['subject', 'body', 'banner', 'chat'] as const;
export type NoticePart = (typeof noticeParts)[number];
/** The text a shop edits and a version stores: each part in each language. */
export type NoticeText = Record<NoticePart, Record<NoticeLang, string>>;
/** The wording a campaign renders: the text and the type whose variables it uses. */
export type NoticeWording = NoticeText & { type: NoticeType };

/** Longest source of each part, in characters: a template beyond these is an error, not a truncation. */
export const partLimits: Record<NoticePart, number> = { subject: 200, body: 8000, banner: 400, chat: 600 };

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
  chat: string;
  /** The banner's one-line headline as text (the html carries it too). */
  banner: string;
}

/** One of the recipient's own orders, as its mail lists it. */
export interface NoticeOrder {
  orderNumber: string;
  orderedAt: Date;
  /** As on the order (shipped ones): the customer's own parcel, never another's. */
  carrier?: string | null;
  trackingNumber?: string | null;
}

/** What a notice is rendered for: the shop, and for a mail the recipient and its matching orders. */
export interface NoticeContext {
  shop: { name: string; contact?: string };
  recipient?: { name: string; orders: NoticeOrder[] };
  /** When the notice speaks (「12月3日 21時現在」); now when not given. */
  asOf?: Date;
}
