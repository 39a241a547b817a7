import { localize } from '../../server/domains/returns/returns.messages.ts';
import { localizeShopMessage } from '../../server/domains/shops/shops.messages.ts';
import type { Lang } from './i18n.ts';

/**
 * The server's 400 details, by the field path they name ("windowDaysByTag.0.tag"). Every detail
 * carries `message` (English) and `ja` (server/core/messages.ts), so a form shows the server's
 * own rule in the reader's language without a copy of it here.
 */
export type FieldErrors = Map<string, string[]>;

/** The Japanese the server sent beside an English message, remembered for {@link readable}. */
const heard = new Map<string, string>();

/**
 * The details by field. With `lang`, the messages are already in that language; without it they
 * stay English and go through {@link readable} where they are shown (the terms editor).
 */
export function fieldErrors(details: unknown, lang?: Lang): FieldErrors {
  const out: FieldErrors = new Map();
  if (!Array.isArray(details)) return out;
  for (const d of details as unknown[]) {
    const { path, message, ja } = (typeof d === 'object' && d !== null ? d : {}) as { path?: unknown; message?: unknown; ja?: unknown };
    if (typeof message !== 'string' || !message) continue;
    if (typeof ja === 'string' && ja) heard.set(message, ja);
    const at = typeof path === 'string' ? path : '';
    out.set(at, [...(out.get(at) ?? []), lang ? readable(message, lang) : message]);
  }
  return out;
}

/**
 * A server message in the reader's language: the Japanese the server sent with it, or the twin
 * from the domains' message tables; anything else, in a Japanese console, is told as "check this
 * field" rather than shown in English.
 */
export function readable(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  return heard.get(message) ?? localize(message)?.ja ?? localizeShopMessage(message)?.ja ?? 'この項目の入力内容を確認してください。';
}

/** The messages for a field and everything under it ("deductions" takes "deductions.transferFee"). */
export const errorsAt = (errors: FieldErrors, path: string, exact = false) =>
  [...errors].filter(([p]) => p === path || (!exact && p.startsWith(`${path}.`))).flatMap(([, ms]) => ms);
