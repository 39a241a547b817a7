import type { Lang } from '../../i18n.ts';
import { fieldErrors, readable, type FieldErrors } from '../returns/terms.draft.ts';

/** The server's 400 details by path, worded in the reader's language. */
export function fieldErrorsIn(details: unknown, lang: Lang): FieldErrors {
  // TEMP until main's fieldErrors(details, lang) lands: the server's `ja` is not read yet.
  const raw = fieldErrors(details);
  return new Map([...raw].map(([p, ms]) => [p, [...new Set(ms.map((m) => readable(m, lang)))]]));
}

/** The messages at a path and everything under it ("weekly.1" takes "weekly.1.0.0"), once each. */
export const errorsUnder = (errors: FieldErrors, path: string) => [
  ...new Set([...errors].filter(([p]) => p === path || p.startsWith(`${path}.`)).flatMap(([, ms]) => ms)),
];
