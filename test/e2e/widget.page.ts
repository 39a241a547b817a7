import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Database } from '../../server/core/db/client.ts';
import { businessHours } from '../../server/domains/sla/sla.tables.ts';
import { shops } from '../../server/domains/shops/shops.tables.ts';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, watchedPage } from '../helpers/browser.ts';
import { agentClient, ask, connected, waitFor, type AgentSocket } from '../helpers/sockets.ts';

/**
 * A shop's own web site for the widget's browser test: a plain page on another origin with
 * the one <script> tag, and hostile CSS that must not reach into the widget.
 */
export interface ShopSite {
  origin: string;
  url(shopId: string, opts?: { identityToken?: string; locale?: 'ja' | 'en' }): string;
  close(): Promise<void>;
}

export async function shopSite(madoguchiUrl: string): Promise<ShopSite> {
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const attr = (name: string, v: string | null) => (v ? ` ${name}="${v.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}"` : '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>テスト商店</title>
<style>
  * { color: rgb(255, 0, 0) !important; font-size: 30px !important; }
  button { background: rgb(255, 0, 0) !important; }
  .launcher { border: 4px solid rgb(0, 0, 255); border-radius: 0; }
</style></head>
<body>
  <h1>テスト商店のページ</h1>
  <button class="launcher" id="page-launcher">お店のボタン</button>
  <script src="${madoguchiUrl}/widget.js"${attr('data-shop-id', q.get('shop'))}${attr('data-locale', q.get('locale') ?? 'ja')}${attr('data-identity-token', q.get('identity'))} async></script>
</body></html>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((done) => server.close(() => done()));
  return {
    origin,
    url: (shopId, opts = {}) => {
      const q = new URLSearchParams({ shop: shopId, locale: opts.locale ?? 'ja' });
      if (opts.identityToken) q.set('identity', opts.identityToken);
      return `${origin}/?${q}`;
    },
    close,
  };
}

/** Lets the shop's page use the public API (CORS), as the merchant does in the shop's settings. */
export async function allowOrigin(database: Database, shopId: string, origin: string): Promise<void> {
  await database.db.update(shops).set({ allowedOrigins: [origin] }).where(eq(shops.id, shopId));
}

/** Open around the clock, or closed today and tomorrow (Tokyo dates), so availability is known. */
export async function setHours(database: Database, shopId: string, open: boolean): Promise<void> {
  const allDay: Array<[string, string]> = [['00:00', '24:00']];
  const weekly = { '0': allDay, '1': allDay, '2': allDay, '3': allDay, '4': allDay, '5': allDay, '6': allDay };
  const tokyoDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date(ms));
  const closedDates = open ? [] : [tokyoDate(Date.now()), tokyoDate(Date.now() + 86_400_000)];
  await database.db
    .insert(businessHours)
    .values({ shopId, weekly, observeJpHolidays: false, closedDates })
    .onConflictDoUpdate({ target: businessHours.shopId, set: { weekly, observeJpHolidays: false, closedDates } });
}

