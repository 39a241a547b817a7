import type { MouseEvent, ReactNode } from 'react';
import { navigate, pathOf, type Route } from '../router.ts';

/** A real link (a new tab works), followed in place on a plain click. */
export function RouteLink({ to, children, className, testId, current }: { to: Route; children: ReactNode; className?: string; testId?: string; current?: boolean }) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={pathOf(to)} onClick={follow} className={className} data-testid={testId} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}
