import { expect } from 'chai';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { seedDemo, type DemoResult, type DemoSignIn } from '../../server/demo.ts';
import type { Role } from '../../server/domains/shops/shops.tables.ts';
import { users } from '../../server/domains/shops/shops.tables.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, watchedPage } from '../helpers/browser.ts';

/**
 * The agent console in a real Chromium against the real app (PGlite, real Redis), signed in
 * as the demo people. Needs the built console (`npm test` builds it first) and Chromium at
 * CHROMIUM_PATH or /usr/bin/chromium. CONSOLE_SCREENSHOT=/tmp/console-shell.png saves a
 * picture of the signed-in shell.
 */


/** What the console must call each role, in Japanese and English (from the spec, not from the console's code). */
const roleLabels: Record<Role, { ja: string; en: string }> = {
  owner: { ja: 'オーナー', en: 'Owner' },
  staff: { ja: 'スタッフ', en: 'Staff' },
  agent: { ja: 'エージェント', en: 'Agent' },
  contractor: { ja: '委託スタッフ', en: 'Contractor' },
};
const article: Record<Role, string> = { owner: 'an', staff: 'a', agent: 'an', contractor: 'a' };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (s: string) => new RegExp(`^\\s*${escape(s)}\\s*$`);

describe('agent console in the browser', function () {
  this.timeout(30_000);

  let server: TestServer;
  let browser: Browser;
  let demo: DemoResult;
  const names = new Map<string, string>();
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async function () {
    this.timeout(60_000);
    browser = await launchBrowser();
    server = await startServer('pglite');
    demo = await seedDemo(server.database.db);
    for (const u of await server.database.db.select({ email: users.email, name: users.name }).from(users)) names.set(u.email, u.name);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    ({ context, page, problems } = await watchedPage(browser));
  });

  afterEach(async () => {
    await context?.close();
    expect(problems, 'errors in the page').to.deep.equal([]);
  });

  const person = (role: Role): DemoSignIn & { password: string; name: string } => {
    const u = demo.users.find((x) => x.role === role);
    if (!u?.password) throw new Error(`no demo ${role} with a password`);
    return { ...u, password: u.password, name: names.get(u.email) ?? '' };
  };
  const shopId = (name: string) => {
    const s = demo.shops.find((x) => x.name === name);
    if (!s) throw new Error(`no demo shop ${name}`);
    return s.id;
  };
  const inboxUrl = (id: string) => new RegExp(`/console/shops/${id}/inbox$`);

  const byTestId = (id: string) => page.getByTestId(id);
  const waitForText = (locator: Locator, text: string | RegExp) => locator.filter({ hasText: text }).waitFor({ timeout: 10_000 });
  const textOf = async (locator: Locator) => (await locator.textContent())?.trim() ?? '';

  async function fillSignIn(email: string, password: string) {
    const form = byTestId('sign-in-form');
    await form.waitFor();
    await form.getByLabel('メールアドレス').fill(email);
    await form.getByLabel('パスワード').fill(password);
    await form.getByRole('button', { name: /サインイン/ }).click();
  }

  async function signIn(who: { email: string; password: string }, baseUrl = server.url) {
    if (!page.url().includes('/console/')) await page.goto(`${baseUrl}/console/`);
    await fillSignIn(who.email, who.password);
    await byTestId('inbox-empty').waitFor();
  }

  for (const role of ['owner', 'staff', 'agent', 'contractor'] as const) {
    it(`${article[role]} ${role} signs in through the form, sees their name, role, shop and empty inbox, then signs out`, async () => {
      const who = person(role);
      await page.goto(`${server.url}/console/`);
      await page.waitForURL(/\/console\/sign-in$/);
      expect(await page.title()).to.contain('窓口');

      await signIn(who);

      expect(await textOf(byTestId('user-name'))).to.equal(who.name);
      expect(await textOf(byTestId('user-role'))).to.equal(roleLabels[role].ja);
      const shopName = await textOf(byTestId('current-shop'));
      expect(who.shops).to.include(shopName);
      expect(page.url()).to.match(inboxUrl(shopId(shopName)));
      expect(await textOf(byTestId('inbox-empty'))).to.contain('お問い合わせはまだありません');
      expect(await page.getByRole('banner').textContent()).to.contain('窓口').and.contain('madoguchi');
      expect(await page.getByRole('navigation').getByRole('link', { name: '受信箱' }).getAttribute('aria-current')).to.equal('page');
      if (role === 'owner' && process.env.CONSOLE_SCREENSHOT) await page.screenshot({ path: process.env.CONSOLE_SCREENSHOT });

      await byTestId('sign-out').click();
      await byTestId('sign-in-form').waitFor();
      await page.waitForURL(/\/console\/sign-in$/);
      expect(await textOf(byTestId('sign-in-notice'))).to.contain('サインアウトしました');
      expect(await byTestId('user-name').count()).to.equal(0);

      // The server ended the session too: the shop's page asks to sign in again.
      await page.goto(`${server.url}/console/shops/${shopId(shopName)}/inbox`);
      await byTestId('sign-in-form').waitFor();
      expect(await byTestId('sign-in-notice').count(), 'no "expired" notice after signing out').to.equal(0);
    });
  }

  for (const role of ['owner', 'contractor'] as const) {
    it(`${article[role]} ${role} with two shops switches between them, and the console remembers the choice`, async () => {
      const who = person(role);
      expect(who.shops).to.have.length(2);
      await signIn(who);

      const first = await textOf(byTestId('current-shop'));
      const other = who.shops.find((s) => s !== first)!;
      const switcher = byTestId('shop-switcher');
      expect(await switcher.isVisible()).to.equal(true);
      expect(await switcher.inputValue()).to.equal(shopId(first));

      await switcher.selectOption(shopId(other));
      await waitForText(byTestId('current-shop'), exactly(other));
      await page.waitForURL(inboxUrl(shopId(other)));
      expect(await textOf(byTestId('user-role'))).to.equal(roleLabels[role].ja);
      await byTestId('inbox-empty').waitFor();

      // Back goes to the previous shop; the address bar is the source of truth.
      await page.goBack();
      await waitForText(byTestId('current-shop'), exactly(first));
      await page.goForward();
      await waitForText(byTestId('current-shop'), exactly(other));

      // Opening the console again lands in the shop used last.
      await page.goto(`${server.url}/console/`);
      await page.waitForURL(inboxUrl(shopId(other)));
      await waitForText(byTestId('current-shop'), exactly(other));
    });
  }

  it('staff and agents, who work in one shop, see no shop switcher', async () => {
    for (const role of ['staff', 'agent'] as const) {
      const who = person(role);
      await context.clearCookies();
      await page.goto(`${server.url}/console/sign-in`);
      await signIn(who);
      expect(await textOf(byTestId('current-shop'))).to.equal(who.shops[0]);
      expect(await byTestId('shop-switcher').count(), `${role} has no switcher`).to.equal(0);
    }
  });

  it('a wrong password shows an error and stays on the sign-in page', async () => {
    const who = person('staff');
    await page.goto(`${server.url}/console/`);
    await fillSignIn(who.email, `${who.password}-wrong`);

    const error = byTestId('sign-in-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).to.equal('alert');
    expect(await textOf(error)).to.contain('メールアドレスまたはパスワードが正しくありません').and.contain('The email or password is incorrect');
    expect(page.url()).to.match(/\/console\/sign-in$/);
    expect(await byTestId('sign-in-password').inputValue()).to.equal('');
    expect(await byTestId('sign-in-email').inputValue()).to.equal(who.email);
    expect((await context.cookies()).map((c) => c.name)).not.to.include('mdg_session');

    // The right password still works afterwards.
    await fillSignIn(who.email, who.password);
    await byTestId('inbox-empty').waitFor();
  });

  it('too many attempts, and a server that cannot be reached, are explained on the sign-in page', async () => {
    // A second app on the same database whose limiter locks an account after one failure.
    const strict = await startServer('pglite', { database: server.database, signInLimits: { perAccount: 1 } });
    try {
      await page.goto(`${strict.url}/console/`);
      const email = `locked-${Date.now()}@demo.madoguchi.test`;
      await fillSignIn(email, 'not-the-password');
      await waitForText(byTestId('sign-in-error'), /正しくありません/);
      await fillSignIn(email, 'not-the-password');
      await waitForText(byTestId('sign-in-error'), /試行回数が多すぎます/);
      const text = await textOf(byTestId('sign-in-error'));
      expect(text).to.match(/約\d+分後にもう一度お試しください/).and.match(/Please try again in about \d+ minutes/);
    } finally {
      await strict.close();
    }
    await fillSignIn('anyone@demo.madoguchi.test', 'whatever');
    await waitForText(byTestId('sign-in-error'), /サーバーに接続できませんでした/);
    expect(await textOf(byTestId('sign-in-error'))).to.contain('Could not reach the server');
  });

  it('the language toggle switches the console between Japanese and English, and remembers it', async () => {
    await signIn(person('owner'));
    const nav = page.getByRole('navigation');
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal('ja');
    expect(await nav.textContent()).to.contain('受信箱').and.contain('注文').and.not.contain('準備中');
    expect(await byTestId('language-ja').getAttribute('aria-pressed')).to.equal('true');

    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      byTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await waitForText(byTestId('user-role'), exactly('Owner'));
    expect(await nav.textContent()).to.contain('Inbox').and.contain('Returns').and.contain('Orders').and.not.contain('受信箱');
    expect(await textOf(byTestId('inbox-empty'))).to.contain('No conversations yet').and.not.contain('お問い合わせ');
    expect(await textOf(byTestId('sign-out'))).to.equal('Sign out');
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal('en');

    await page.reload();
    await waitForText(byTestId('user-role'), exactly('Owner'));
    expect(await textOf(byTestId('inbox-empty'))).to.contain('No conversations yet');

    // The choice is saved to the account, so another device (a fresh browser) opens in English too.
    const elsewhere = await browser.newContext();
    try {
      const other = await elsewhere.newPage();
      await other.goto(`${server.url}/console/`);
      const form = other.getByTestId('sign-in-form');
      await form.getByLabel('メールアドレス').fill(person('owner').email);
      await form.getByLabel('パスワード').fill(person('owner').password);
      await form.getByRole('button', { name: /サインイン/ }).click();
      await other.getByTestId('user-role').filter({ hasText: exactly('Owner') }).waitFor({ timeout: 10_000 });
    } finally {
      await elsewhere.close();
    }

    // Wait for the account to be saved back to Japanese, so later tests start from it.
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      byTestId('language-toggle').getByRole('button', { name: '日本語' }).click(),
    ]);
    await waitForText(byTestId('user-role'), exactly('オーナー'));
    expect(await textOf(byTestId('inbox-empty'))).to.contain('お問い合わせはまだありません');
    expect(await textOf(byTestId('sign-out'))).to.equal('サインアウト');
  });

  it('a person whose session is gone is sent to sign-in when the page is reloaded', async () => {
    await signIn(person('agent'));
    await context.clearCookies();
    await page.reload();
    await byTestId('sign-in-form').waitFor();
    await page.waitForURL(/\/console\/sign-in$/);
    expect(await textOf(byTestId('sign-in-notice'))).to.contain('セッションの有効期限が切れました').and.contain('Your session has expired');
  });

  it('a session that ends while the console is open leads to sign-in, then back to the same shop', async () => {
    const who = person('owner');
    await signIn(who);
    const current = await textOf(byTestId('current-shop'));
    const target = who.shops.find((s) => s !== current)!;

    await context.clearCookies();
    await byTestId('shop-switcher').selectOption(shopId(target)); // the shop's settings are fetched: 401
    await byTestId('sign-in-form').waitFor();
    await page.waitForURL(/\/console\/sign-in$/);
    expect(await textOf(byTestId('sign-in-notice'))).to.contain('セッションの有効期限が切れました').and.contain('Your session has expired');

    await signIn(who);
    await page.waitForURL(inboxUrl(shopId(target)));
    expect(await textOf(byTestId('current-shop'))).to.equal(target);
  });

  it('the first Tab reaches a skip link, shown while focused, and Enter moves focus to the main content', async () => {
    await signIn(person('owner'));
    await page.reload();
    await byTestId('inbox-empty').waitFor();
    const skip = page.getByRole('link', { name: 'メインコンテンツへ移動' });
    expect(await skip.evaluate((el) => el.getBoundingClientRect().bottom)).to.be.at.most(0);

    await page.keyboard.press('Tab');
    expect(await skip.evaluate((el) => el === document.activeElement)).to.equal(true);
    expect(await skip.evaluate((el) => el.getBoundingClientRect().top)).to.be.at.least(0);

    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    expect(await page.getByRole('main').evaluate((el) => el === document.activeElement)).to.equal(true);
  });

  it('a signed-out visitor to a shop page signs in and lands in that shop', async () => {
    const who = person('contractor');
    for (const name of who.shops) {
      await context.clearCookies();
      await page.goto(`${server.url}/console/shops/${shopId(name)}/inbox`);
      await page.waitForURL(/\/console\/sign-in$/);
      await signIn(who);
      await page.waitForURL(inboxUrl(shopId(name)));
      expect(await textOf(byTestId('current-shop'))).to.equal(name);
    }
  });
});
