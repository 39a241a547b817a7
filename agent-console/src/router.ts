import { useSyncExternalStore } from 'react';

/**
 * Routing on the history API. The console lives under /console/ (the server falls back to
 * index.html for every path there), and has few enough pages to list them here.
 */
export const BASE = '/console';

export type Route =
  | { page: 'signIn' }
  | { page: 'inbox'; shopId: string }
  /** One queue over every shop the person belongs to. */
  | { page: 'allInbox' }
  | { page: 'conversation'; shopId: string; conversationId: string }
  /** Queue metrics and the monthly work log. */
  | { page: 'metrics'; shopId: string }
  /** Return requests: the list, one request, the shop's return terms, and why products come back. */
  | { page: 'returns'; shopId: string }
  | { page: 'returnDetail'; shopId: string; returnId: string }
  | { page: 'returnTerms'; shopId: string }
  | { page: 'returnsReport'; shopId: string }
  /** The shop's orders (search, filters, CSV import) and one order with what links to it. */
  | { page: 'orders'; shopId: string }
  | { page: 'orderDetail'; shopId: string; orderNumber: string }
  /** The shop's settings; `section` scrolls to one of them (#settings-hours). */
  | { page: 'settings'; shopId: string; section?: string }
  /** Settings → store connections (Shopify, BASE); /console/settings/stores (from an OAuth redirect) leads here. */
  | { page: 'stores'; shopId: string }
  /** The notice templates editor (a sub-page of the notices section). */
  | { page: 'noticeTemplates'; shopId: string }
  /** The first-run checklist. */
  | { page: 'setup'; shopId: string }
  /** Every mail sent for the shop and what became of it; `filter` opens it narrowed (?orderNumber=…). */
  | { page: 'mailLog'; shopId: string; filter?: Record<string, string | undefined> }
  /** Where the person was @mentioned in the shop's notes. */
  | { page: 'mentions'; shopId: string }
  /** Notice campaigns (お知らせ): the list with the season's drafts, and one campaign (editor, progress). */
  | { page: 'notices'; shopId: string }
  | { page: 'noticeCampaign'; shopId: string; campaignId: string }
  /** The link a Slack reply gives an unlinked person (/console/slack/link?token=…): they confirm it signed in. */
  | { page: 'slackLink'; token: string }
  /** The link in an invitation mail: open to everyone, signed in or not. */
  | { page: 'invitation'; token: string }
  /** /console/ itself, or any path the console does not know: sent on to the right page. */
  | { page: 'home' };

