import type { ReactNode } from 'react';

/** One line of a panel's facts: its label, its value, and a test id when a test reads it. */
export type Fact = [label: string, value: ReactNode, testId?: string];

/** A panel's facts as a description list (the order's shipping, a return's order). */
export function FactList({ facts }: { facts: Fact[] }) {
  return (
    <dl className="facts">
      {facts.map(([k, v, testId]) => (
        <div key={k} className="fact" data-testid={testId}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
