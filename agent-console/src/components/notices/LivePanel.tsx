import { useId, type ReactNode } from 'react';
import type { CallState } from '../../useDebouncedCall.ts';

/** A panel that follows the form (the preview, the audience): its title, and a note while it asks again. */
export function LivePanel({ className, testId, state, title, updating, children }: { className: string; testId: string; state: CallState; title: string; updating: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className={`panel ${className}`} aria-labelledby={`${id}-title`} data-testid={testId} data-state={state}>
      <div className="section-head">
        <h2 className="panel-title" id={`${id}-title`}>
          {title}
        </h2>
        {state === 'updating' && <span className="muted metric-note">{updating}</span>}
      </div>
      {children}
    </section>
  );
}
