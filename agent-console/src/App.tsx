import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, onSessionLost, setCsrfToken } from './api.ts';
import { InvitationPage } from './components/InvitationPage.tsx';
import { Splash } from './components/Splash.tsx';
import { Shell } from './components/Shell.tsx';
import { listPlaces } from './components/orders/orders.places.ts';
import { SignInPage, type SignInNotice } from './components/SignInPage.tsx';
import { keepOAuthOutcome, outcomeOf } from './components/slack/oauthOutcome.ts';
import { keepStoresOutcome, storesOutcomeOf } from './components/stores/storesOutcome.ts';
import { initialLang, LangContext, type Lang } from './i18n.ts';
import { navigate, parseRoute, shopOf, usePathname, type Route } from './router.ts';
import { keys, load, save } from './storage.ts';
import type { SessionView } from './types.ts';

type Auth =
  | { status: 'loading' }
  | { status: 'unreachable' }
  | { status: 'signedOut'; notice?: SignInNotice }
  | { status: 'signedIn'; session: SessionView };

/** The shop to open: the one used last if the person is still in it, else their first. */
function preferredShop(session: SessionView): string | undefined {
  const saved = load(keys.shop(session.user.id));
  const ids = session.memberships.map((m) => m.shopId);
  return saved && ids.includes(saved) ? saved : ids[0];
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'loading' });
  const [lang, setLang] = useState<Lang>('ja');
  const pathname = usePathname();
  const route = useMemo(() => parseRoute(pathname), [pathname]);
  /** Where a signed-out visitor was going; they land there after signing in. */
  const wanted = useRef<Route | null>(null);

  const begin = useCallback((session: SessionView, fresh: boolean) => {
    setCsrfToken(session.csrfToken);
    save(keys.hadSession, '1');
    if (fresh) setLang(initialLang(load(keys.lang(session.user.id)), session.user.locale));
    setAuth({ status: 'signedIn', session });
  }, []);

  const end = useCallback((notice?: SignInNotice) => {
    setCsrfToken(undefined);
    // The page is not reloaded: what the last person searched for must not greet the next one.
    listPlaces.forget();
    save(keys.hadSession, null);
    setAuth({ status: 'signedOut', ...(notice ? { notice } : {}) });
  }, []);

  const start = useCallback(async () => {
    setAuth({ status: 'loading' });
    try {
      begin(await api.session(), true);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unauthenticated') end(load(keys.hadSession) ? 'expired' : undefined);
      else setAuth({ status: 'unreachable' });
    }
  }, [begin, end]);

  useEffect(() => {
    void start();
  }, [start]);

  // Any signed-in call answering 401 ends up here.
  useEffect(() => {
    onSessionLost(() => end('expired'));
    return () => onSessionLost(undefined);
  }, [end]);

  /** Re-reads the session (memberships may have changed); a 401 goes through onSessionLost. */
  const refresh = useCallback(async () => {
    try {
      begin(await api.refreshSession(), false);
    } catch {
      // 401 is handled by onSessionLost; a network blip can wait for the next check
    }
  }, [begin]);

  // Keep the address bar in step with who is signed in and which shops they have.
  const session = auth.status === 'signedIn' ? auth.session : undefined;
  const routeShop = shopOf(route);
  // The all-shops inbox belongs to no one shop: the last one used stays open for the header and presence.
  // So does the Slack link page, which names its shop only once it is confirmed.
  const shopId = routeShop && session?.memberships.some((m) => m.shopId === routeShop) ? routeShop : (route.page === 'allInbox' || route.page === 'slackLink') && session ? (preferredShop(session) ?? null) : null;
  useEffect(() => {
    // The invitation page is for everyone, signed in or not, and moves on by itself.
    if (route.page === 'invitation') return;
    if (auth.status === 'signedOut' && route.page !== 'signIn') {
      if (shopOf(route) || route.page === 'allInbox' || route.page === 'slackLink') wanted.current = route;
      navigate({ page: 'signIn' }, { replace: true });
    }
    if (!session) return;
    if (shopId) {
      if (routeShop) save(keys.shop(session.user.id), shopId);
      return;
    }
    const target = wanted.current;
    wanted.current = null;
    const targetShop = target ? shopOf(target) : null;
    if (target && ((targetShop && session.memberships.some((m) => m.shopId === targetShop)) || ((target.page === 'allInbox' || target.page === 'slackLink') && session.memberships.length > 0))) {
      navigate(target, { replace: true });
      return;
    }
    const preferred = preferredShop(session);
    // Back from "Add to Slack" at /console/settings?slack=…: the open shop's Slack settings say how it went.
    const here = window.location.pathname.replace(/\/$/, '');
    // Back from a store's OAuth install at /console/settings/stores?connected=… (or /console/settings?store=…): the open shop's store connections say how it went.
    const fromStore = here === '/console/settings/stores' || (here === '/console/settings' && new URLSearchParams(window.location.search).has('store'));
    const fromSlack = here === '/console/settings' && !fromStore;
    if (fromSlack) keepOAuthOutcome(outcomeOf(window.location.search));
    if (fromStore) keepStoresOutcome(storesOutcomeOf(window.location.search));
    if (preferred) {
      const next: Route = fromSlack ? { page: 'settings', shopId: preferred, section: 'settings-slack' } : fromStore ? { page: 'stores', shopId: preferred } : { page: 'inbox', shopId: preferred };
      navigate(next, { replace: true });
    }
    else if (route.page !== 'home') navigate({ page: 'home' }, { replace: true });
  }, [auth.status, session, route, shopId, routeShop]);

  useEffect(() => {
    document.documentElement.lang = auth.status === 'signedIn' ? lang : 'ja';
  }, [auth.status, lang]);

  const changeLang = useCallback(
    (next: Lang) => {
      setLang(next);
      if (!session) return;
      save(keys.lang(session.user.id), next);
      // Best effort: the toggle works on this device even if saving to the account fails.
      api.saveLocale(next).catch(() => undefined);
    },
    [session],
  );

  const signedOut = useCallback(() => {
    wanted.current = null;
    end('signedOut');
    // useSignOut asked about unsaved changes before the session ended.
    navigate({ page: 'signIn' }, { asked: true });
  }, [end]);

  /** Signing out on the invitation page stays there, to go on as the invited person. */
  const signedOutInPlace = useCallback(() => end(), [end]);

  if (route.page === 'invitation' && (auth.status === 'signedOut' || auth.status === 'signedIn')) {
    return <InvitationPage key={route.token} token={route.token} session={session} onSession={begin} onSignedOut={signedOutInPlace} onRefresh={refresh} />;
  }

  switch (auth.status) {
    case 'loading':
      return <Splash />;
    case 'unreachable':
      return <Splash unreachable onRetry={() => void start()} />;
    case 'signedOut':
      return <SignInPage notice={auth.notice} onSignedIn={(s) => begin(s, true)} />;
    case 'signedIn': {
      // Waiting for the redirect above, unless the person has no shop at all.
      if (!shopId && auth.session.memberships.length > 0) return <Splash />;
      return (
        <LangContext.Provider value={lang}>
          <Shell session={auth.session} shopId={shopId} route={route} onLangChange={changeLang} onRefresh={refresh} onSignedOut={signedOut} />
        </LangContext.Provider>
      );
    }
  }
}
