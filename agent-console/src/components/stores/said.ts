import { ApiError } from '../../api.ts';
import type { Lang } from '../../i18n.ts';
import type { StoresMessages } from '../../i18n.stores.ts';
import { serverSays } from '../slack/said.ts';

/**
 * A failed store call for a banner: the store away (503), the server's own words for a refusal
 * (in the reader's language), or the general "did not work".
 */
export function problemText(e: unknown, m: StoresMessages, lang: Lang): string {
  if (!(e instanceof ApiError)) return m.failed;
  if (e.code === 'unavailable' || e.code === 'network') return m.unavailable;
  if (e.code === 'forbidden') return serverSays(e, lang) ?? m.notAllowed;
  if (e.code === 'conflict' || e.code === 'invalid_input' || e.code === 'not_found') return serverSays(e, lang) ?? m.failed;
  return m.failed;
}

/** A message the server sent in both languages ({ message, ja }), in the reader's. */
export const inLang = (said: { message: string | null; ja: string | null }, lang: Lang) => (lang === 'ja' ? (said.ja ?? said.message) : (said.message ?? said.ja)) ?? '';
