import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { plainText, shopIdParams } from '../shops/shops.schema.ts';

export const SHORTCUT = /^[a-z0-9_-]{1,32}$/;

/** A template body: several lines allowed, but no other control characters (tabs are fine). */
const templateBody = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, said('タブと改行以外の制御文字は使えません。', 'text without control characters other than tabs and line breaks'));

const fields = {
  shortcut: z.string().regex(SHORTCUT, said('ショートカットは半角の英小文字・数字・「_」「-」で、32文字以内にしてください。', 'lower-case letters, digits, "_" or "-", at most 32')),
  title: plainText(120),
  bodyJa: templateBody(5000).refine((s) => s.trim().length > 0, said('日本語の本文を入力してください。', 'the Japanese text is required')),
  /** Optional: a shop that writes only Japanese leaves it empty and English renders the Japanese. */
  bodyEn: templateBody(5000),
};

export const createCannedBody = z.strictObject({ ...fields, bodyEn: fields.bodyEn.default('') });
export const updateCannedBody = z
  .strictObject(fields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, said('変更する項目を1つ以上指定してください。', 'name at least one field to change'));
export type CreateCannedInput = z.output<typeof createCannedBody>;
export type UpdateCannedInput = z.output<typeof updateCannedBody>;

export const cannedParams = shopIdParams.extend({ id: z.uuid({ message: said('定型文の ID の形式が正しくありません。', 'expected a canned reply id (UUID)') }) });

export const previewBody = z.strictObject({
  conversationId: z.uuid({ message: said('会話の ID の形式が正しくありません。', 'expected a conversation id (UUID)') }).optional(),
  locale: z.enum(['ja', 'en']).optional(),
});
export type PreviewInput = z.output<typeof previewBody>;

/** An unsaved reply, rendered while it is being written (the editor's live preview). */
export const draftPreviewBody = previewBody.extend({ bodyJa: fields.bodyJa, bodyEn: fields.bodyEn.default('') });
export type DraftPreviewInput = z.output<typeof draftPreviewBody>;

export const cannedView = z.object({
  id: z.uuid(),
  shortcut: z.string(),
  title: z.string(),
  bodyJa: z.string(),
  bodyEn: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
