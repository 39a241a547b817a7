import type { ReactNode } from 'react';
import type { Messages } from '../i18n.ts';
import { Bilingual } from './Bilingual.tsx';

/** Pieces the invitation page and its new-account form share. */
export type Text = (m: Messages) => string;
/** A line of an error: ours in both languages, or the server's own words for what we do not know. */
export type Line = Text | string;
export type Field = 'name' | 'password' | 'confirm';
export interface Problem {
  lines: Line[];
  fields: Field[];
}

export const problem = (line: Line, fields: Field[] = []): Problem => ({ lines: [line], fields });

export function ErrorAlert({ id, lines, children }: { id?: string; lines: Line[]; children?: ReactNode }) {
  return (
    <div id={id} role="alert" className="alert alert-error" data-testid="invitation-error">
      {lines.map((line, i) => (
        <p key={i}>{typeof line === 'string' ? line : <Bilingual text={line} />}</p>
      ))}
      {children}
    </div>
  );
}
