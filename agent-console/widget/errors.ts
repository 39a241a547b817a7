/**
 * What the customer is told when the server refuses something, in the page's language with
 * the other after it, chosen by the error's code (and, for a form, by the field it names).
 * Never the server's own `message`: it is written for developers, in English, and names
 * schemas, Content-Types and tokens. Every refusal the widget shows goes through here.
 */
import { ApiError } from './api.ts';
import { AckError } from './connection.ts';
import type { I18n, TextKey } from './i18n.ts';

/** The code of a refusal: the server's error code, `network` when nothing answered. */
function codeOf(e: unknown): { code: string; status: number } {
  if (e instanceof ApiError) return { code: e.status === 0 ? 'network' : e.code, status: e.status };
  if (e instanceof AckError) return { code: e.code, status: 0 };
  return { code: 'network', status: 0 }; // no answer in time, or no connection
}

/** Something that passes by itself: the server's dependency away, too many tries, no answer. */
const later = (code: string, status: number) => code === 'network' || code === 'unavailable' || code === 'rate_limited' || code === 'internal' || status >= 500;

/** The fields an `invalid_input` answer names (its details' paths). */
function fields(e: unknown): string[] {
  const details = e instanceof ApiError || e instanceof AckError ? e.details : undefined;
  if (!Array.isArray(details)) return [];
  return details.map((d: unknown) => (d && typeof d === 'object' && 'path' in d ? String((d as { path: unknown }).path).split('.')[0]! : '')).filter(Boolean);
}

/** A file the server refused, or one that could not be uploaded. */
export function fileRefusal(t: I18n, e: unknown): string {
  const { code, status } = codeOf(e);
  if (code === 'unsupported_media_type') {
    // The server says what it found in the bytes when the file claimed an allowed type but is not one.
    const d = e instanceof ApiError ? e.details : undefined;
    return t.both(d && typeof d === 'object' && 'detected' in d ? 'fileMismatch' : 'fileType');
  }
  if (code === 'payload_too_large') return t.both('fileTooLarge');
  if (later(code, status)) return t.both('fileLater');
  return t.both('uploadFailed');
}

const prechatFields: Record<string, TextKey> = { name: 'badName', email: 'badEmail', orderNumber: 'badOrderNumber' };

/** The pre-chat form (name, email, order number) refused, field by field where the server says which. */
export function prechatRefusal(t: I18n, e: unknown): string {
  const { code, status } = codeOf(e);
  if (code === 'invalid_input') {
    const keys = [...new Set(fields(e).map((f) => prechatFields[f]).filter((k): k is TextKey => !!k))];
    if (keys.length) return t.both(keys);
  }
  if (code === 'rate_limited') return t.both('tooManyChats');
  if (later(code, status)) return t.both('startLater');
  return t.both('sessionFailed');
}

/** A signed-in customer's identity token refused: a second line under「ご本人確認ができませんでした」, or none. */
export function verifyRefusal(t: I18n, e: unknown): string {
  const { code, status } = codeOf(e);
  return later(code, status) ? t.both('verifyLater') : '';
}

/** The satisfaction rating refused. */
export function ratingRefusal(t: I18n, e: unknown): string {
  const { code, status } = codeOf(e);
  if (code === 'invalid_transition') return t.both('rateNotYet');
  if (code === 'invalid_input' && fields(e).includes('comment')) return t.both('rateTooLong');
  if (later(code, status)) return t.both('rateLater');
  return t.both('rateFailed');
}

/**
 * Why a message was refused for good, from the error code the outbox keeps; '' when there is
 * nothing to add to「送信できませんでした」(an unknown code, or a reason saved by an older widget).
 */
export function sendRefusal(t: I18n, code: string): string {
  if (code === 'invalid_input' || code === 'payload_too_large') return t.both('sendInvalid');
  if (code === 'not_found' || code === 'forbidden' || code === 'invalid_transition' || code === 'conflict') return t.both('sendClosed');
  return '';
}