/** A mistyped link (a stray `%`) should show "invalid link", not break the console. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length) : '/';
  if (rest === '/sign-in') return { page: 'signIn' };
  if (rest === '/inbox' || rest === '/inbox/') return { page: 'allInbox' };
  const shop = /^\/shops\/([^/]+)\/inbox\/?$/.exec(rest);
  if (shop) return { page: 'inbox', shopId: safeDecode(shop[1]!) };
  const metrics = /^\/shops\/([^/]+)\/metrics\/?$/.exec(rest);
  if (metrics) return { page: 'metrics', shopId: safeDecode(metrics[1]!) };
  const mentions = /^\/shops\/([^/]+)\/mentions\/?$/.exec(rest);
  if (mentions) return { page: 'mentions', shopId: safeDecode(mentions[1]!) };
  const settings = /^\/shops\/([^/]+)\/settings\/?$/.exec(rest);
  if (settings) return { page: 'settings', shopId: safeDecode(settings[1]!) };
  const stores = /^\/shops\/([^/]+)\/settings\/stores\/?$/.exec(rest);
  if (stores) return { page: 'stores', shopId: safeDecode(stores[1]!) };
  const noticeTemplates = /^\/shops\/([^/]+)\/notices\/templates\/?$/.exec(rest);
  if (noticeTemplates) return { page: 'noticeTemplates', shopId: safeDecode(noticeTemplates[1]!) };
  const mailLog = /^\/shops\/([^/]+)\/mail-log\/?$/.exec(rest);
  if (mailLog) return { page: 'mailLog', shopId: safeDecode(mailLog[1]!) };
  const setup = /^\/shops\/([^/]+)\/setup\/?$/.exec(rest);
  if (setup) return { page: 'setup', shopId: safeDecode(setup[1]!) };
  const page = /^\/shops\/([^/]+)\/(returns|return-terms|returns-report)\/?$/.exec(rest);
  if (page) {
    const shopId = safeDecode(page[1]!);
    return page[2] === 'returns' ? { page: 'returns', shopId } : page[2] === 'return-terms' ? { page: 'returnTerms', shopId } : { page: 'returnsReport', shopId };
  }
  const ret = /^\/shops\/([^/]+)\/returns\/([^/]+)\/?$/.exec(rest);
  if (ret) return { page: 'returnDetail', shopId: safeDecode(ret[1]!), returnId: safeDecode(ret[2]!) };
  const orders = /^\/shops\/([^/]+)\/orders(?:\/([^/]+))?\/?$/.exec(rest);
  if (orders) {
    const shopId = safeDecode(orders[1]!);
    return orders[2] ? { page: 'orderDetail', shopId, orderNumber: safeDecode(orders[2]) } : { page: 'orders', shopId };
  }
  const conv = /^\/shops\/([^/]+)\/conversations\/([^/]+)\/?$/.exec(rest);
  if (conv) return { page: 'conversation', shopId: safeDecode(conv[1]!), conversationId: safeDecode(conv[2]!) };
  const notices = /^\/shops\/([^/]+)\/notices(?:\/([^/]+))?\/?$/.exec(rest);
  // `templates` (and any word a sibling page takes) is not a campaign id: those are UUIDs.
  if (notices && (!notices[2] || /^[0-9a-f-]{36}$/i.test(notices[2]))) {
    const shopId = safeDecode(notices[1]!);
    return notices[2] ? { page: 'noticeCampaign', shopId, campaignId: notices[2] } : { page: 'notices', shopId };
  }
  if (rest === '/slack/link' || rest === '/slack/link/') {
    return { page: 'slackLink', token: typeof window === 'undefined' ? '' : (new URLSearchParams(window.location.search).get('token') ?? '') };
  }
  const invitation = /^\/invitations\/([^/]+)\/?$/.exec(rest);
  if (invitation) return { page: 'invitation', token: safeDecode(invitation[1]!) };
  return { page: 'home' };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'signIn':
      return `${BASE}/sign-in`;
    case 'inbox':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/inbox`;
    case 'allInbox':
      return `${BASE}/inbox`;
    case 'conversation':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/conversations/${encodeURIComponent(route.conversationId)}`;
    case 'metrics':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/metrics`;
    case 'returns':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/returns`;
    case 'returnDetail':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/returns/${encodeURIComponent(route.returnId)}`;
    case 'returnTerms':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/return-terms`;
    case 'returnsReport':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/returns-report`;
    case 'orders':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/orders`;
    case 'orderDetail':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/orders/${encodeURIComponent(route.orderNumber)}`;
    case 'mentions':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/mentions`;
    case 'settings':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/settings${route.section ? `#${encodeURIComponent(route.section)}` : ''}`;
    case 'stores':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/settings/stores`;
    case 'setup':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/setup`;
    case 'notices':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/notices`;
    case 'noticeCampaign':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/notices/${encodeURIComponent(route.campaignId)}`;
    case 'noticeTemplates':
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/notices/templates`;
    case 'mailLog': {
      const q = new URLSearchParams(Object.entries(route.filter ?? {}).filter((e): e is [string, string] => Boolean(e[1]))).toString();
      return `${BASE}/shops/${encodeURIComponent(route.shopId)}/mail-log${q ? `?${q}` : ''}`;
    }
    case 'invitation':
      return `${BASE}/invitations/${encodeURIComponent(route.token)}`;
    case 'slackLink':
      return `${BASE}/slack/link?${new URLSearchParams({ token: route.token })}`;
    case 'home':
      return `${BASE}/`;
  }
}

/** The shop a page belongs to, for pages inside a shop. */
export function shopOf(route: Route): string | null {
  return 'shopId' in route ? route.shopId : null;
}

/** The pages of the returns section, which the side menu marks as one. */
export const isReturnsPage = (page: Route['page']) => page === 'returns' || page === 'returnDetail' || page === 'returnTerms' || page === 'returnsReport';

/** The settings pages (the store connections are a sub-page), which the side menu marks as one. */
export const isSettingsPage = (page: Route['page']) => page === 'settings' || page === 'stores';

/** The notice pages, which the side menu marks as one. */
export const isNoticesPage = (page: Route['page']) => page === 'notices' || page === 'noticeCampaign';

export const NAVIGATE = 'madoguchi:navigate';

/** Asked before the console moves to another page; false keeps the person where they are. */
let leaveGuard: (() => boolean) | null = null;

/** A page with unsaved changes asks before in-app navigation; null when there is nothing to lose. */
export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

/** The path on screen: what popstate compares against, and restores when the person stays. */
let shownPath = typeof window === 'undefined' ? '/' : window.location.pathname;

/** Asks the page's guard, if any; true when the person may leave (or there is nothing to lose). */
export function mayLeave(): boolean {
  return !leaveGuard || leaveGuard();
}

/** `asked`: the person already agreed to leave (signing out asks before it ends the session). */
export function navigate(route: Route, opts: { replace?: boolean; asked?: boolean } = {}): void {
  const path = pathOf(route);
  if (path === window.location.pathname + window.location.hash) return;
  // Redirects (replace) follow a change the person did not choose here, such as a lost session.
  if (!opts.replace && !opts.asked && !mayLeave()) return;
  if (opts.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  shownPath = path.split('#')[0]!;
  window.dispatchEvent(new Event(NAVIGATE));
}

/**
 * Back and Forward have already moved the address when popstate fires: with unsaved changes the
 * same question is asked, and staying puts the page's own address back (a new entry, so the page
 * and the address bar agree again).
 */
function onPopState(): void {
  const path = window.location.pathname;
  if (path !== shownPath && !mayLeave()) {
    window.history.pushState(null, '', shownPath);
    return;
  }
  shownPath = path;
  window.dispatchEvent(new Event(NAVIGATE));
}
if (typeof window !== 'undefined') window.addEventListener('popstate', onPopState);

function subscribe(onChange: () => void): () => void {
  window.addEventListener(NAVIGATE, onChange);
  return () => window.removeEventListener(NAVIGATE, onChange);
}

/** The current path; re-renders on back/forward and on navigate(). */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}
