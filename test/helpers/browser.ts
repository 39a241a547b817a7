import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleDist } from '../../server/core/console.ts';
import { startServer, type TestServer } from './app.ts';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Debian's Chromium, headless; fails (never skips) when it or the built console is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  if (!existsSync(`${consoleDist}/index.html`)) throw new Error('the console is not built: run `npm run build` first');
  return chromium.launch({ executablePath, args: chromiumArgs });
}

/**
 * A fresh Japanese-locale page (a desktop's window unless told) that records script errors and
 * CSP refusals; 4xx answers the console expects are not problems.
 */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'ja-JP', viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  return { context, page, problems };
}

/** The pages a suite opens: closed after each test, with what went wrong in them. */
export class WatchedPages {
  private open: Array<{ context: BrowserContext; problems: string[] }> = [];

  async page(browser: Browser): Promise<Page> {
    const { context, page, problems } = await watchedPage(browser);
    this.open.push({ context, problems });
    return page;
  }

  /** Closes every page and answers their problems (a test expects none). */
  async closeAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const w of this.open.splice(0)) {
      await w.context.close();
      problems.push(...w.problems);
    }
    return problems;
  }
}

/** Signs in through the console's form, as a person would, and waits for the shop's inbox. */
export async function signInToConsole(page: Page, baseUrl: string, who: { email: string; password: string }, shopId: string): Promise<Page> {
  await page.goto(`${baseUrl}/console/`);
  const form = page.getByTestId('sign-in-form');
  await form.getByLabel('メールアドレス').fill(who.email);
  await form.getByLabel('パスワード').fill(who.password);
  await form.getByRole('button', { name: /サインイン/ }).click();
  await page.waitForURL(new RegExp(`/console/shops/${shopId}/inbox$`));
  return page;
}

export interface ConsoleSuite<S extends { disconnect(): unknown }> {
  server: TestServer;
  browser: Browser;
  pages: WatchedPages;
  /** Sockets a test opened; disconnected after each test. */
  sockets: S[];
}

/**
 * The hooks every console browser suite shares: one Chromium and one app on PGlite for the
 * suite, and after each test its sockets closed and its pages checked for script errors.
 * `server` and `browser` are set once the suite's first `before` has run.
 */
export function consoleSuite<S extends { disconnect(): unknown }>(): ConsoleSuite<S> {
  const suite = { pages: new WatchedPages(), sockets: [] as S[] } as ConsoleSuite<S>;
  before(async function () {
    this.timeout(90_000);
    suite.browser = await launchBrowser();
    suite.server = await startServer('pglite');
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  afterEach(async () => {
    for (const s of suite.sockets.splice(0)) s.disconnect();
    expect(await suite.pages.closeAll(), 'errors in the page').to.deep.equal([]);
  });
  return suite;
}
