import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { plainText, shopIdParams } from '../shops/shops.schema.ts';
import { bilingualText as bilingual } from '../../core/messages.ts';
import { isoTime as time, type Same } from '../../core/openapi.ts';
import type { NoticeTypeList } from './notices.templates.service.ts';
import { noticeParts, noticeTypes, partLimits, variableKinds, type NoticePart } from './notices.types.ts';

const m = {
  type: said('お知らせの種類を選んでください。', 'one of the notice types'),
  id: said('テンプレートの ID の形式が正しくありません。', 'expected a notice template id (UUID)'),
  versionId: said('テンプレートの版の ID の形式が正しくありません。', 'expected a notice template version id (UUID)'),
  controls: said('タブと改行以外の制御文字は使えません。', 'text without control characters other than tabs and line breaks'),
  orderNumber: said('注文番号を1行で入力してください。', 'an order number, on one line'),
};

export const noticeTypeSchema = z.enum(noticeTypes, { message: m.type });

/** One part's source; the limits are also the renderer's, so the editor and the API agree. */
const source = (part: NoticePart) =>
  z
    .string()
    .max(partLimits[part], said(`この欄は${partLimits[part]}文字以内にしてください。`, `at most ${partLimits[part]} characters in this part of the wording`))
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, m.controls);

/** The wording a shop edits: subject, body, banner and chat, each in Japanese and English. */
export const noticeTextSchema = z.strictObject(Object.fromEntries(noticeParts.map((p) => [p, z.strictObject({ ja: source(p), en: source(p) })])) as Record<NoticePart, z.ZodObject<{ ja: z.ZodString; en: z.ZodString }>>);

export const templateParams = shopIdParams.extend({ id: z.uuid({ message: m.id }) });

export const createTemplateBody = z.strictObject({
  type: noticeTypeSchema,
  name: plainText(80),
  copyOf: z.uuid({ message: m.versionId }).optional(),
});

export const saveVersionBody = z.strictObject({
  wording: noticeTextSchema,
  /** The version number the editor started from; it must still be the latest. */
  baseVersion: z.number().int().min(1),
});

export const previewBody = z.strictObject({
  type: noticeTypeSchema,
  templateVersionId: z.uuid({ message: m.versionId }).nullable().optional(),
  /** An unsaved wording (the editor's live preview); else the version, else the built-in wording. */
  wording: noticeTextSchema.optional(),
  variables: z.record(z.string(), z.unknown()),
  /** A real order of the shop: its customer's name and number fill the mail's greeting and order list. */
  orderNumber: z.string().trim().min(1).max(64).regex(/^[^\p{Cc}]*$/u, m.orderNumber).optional(),
  /** The moment the notice speaks; the sample values are written for `sampleAsOf` of GET /api/notice-types. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});
export type PreviewInput = z.output<typeof previewBody>;

const rendered = z.object({ subject: z.string(), text: z.string(), html: z.string(), chat: z.string(), banner: z.string() });
export const previewView = z.object({ ja: rendered, en: rendered });
const versionView = z.object({ id: z.uuid(), version: z.number().int(), createdAt: z.string() });
export const templateListView = z.object({ templates: z.array(z.object({ id: z.uuid(), type: noticeTypeSchema, name: z.string(), latestVersion: versionView })) });
export const templateView = z.object({
  id: z.uuid(),
  type: noticeTypeSchema,
  name: z.string(),
  versions: z.array(versionView.extend({ createdBy: z.string().nullable() })),
  wording: noticeTextSchema,
});
export const savedVersionView = versionView.extend({ createdBy: z.string().nullable() });

/* ---------- answers (the API reference; notices.templates.test.ts holds them to real answers) ---------- */


/** GET /api/notice-types: NoticeTypeList (notices.templates.service.ts) and the moment its samples are written for. */
export const noticeTypesView = z.strictObject({
  types: z.array(
    z.strictObject({
      type: z.enum(noticeTypes),
      name: bilingual,
      perOrder: z.boolean().describe("about customers' own orders: mail and chat only, never a banner"),
      channels: z.strictObject({ banner: z.boolean(), mail: z.boolean(), chat: z.boolean() }).describe('the channels a new campaign of the type starts with'),
      variables: z
        .array(
          z.strictObject({
            name: z.string(),
            kind: z.enum(variableKinds),
            required: z.boolean(),
            label: bilingual,
            choices: z.array(z.strictObject({ value: z.string(), label: bilingual })).optional().describe('a closed set of values (kind text or list); absent when any value goes'),
            lines: z.boolean().optional().describe('a list shown one item per line; absent otherwise'),
          }),
        )
        .describe('in the order of the variables form'),
      sample: z.record(z.string(), z.unknown()).describe('a value for each variable the sample uses, by name, written as of sampleAsOf'),
      wording: noticeTextSchema.describe('the built-in wording'),
    }),
  ),
  sampleAsOf: time.describe('the moment the samples are written for; ISO 8601, UTC, milliseconds'),
});

// The reference and the answer are one shape (Same, core/openapi.ts).
const noticeTypesIsTheAnswer: Same<z.output<typeof noticeTypesView>, NoticeTypeList & { sampleAsOf: string }> = true;
