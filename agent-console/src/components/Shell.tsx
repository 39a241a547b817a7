import { Fragment, lazy, Suspense, useEffect, useState, type MouseEvent } from 'react';
import { isNoticesPage, isReturnsPage, isSettingsPage, type Route } from '../router.ts';
import { useShortcuts } from '../shortcuts.ts';
import { LiveContext, useShopSocket } from '../socket.ts';
import { api, ApiError } from '../api.ts';
import { useLang, useMessages, type Lang } from '../i18n.ts';
import { queueMessages } from '../i18n.queue.ts';
import { noticesMessages } from '../i18n.notices.ts';
import { noticeTemplateMessages } from './notices/templates/i18n.ts';
import { mailLogMessages } from '../i18n.maillog.ts';
import { storesMessages } from '../i18n.stores.ts';
import type { SessionView, ShopView } from '../types.ts';
import { Header } from './Header.tsx';
import { InboxPage } from './InboxPage.tsx';
import { ShortcutsHelp } from './ShortcutsHelp.tsx';
import { SideNav } from './SideNav.tsx';
import { SetupPanel } from './setup/SetupPanel.tsx';

// The inbox is the landing page and comes in the first bundle; the others load when first opened.
const ConversationPage = lazy(() => import('./conversation/ConversationPage.tsx').then((x) => ({ default: x.ConversationPage })));
const MentionsPage = lazy(() => import('./inbox/MentionsPage.tsx').then((x) => ({ default: x.MentionsPage })));
const MetricsPage = lazy(() => import('./metrics/MetricsPage.tsx').then((x) => ({ default: x.MetricsPage })));
const OrdersPage = lazy(() => import('./orders/OrdersPage.tsx').then((x) => ({ default: x.OrdersPage })));
const OrderPage = lazy(() => import('./orders/OrderPage.tsx').then((x) => ({ default: x.OrderPage })));
const SetupPage = lazy(() => import('./setup/SetupPage.tsx').then((x) => ({ default: x.SetupPage })));
const SettingsPage = lazy(() => import('./settings/SettingsPage.tsx').then((x) => ({ default: x.SettingsPage })));
const StoresPage = lazy(() => import('./stores/StoresPage.tsx').then((x) => ({ default: x.StoresPage })));
const ReasonsPage = lazy(() => import('./returns/ReasonsPage.tsx').then((x) => ({ default: x.ReasonsPage })));
const ReturnDetailPage = lazy(() => import('./returns/ReturnDetailPage.tsx').then((x) => ({ default: x.ReturnDetailPage })));
const ReturnsPage = lazy(() => import('./returns/ReturnsPage.tsx').then((x) => ({ default: x.ReturnsPage })));
const NoticesPage = lazy(() => import('./notices/NoticesPage.tsx').then((x) => ({ default: x.NoticesPage })));
const CampaignPage = lazy(() => import('./notices/CampaignPage.tsx').then((x) => ({ default: x.CampaignPage })));
const NoticeTemplatesPage = lazy(() => import('./notices/templates/NoticeTemplatesPage.tsx').then((x) => ({ default: x.NoticeTemplatesPage })));
const MailLogPage = lazy(() => import('./maillog/MailLogPage.tsx').then((x) => ({ default: x.MailLogPage })));
const SlackLinkPage = lazy(() => import('./slack/SlackLinkPage.tsx').then((x) => ({ default: x.SlackLinkPage })));
const TermsPage = lazy(() => import('./returns/TermsPage.tsx').then((x) => ({ default: x.TermsPage })));

