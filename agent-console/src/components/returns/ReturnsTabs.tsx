import { useMessages } from '../../i18n.ts';
import type { Route } from '../../router.ts';
import { RouteLink } from '../RouteLink.tsx';

type Tab = 'returns' | 'returnTerms' | 'returnsReport';

/** The returns section's pages: the requests, the terms they are judged by, and why products come back. */
export function ReturnsTabs({ shopId, current }: { shopId: string; current: Tab }) {
  const m = useMessages().returns;
  const tabs: Array<[Tab, string]> = [
    ['returns', m.tabs.list],
    ['returnTerms', m.tabs.terms],
    ['returnsReport', m.tabs.report],
  ];
  return (
    <nav className="returns-tabs" aria-label={m.sectionNav}>
      {tabs.map(([page, label]) => (
        <RouteLink key={page} to={{ page, shopId } as Route} className="returns-tab" current={page === current} testId={`tab-${page}`}>
          {label}
        </RouteLink>
      ))}
    </nav>
  );
}