/** The widget as a customer sees and uses it. */
export function widget(page: Page) {
  const id = (testId: string) => page.getByTestId(testId);
  return {
    id,
    launcher: id('launcher'),
    panel: id('panel'),
    composer: id('composer'),
    bodies: id('message-body'),
    async open() {
      await id('launcher').click();
      await id('panel').waitFor();
    },
    async fillForm(name: string, email: string, orderNumber?: string) {
      await id('prechat-name').fill(name);
      await id('prechat-email').fill(email);
      if (orderNumber) await id('prechat-order').fill(orderNumber);
      await id('prechat-submit').click();
      await id('composer').waitFor();
    },
    async send(text: string) {
      await id('composer').fill(text);
      await id('composer').press('Enter');
    },
    /** The bubble showing exactly this text, once stored by the server. */
    stored(text: string): Locator {
      return page.locator('[data-testid="message"][data-state="stored"]').filter({ has: page.getByTestId('message-body').getByText(text, { exact: true }) });
    },
    /** Whether keyboard focus is on this element of the widget (inside its shadow root). */
    focused: (testId: string) =>
      id(testId).evaluate((el) => {
        const root = el.getRootNode();
        return root instanceof ShadowRoot && root.activeElement === el && document.activeElement === root.host;
      }),
    /** Whether this element is wholly inside the scrolling message area's visible part. */
    inView: (el: Locator) =>
      el.evaluate((node) => {
        const box = node.getBoundingClientRect();
        const area = node.closest('.body')!.getBoundingClientRect();
        return box.height > 0 && box.top >= area.top - 1 && box.bottom <= area.bottom + 1;
      }),
    /** What the widget keeps in the page's localStorage for this shop. */
    saved: (shopId: string) =>
      page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { session: { token: string }; conversationId: string; lastSeq: number } | null, `madoguchi:v1:${shopId}`),
  };
}

export interface WidgetSuite {
  server: TestServer;
  browser: Browser;
  site: ShopSite;
  /** This test's page, on a context of its own; closed and checked for script errors after the test. */
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Sockets a test opened; disconnected after each test. */
  sockets: AgentSocket[];
}

/**
 * The hooks every widget browser suite shares: one Chromium, one app on PGlite and one shop
 * site for the suite; a page of its own (at `viewport`) for each test, checked for script errors
 * after it. The fields are set once the suite's hooks have run.
 */
export function widgetSuite(viewport?: { width: number; height: number }): WidgetSuite {
  const suite = { sockets: [] as AgentSocket[] } as WidgetSuite;
  before(async function () {
    this.timeout(60_000);
    suite.browser = await launchBrowser();
    suite.server = await startServer('pglite');
    suite.site = await shopSite(suite.server.url);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.site?.close();
    await suite.server?.close();
  });
  beforeEach(async () => {
    Object.assign(suite, await watchedPage(suite.browser, viewport));
  });
  afterEach(async () => {
    for (const s of suite.sockets.splice(0)) s.disconnect();
    await suite.context?.close();
    expect(suite.problems, 'errors in the page').to.deep.equal([]);
  });
  return suite;
}

/** A shop of its own whose page origin is allowed, open around the clock (unless told), with an agent online. */
export async function openShop(suite: WidgetSuite, open = true): Promise<{ shop: TestShop; agent: AgentSocket }> {
  const { server, site } = suite;
  const shop = await makeShop(server.database);
  await allowOrigin(server.database, shop.id, site.origin);
  await setHours(server.database, shop.id, open);
  const http = await signedIn(server.url, shop.people.agent);
  const agent = agentClient(server.url, shop.id, http.cookie);
  suite.sockets.push(agent);
  await connected(agent);
  return { shop, agent };
}

/** A customer's email address no other test uses. */
export const customerEmail = () => `kyaku-${randomBytes(3).toString('hex')}@example.jp`;

/**
 * The agent joins the conversation the customer opens by writing `text`, once the widget shows
 * it stored. The inbox row of a new conversation comes as one coalesced update soon after the
 * open, and may read the conversation before or after its first message: only the row is
 * waited for here, the message is known stored from the page.
 */
export async function joinWhenWritten(agent: AgentSocket, customerName: string, w: ReturnType<typeof widget>, text: string) {
  const created = waitFor(agent, 'conversation:updated', (c: any) => c.customer.name === customerName);
  await w.send(text);
  await w.stored(text).waitFor();
  const c = await created;
  const joined = await ask(agent, 'conversation:join', { conversationId: c.id });
  expect(joined.ok, JSON.stringify(joined)).to.equal(true);
  expect(joined.conversation.lastSeq, 'the first message is in the conversation joined').to.be.at.least(1);
  return joined.conversation as { id: string; customer: { name: string; verified: boolean }; orderNumber: string | null };
}
