import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { japaneseOf, said } from '../../core/messages.ts';
import { orderNumber } from '../orders/orders.schema.ts';
import { localize } from './returns.messages.ts';
import { requestKinds, returnReasons } from './returns.model.ts';
import { fileReturnBody, type FileReturnBody } from './returns.schema.ts';

/**
 * The portal's forms as plain fields, and what it says when one is refused: Japanese first,
 * English beside it, never the reason in English alone (the pages render both lines).
 */

/** The order number as a customer types it: NFKC, so a Japanese keyboard's ＃１００１ is the #1001 the store sent. */
export const lookupForm = z.object({ orderNumber: z.string().transform((v) => v.normalize('NFKC').trim()).pipe(orderNumber), contact: z.string().trim().min(3).max(254).regex(/^[^\u0000]*$/) });
export const verifyForm = z.object({ challenge: z.string().min(10).max(64), code: z.string().trim().min(1).max(12) });
export const requestForm = z
  .object({
    kind: z.enum(requestKinds).default('return'),
    // The page's placeholder option sends "": asked for in words, not with zod's list of values.
    reason: z.enum(returnReasons, { error: said('理由を選んでください。', 'choose a reason') }),
    comment: z.string().max(2000).optional(),
    conditionsConfirmed: z.literal('on').optional(),
  })
  .catchall(z.string().max(2000));

export type Told = { ja: string; en: string };

/**
 * A form's problems in the customer's words, Japanese first: each message the returns schemas
 * give has both (returns.messages.ts, or said() in the schema). Anything else (zod's developer
 * English) is not shown: with nothing of ours, the page says only "check what you entered", once.
 */
function toldOfIssues(issues: readonly z.core.$ZodIssue[]): Told | null {
  const known = issues.map((i) => localize(i.message) ?? (japaneseOf(i.message) ? { ja: japaneseOf(i.message)!, en: i.message } : null)).filter((k): k is Told => !!k);
  if (!known.length) return null;
  return { ja: [...new Set(known.map((k) => k.ja))].join(''), en: [...new Set(known.map((k) => k.en))].join('; ') };
}

const invalidForm = (issues: readonly z.core.$ZodIssue[]) => {
  const say = toldOfIssues(issues);
  return new DomainError('invalid_input', say?.en ?? 'the form was not valid', say ? { say } : undefined);
};

/** A form that does not parse is the customer's mistake: a 400 page with the reason, never a 500. */
export function parseForm<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  // PostgreSQL cannot store NUL in text: refused here, with the page, not later as a 500.
  if (value && typeof value === 'object' && Object.values(value).some((v) => typeof v === 'string' && v.includes('\u0000'))) {
    throw new DomainError('invalid_input', 'the form holds a NUL character', { say: { ja: '使用できない文字が含まれています。', en: 'The form holds a character that cannot be used.' } });
  }
  const r = schema.safeParse(value);
  if (!r.success) throw invalidForm(r.error.issues);
  return r.data;
}

/** What the customer sees for an error: Japanese first, the English beside it. */
export const errorText: Record<string, [string, string]> = {
  not_found: ['お探しのご注文またはお申し込みが見つかりません。', 'We could not find that order or request.'],
  invalid_input: ['入力内容をご確認ください。', 'Please check what you entered.'],
  unauthenticated: ['有効期限が切れました。最初からやり直してください。', 'This has expired; please start again.'],
  rate_limited: ['試行回数が多すぎます。しばらくしてからお試しください。', 'Too many attempts; please try again later.'],
  conflict: ['状況が変わったため、この操作はできませんでした。ページを開き直してください。', 'The request changed meanwhile; please reload the page.'],
  invalid_transition: ['この操作は現在できません。', 'This cannot be done at this stage.'],
  forbidden: ['この操作はできません。', 'This is not allowed.'],
  unavailable: ['ただいま処理できません。少し時間をおいてからもう一度お試しください。', 'We cannot do this just now; please try again in a moment.'],
};

