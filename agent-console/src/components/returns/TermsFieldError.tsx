import { createContext, useContext } from 'react';
import { useLang } from '../../i18n.ts';
import { errorsAt, readable, type FieldErrors } from './terms.draft.ts';

/** The server's answers for the draft, shown next to the fields they name. */
export const ErrorsContext = createContext<FieldErrors>(new Map());

const errorId = (path: string) => `terms-error-${path.replace(/\./g, '-')}`;

/** The server's messages for a field, in the reader's language (never English in a Japanese console). */
export function FieldError({ path, exact }: { path: string; exact?: boolean }) {
  const lang = useLang();
  const messages = [...new Set(errorsAt(useContext(ErrorsContext), path, exact).map((m) => readable(m, lang)))];
  if (!messages.length) return null;
  return (
    <span className="field-error" id={errorId(path)} role="alert" data-testid={`error-${path}`}>
      {messages.join(' ')}
    </span>
  );
}

/** aria-invalid and aria-describedby for an input whose path has errors. */
export function invalid(errors: FieldErrors, path: string, exact = false) {
  return errorsAt(errors, path, exact).length > 0 ? { 'aria-invalid': true, 'aria-describedby': errorId(path) } : {};
}
