import { ApiError } from '../../api.ts';
import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import type { Lang } from '../../i18n.ts';
import type { SlackMessages } from '../../i18n.slack.ts';

const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

/**
 * What the server said, in the reader's language, when it said it in both: `details.say`
 * ({ ja, en }), a form-level detail with its `ja`, or a message written "日本語 / English" (the
 * house's way for a 409). Undefined when it spoke English only and the reader reads Japanese:
 * the caller then says it in its own words.
 */
export function serverSays(e: ApiError, lang: Lang): string | undefined {
  const say = (e.details as { say?: { ja?: unknown; en?: unknown } } | undefined)?.say;
  if (say && typeof say[lang] === 'string') return say[lang] as string;
  const formLevel = fieldErrors(e.details, lang).get('');
  if (formLevel?.length) return formLevel.join(' ');
  const split = e.message.indexOf(' / ');
  if (split > 0 && japanese.test(e.message.slice(0, split))) return lang === 'ja' ? e.message.slice(0, split) : e.message.slice(split + 3);
  if (lang === 'en' && e.message) return e.message;
  return undefined;
}

/**
 * A failed Slack call for a banner: Slack away (503), the server's own words for a refusal, or
 * the general "did not work".
 */
export function problemText(e: unknown, m: SlackMessages, lang: Lang): string {
  if (!(e instanceof ApiError)) return m.failed;
  if (e.code === 'unavailable' || e.code === 'network') return m.unavailable;
  if (e.code === 'conflict' || e.code === 'invalid_input' || e.code === 'forbidden') return serverSays(e, lang) ?? (e.code === 'forbidden' ? m.ownerOnly : m.failed);
  return m.failed;
}

/** A 400's details by field, in the reader's language. */
export const fieldsOf = (e: unknown, lang: Lang): FieldErrors => (e instanceof ApiError && e.code === 'invalid_input' ? fieldErrors(e.details, lang) : new Map());