/** What a refusal says, when it says it in both languages: its own words, one of ours, or the failed checks of the terms. */
function toldOf(e: DomainError): Told | null {
  const d = (e.details ?? {}) as { say?: Told; checks?: Array<{ ja: string; en: string }> };
  if (d.say && typeof d.say.ja === 'string' && typeof d.say.en === 'string') return d.say;
  if (Array.isArray(d.checks) && d.checks.length) return { ja: d.checks.map((c) => `${c.ja}。`).join(''), en: d.checks.map((c) => c.en).join('; ') };
  return localize(e.message);
}

/** What the customer sees for a refusal: the reason in Japanese first, in English beside it; never English alone. */
export const errorOf = (e: DomainError): Told => {
  const [ja, en] = errorText[e.code] ?? errorText.invalid_input!;
  const told = toldOf(e);
  if (told) return { ja: `${ja}${told.ja}`, en: `${en} ${told.en}` };
  return { ja, en: e.code === 'rate_limited' ? `${en} (${e.message})` : en };
};

/** The form's `qty_<line>` fields as the filing's items; zero and empty mean "not this line". */
export function askFrom(form: z.output<typeof requestForm>, orderNumber: string): FileReturnBody {
  const items = Object.entries(form)
    .filter(([k, v]) => /^qty_\d{1,3}$/.test(k) && typeof v === 'string' && v.trim() !== '' && v.trim() !== '0')
    .map(([k, v]) => ({ lineNo: Number(k.slice(4)), quantity: Number((v as string).normalize('NFKC').trim()) }));
  const bankFields = ['bankName', 'branchName', 'accountType', 'accountNumber', 'holderKana'] as const;
  const bankAccount = bankFields.some((f) => typeof form[f] === 'string' && form[f]!.trim()) ? Object.fromEntries(bankFields.map((f) => [f, form[f] ?? ''])) : undefined;
  const parsed = fileReturnBody.safeParse({
    orderNumber,
    kind: form.kind,
    reason: form.reason,
    items,
    conditionsConfirmed: form.conditionsConfirmed === 'on',
    ...(form.comment?.trim() ? { comment: form.comment.trim() } : {}),
    ...(bankAccount ? { bankAccount } : {}),
  });
  if (!parsed.success) throw invalidForm(parsed.error.issues);
  return parsed.data;
}

/** The hidden fields that carry a reviewed request to its submission. */
export const hiddenFields = (b: FileReturnBody) => [
  { name: 'kind', value: b.kind },
  { name: 'reason', value: b.reason },
  ...(b.comment ? [{ name: 'comment', value: b.comment }] : []),
  ...(b.conditionsConfirmed ? [{ name: 'conditionsConfirmed', value: 'on' }] : []),
  ...b.items.map((i) => ({ name: `qty_${i.lineNo}`, value: String(i.quantity) })),
];

/**
 * What the customer entered, as far as it reads, to fill the order form in again after a
 * refusal: the kind, the reason, the comment, the confirmation and each quantity that is a
 * number. Nothing here is trusted; the next submission is parsed afresh.
 */
export function enteredOf(b: unknown): Partial<FileReturnBody> {
  const o = (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
  const items = Object.entries(o)
    .filter(([k, v]) => /^qty_\d{1,3}$/.test(k) && typeof v === 'string' && /^\d{1,4}$/.test(v.normalize('NFKC').trim()))
    .map(([k, v]) => ({ lineNo: Number(k.slice(4)), quantity: Number((v as string).normalize('NFKC').trim()) }))
    .filter((i) => i.quantity > 0);
  return {
    kind: requestKinds.find((k) => k === o.kind),
    reason: returnReasons.find((r) => r === o.reason),
    comment: typeof o.comment === 'string' ? o.comment.slice(0, 2000) : undefined,
    conditionsConfirmed: o.conditionsConfirmed === 'on',
    items,
  };
}
