import type { MouseEvent } from 'react';
import { useMessages, type Messages } from '../i18n.ts';
import { navigate, pathOf } from '../router.ts';
import { PresenceToggle } from './PresenceToggle.tsx';

const later: ((m: Messages) => string)[] = [(m) => m.nav.returns, (m) => m.nav.orders, (m) => m.nav.settings];

export function SideNav({ shopId }: { shopId: string | null }) {
  const m = useMessages();
  const inbox = shopId ? ({ page: 'inbox', shopId } as const) : null;
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!inbox || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(inbox);
  };
  return (
    <nav className="sidenav" aria-label={m.shell.mainNav}>
      <ul>
        <li>
          {inbox ? (
            <a href={pathOf(inbox)} onClick={follow} aria-current="page" className="nav-item" data-testid="nav-inbox">
              {m.nav.inbox}
            </a>
          ) : (
            <span className="nav-item nav-disabled" aria-disabled="true">
              {m.nav.inbox}
            </span>
          )}
        </li>
        {later.map((label, i) => (
          <li key={i}>
            <span className="nav-item nav-disabled" aria-disabled="true">
              {label(m)}
              <span className="soon">{m.shell.comingSoon}</span>
            </span>
          </li>
        ))}
      </ul>
      <PresenceToggle />
    </nav>
  );
}
