import type { ReactNode } from 'react';

/** What a settings form says about saving; each section's message file has these keys. */
export interface SaveWords {
  save: string;
  saving: string;
  saved: string;
  unsaved: string;
  notAllowed: string;
  saveFailed: string;
}

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed' | 'forbidden';

/**
 * The foot of a settings form: its save button, what the form's state is (unsaved, saved), and
 * why a save failed. `children` come before the button (a form's own actions, "add a row").
 */
export function SaveBar({ status, dirty, words, testId, children }: { status: SaveStatus; dirty: boolean; words: SaveWords; testId: string; children?: ReactNode }) {
  return (
    <>
      <div className="settings-actions">
        {children}
        {/* aria-disabled, not disabled: a disabled button drops the keyboard focus it has just been given. */}
        <button type="submit" className="button button-primary" aria-disabled={status === 'saving' || !dirty} data-testid={`save-${testId}`}>
          {status === 'saving' ? words.saving : words.save}
        </button>
        <span role="status" className="muted" data-testid={`${testId}-status`}>
          {dirty ? words.unsaved : status === 'saved' ? words.saved : ''}
        </span>
      </div>
      {(status === 'failed' || status === 'forbidden') && (
        <p role="alert" className="alert alert-error">
          {status === 'forbidden' ? words.notAllowed : words.saveFailed}
        </p>
      )}
    </>
  );
}