/** The skip link moves focus itself: the hash alone would leave it behind and change the address. */
function toMain(e: MouseEvent) {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

/** Longest wait setTimeout takes (~24.8 days); sessions are shorter anyway. */
const MAX_TIMEOUT = 2 ** 31 - 1;

interface ShellProps {
  session: SessionView;
  /** The open shop (on the all-shops inbox, the last one used); null only for a person who has no shop at all. */
  shopId: string | null;
  route: Route;
  onLangChange: (lang: Lang) => void;
  onRefresh: () => Promise<void>;
  onSignedOut: () => void;
}

export function Shell({ session, shopId, route, onLangChange, onRefresh, onSignedOut }: ShellProps) {
  const m = useMessages();
  const lang = useLang();
  const membership = session.memberships.find((x) => x.shopId === shopId);
  const [shop, setShop] = useState<ShopView | null>(null);
  const [shopFailed, setShopFailed] = useState(false);
  const [help, setHelp] = useState(false);
  // One live connection for the open shop: presence, the inbox and the open conversation share it.
  // When the server ends it over a change of access, the session is read again (onRefresh).
  const live = useShopSocket(membership ? shopId : null, onRefresh);
  useShortcuts({ '?': () => setHelp(true) });

  // The open shop's settings (time zone, locale) for the pages inside; also notices a
  // session that ended, or a membership that was taken away, as soon as the shop changes.
  useEffect(() => {
    setShop(null);
    setShopFailed(false);
    if (!shopId) return;
    const ctrl = new AbortController();
    api.shop(shopId, ctrl.signal).then(setShop, (e: unknown) => {
      if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
      if (e instanceof ApiError && e.code === 'not_found') void onRefresh();
      else setShopFailed(true);
    });
    return () => ctrl.abort();
  }, [shopId, onRefresh]);

  // Coming back to the tab, or reaching the session's end: ask the server whether the
  // session still holds (a 401 takes the person to sign-in).
  useEffect(() => {
    const check = () => {
      if (document.visibilityState === 'visible') void onRefresh();
    };
    document.addEventListener('visibilitychange', check);
    const wait = Math.min(MAX_TIMEOUT, Math.max(0, Date.parse(session.expiresAt) - Date.now()) + 1000);
    const timer = window.setTimeout(check, wait);
    return () => {
      document.removeEventListener('visibilitychange', check);
      window.clearTimeout(timer);
    };
  }, [session.expiresAt, onRefresh]);

  const shopName = shop?.id === shopId ? shop.name : membership?.shopName;
  useEffect(() => {
    const where = route.page === 'allInbox' ? m.chat.filters.allShops : shopName;
    const title =
      route.page === 'metrics' ? m.metrics.title
      : isReturnsPage(route.page) ? m.returns.title
      : route.page === 'stores' ? storesMessages[lang].title
      : isSettingsPage(route.page) ? m.nav.settings
      : route.page === 'setup' ? m.nav.setup
      : route.page === 'orders' || route.page === 'orderDetail' ? m.nav.orders
      : route.page === 'mentions' ? queueMessages[lang].mentions.title
      : isNoticesPage(route.page) ? noticesMessages[lang].title
      : route.page === 'noticeTemplates' ? noticeTemplateMessages[lang].title
      : route.page === 'mailLog' ? mailLogMessages[lang].title
      : m.inbox.title;
    document.title = [title, where, '窓口 madoguchi'].filter(Boolean).join(' · ');
  }, [m, lang, shopName, route.page]);

  const page =
    membership && shopId ? (
      route.page === 'conversation' ? (
        <ConversationPage key={route.conversationId} shopId={shopId} conversationId={route.conversationId} meId={session.user.id} />
      ) : route.page === 'mentions' ? (
        <MentionsPage key={shopId} shopId={shopId} />
      ) : route.page === 'metrics' ? (
        <MetricsPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'returns' ? (
        <ReturnsPage key={shopId} shopId={shopId} />
      ) : route.page === 'returnDetail' ? (
        <ReturnDetailPage key={route.returnId} shopId={shopId} returnId={route.returnId} role={membership.role} />
      ) : route.page === 'returnTerms' ? (
        <TermsPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'returnsReport' ? (
        <ReasonsPage key={shopId} shopId={shopId} />
      ) : route.page === 'orders' ? (
        <OrdersPage key={shopId} shopId={shopId} userId={session.user.id} role={membership.role} />
      ) : route.page === 'orderDetail' ? (
        <OrderPage key={route.orderNumber} shopId={shopId} orderNumber={route.orderNumber} />
      ) : route.page === 'settings' ? (
        <SettingsPage key={shopId} shopId={shopId} role={membership.role} userId={session.user.id} />
      ) : route.page === 'stores' ? (
        <StoresPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'mailLog' ? (
        <MailLogPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'setup' ? (
        <SetupPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'notices' ? (
        <NoticesPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'noticeCampaign' ? (
        <CampaignPage key={route.campaignId} shopId={shopId} campaignId={route.campaignId} role={membership.role} />
      ) : route.page === 'noticeTemplates' ? (
        <NoticeTemplatesPage key={shopId} shopId={shopId} role={membership.role} />
      ) : route.page === 'slackLink' ? (
        <SlackLinkPage key={route.token} token={route.token} session={session} />
      ) : route.page === 'allInbox' ? (
        <InboxPage key="all-shops" shopId={shopId} meId={session.user.id} shops={session.memberships} all />
      ) : (
        <>
          {/* The first-run checklist greets an owner while a step is open. */}
          {membership.role === 'owner' && <SetupPanel key={`setup-${shopId}`} shopId={shopId} userId={session.user.id} />}
          <InboxPage key={shopId} shopId={shopId} meId={session.user.id} shops={session.memberships} />
        </>
      )
    ) : null;

  return (
    <LiveContext.Provider value={live}>
      {/* data-live: whether the live connection is up (tests wait for it before causing an event the page must hear). */}
      <div className="shell" data-live={live.connected ? 'connected' : 'connecting'}>
        <a className="skip-link" href="#main" onClick={toMain} data-testid="skip-link">
          {m.shell.skipToMain}
        </a>
        <Header session={session} membership={membership} shopName={shopName} onLangChange={onLangChange} onSignedOut={onSignedOut} />
        <div className="shell-body">
          <SideNav shopId={shopId} page={route.page} role={membership?.role} />
          <main className="content" id="main" tabIndex={-1}>
            {shopFailed && (
              <p role="alert" className="alert alert-error">
                {m.shell.shopLoadFailed}
              </p>
            )}
            {live.lost && (
              <p role="status" className="alert alert-warning" data-testid="offline">
                {m.chat.offline}
              </p>
            )}
            {/* Keyed by role: after a role change every page reads its data again, masked as the new role sees it. */}
            {page ? (
              <Fragment key={membership?.role}>
                <Suspense fallback={<p className="muted" role="status">{m.loading}</p>}>{page}</Suspense>
              </Fragment>
            ) : (
              <section className="empty-state" data-testid="no-shops">
                <h1 className="empty-title">{m.shell.noShops}</h1>
                <p className="muted">{m.shell.noShopsHint}</p>
              </section>
            )}
          </main>
        </div>
        {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      </div>
    </LiveContext.Provider>
  );
}
