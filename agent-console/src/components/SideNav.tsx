import type { MouseEvent } from 'react';
import { useLang, useMessages } from '../i18n.ts';
import { mailLogMessages } from '../i18n.maillog.ts';
import { noticesMessages } from '../i18n.notices.ts';
import { isNoticesPage, isReturnsPage, isSettingsPage, navigate, pathOf, type Route } from '../router.ts';
import type { Role } from '../types.ts';
import { BackupPanel } from './BackupPanel.tsx';
import { PresenceToggle } from './PresenceToggle.tsx';
import { MentionsNav } from './inbox/MentionsNav.tsx';
import { noticeTemplateMessages } from './notices/templates/i18n.ts';

/** A page of the open shop: a real link (new tab works), followed in place on a plain click. */
function NavLink({ to, current, label, testId }: { to: Route | null; current: boolean; label: string; testId: string }) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!to || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return to ? (
    <a href={pathOf(to)} onClick={follow} aria-current={current ? 'page' : undefined} className="nav-item" data-testid={testId}>
      {label}
    </a>
  ) : (
    <span className="nav-item nav-disabled" aria-disabled="true">
      {label}
    </span>
  );
}

export function SideNav({ shopId, page, role }: { shopId: string | null; page: Route['page']; role?: Role }) {
  const m = useMessages();
  const lang = useLang();
  return (
    <nav className="sidenav" aria-label={m.shell.mainNav}>
      <ul>
        <li>
          {/* A conversation belongs to the inbox, so the inbox stays marked while one is open. */}
          <NavLink to={shopId ? { page: 'inbox', shopId } : null} current={page === 'inbox' || page === 'allInbox' || page === 'conversation'} label={m.nav.inbox} testId="nav-inbox" />
        </li>
        <li>
          <MentionsNav shopId={shopId} current={page === 'mentions'} />
        </li>
        <li>
          <NavLink to={shopId ? { page: 'metrics', shopId } : null} current={page === 'metrics'} label={m.metrics.nav} testId="nav-metrics" />
        </li>
        <li>
          {/* The list, a request, the terms and the reasons report are one section. */}
          <NavLink to={shopId ? { page: 'returns', shopId } : null} current={isReturnsPage(page)} label={m.nav.returns} testId="nav-returns" />
        </li>
        {/* Owners and staff read the first-run checklist (the API answers 403 to others). */}
        {(role === 'owner' || role === 'staff') && (
          <li>
            <NavLink to={shopId ? { page: 'setup', shopId } : null} current={page === 'setup'} label={m.nav.setup} testId="nav-setup" />
          </li>
        )}
        <li>
          <NavLink to={shopId ? { page: 'orders', shopId } : null} current={page === 'orders' || page === 'orderDetail'} label={m.nav.orders} testId="nav-orders" />
        </li>
        <li>
          {/* Every role: contractors read the campaigns (masked), the others make and send them. */}
          <NavLink to={shopId ? { page: 'notices', shopId } : null} current={isNoticesPage(page)} label={noticesMessages[lang].nav} testId="nav-notices" />
        </li>
        <li>
          {/* A sub-page of the notices section (whose main entry is the campaigns' page). */}
          <NavLink to={shopId ? { page: 'noticeTemplates', shopId } : null} current={page === 'noticeTemplates'} label={noticeTemplateMessages[lang].nav} testId="nav-notice-templates" />
        </li>
        <li>
          <NavLink to={shopId ? { page: 'mailLog', shopId } : null} current={page === 'mailLog'} label={mailLogMessages[lang].nav} testId="nav-mail-log" />
        </li>
        <li>
          <NavLink to={shopId ? { page: 'settings', shopId } : null} current={isSettingsPage(page)} label={m.nav.settings} testId="nav-settings" />
        </li>
      </ul>
      <PresenceToggle />
      {/* Owners only (the API answers 403 to anyone else): the deployment's last backup. */}
      {shopId && role === 'owner' && <BackupPanel key={shopId} shopId={shopId} />}
    </nav>
  );
}
