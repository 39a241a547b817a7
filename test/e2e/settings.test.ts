import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { insertMembership } from '../../server/domains/shops/shops.repository.ts';
import { recordSighting } from '../../server/domains/shops/shops.sightings.repository.ts';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { TestClient } from '../helpers/client.ts';

/**
 * The console's settings page in a real Chromium against the real app (PGlite): the widget's
 * tag and allowed origins, judged by the server's schema with its errors shown in Japanese, and
 * the shop's API keys, tried as Bearer against the real API. Each test has a shop of its own.
 */
describe('the settings page in the agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<{ disconnect(): unknown }>();
  const { pages } = suite;

  before(() => {
    ({ server, browser } = suite);
  });

  async function openSettings(shop: TestShop, who: TestPerson): Promise<Page> {
    const page = await signInToConsole(await pages.page(browser), server.url, who, shop.id);
    await page.getByTestId('nav-settings').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings$`));
    await page.getByRole('heading', { name: '設定', level: 1 }).waitFor();
    return page;
  }

  /** Waits until keyboard focus is on the element with this test id. */
  const focusOn = (page: Page, testId: string) => page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, testId);

  it('lets an owner copy the tag with the shop id, refuses a bad origin in Japanese beside it, saves a good one, and warns before leaving unsaved changes', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);

    const snippet = await page.getByLabel('埋め込みタグ').inputValue();
    expect(snippet).to.equal(`<script src="${server.url}/widget.js" data-shop-id="${shop.id}" async></script>`);
    await page.getByRole('button', { name: 'コピー' }).first().waitFor();

    // The fixture's shop allows one origin; a second row is added and typed into, by keyboard.
    const rows = page.getByTestId('origin-input');
    expect(await rows.count()).to.equal(1);
    await page.getByTestId('add-origin').click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'origin-input');
    await page.keyboard.type('https://shop.example.jp/cart');
    await page.getByTestId('save-origins').click();
    const error = page.getByTestId('error-allowedOrigins.1');
    await error.waitFor();
    expect(await error.textContent()).to.contain('オリジンは https://shop.example.jp のように');
    expect(await rows.nth(1).getAttribute('aria-invalid')).to.equal('true');
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.get(`/api/shops/${shop.id}`)).body.allowedOrigins).to.deep.equal(['https://shop.example.jp']);

    // With changes unsaved, the console's own links ask first; dismissing stays on the page.
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await page.getByTestId('nav-inbox').click();
    expect(await asked).to.contain('保存していない変更があります');
    expect(new URL(page.url()).pathname).to.equal(`/console/shops/${shop.id}/settings`);

    await rows.nth(1).fill('https://new-shop.example.jp');
    await page.getByTestId('save-origins').click();
    await page.getByTestId('origins-status').filter({ hasText: '保存しました' }).waitFor();
    expect(await page.getByTestId('error-allowedOrigins.1').count()).to.equal(0);
    // Saved, the button stays where the keyboard is, only inert until the next change.
    await focusOn(page, 'save-origins');
    expect(await page.getByTestId('save-origins').getAttribute('aria-disabled')).to.equal('true');
    expect((await owner.get(`/api/shops/${shop.id}`)).body.allowedOrigins).to.deep.equal(['https://shop.example.jp', 'https://new-shop.example.jp']);

    // Saved: leaving asks nothing.
    await page.getByTestId('nav-inbox').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
  });

  it("asks before the browser's Back leaves unsaved origins: staying keeps the page, its address and the edit; agreeing leaves", async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    const settingsPath = `/console/shops/${shop.id}/settings`;
    const row = page.getByTestId('origin-input').first();
    await row.fill('https://edited.example.jp');

    const answer = (accept: boolean) =>
      new Promise<string>((resolve) =>
        page.once('dialog', (d) => {
          resolve(d.message());
          void (accept ? d.accept() : d.dismiss());
        }),
      );
    const stayed = answer(false);
    await page.goBack();
    expect(await stayed).to.contain('保存していない変更があります');
    await page.waitForURL((url) => url.pathname === settingsPath);
    expect(await row.inputValue()).to.equal('https://edited.example.jp');
    await page.getByTestId('settings-page').waitFor();

    const left = answer(true);
    await page.goBack();
    await left;
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
    expect(await page.getByTestId('settings-page').count()).to.equal(0);
  });

  it('asks before signing out with unsaved origins: cancelling keeps the session, the page and the edit', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    const row = page.getByTestId('origin-input').first();
    await row.fill('https://edited.example.jp');

    const stayed = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await page.getByTestId('sign-out').click();
    expect(await stayed).to.contain('保存していない変更があります');
    // The session is still alive: the console's own call to the API answers as before.
    const status = await page.evaluate(async () => (await fetch('/api/auth/session')).status);
    expect(status).to.equal(200);
    expect(new URL(page.url()).pathname).to.equal(`/console/shops/${shop.id}/settings`);
    expect(await row.inputValue()).to.equal('https://edited.example.jp');

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/console\/sign-in$/);
    expect(await page.evaluate(async () => (await fetch('/api/auth/session')).status)).to.equal(401);
  });

  it('keeps what the owner types while a save is on its way, and saves only what was sent', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    const row = page.getByTestId('origin-input').first();
    await row.fill('https://sent.example.jp');

    // The save is held in the browser until the owner has typed again, then goes on to the real server.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      void page.route(`**/api/shops/${shop.id}`, async (route) => {
        if (route.request().method() !== 'PATCH') return route.continue();
        resolve();
        await new Promise<void>((r) => (release = r));
        await route.continue();
      });
    });
    await page.getByTestId('save-origins').click();
    await held;
    await row.fill('https://typed-later.example.jp');
    release();

    const owner = await signedIn(server.url, shop.people.owner);
    await page.getByTestId('save-origins').filter({ hasText: '保存' }).filter({ hasNotText: '保存しています' }).waitFor();
    expect((await owner.get(`/api/shops/${shop.id}`)).body.allowedOrigins).to.deep.equal(['https://sent.example.jp']);
    expect(await row.inputValue()).to.equal('https://typed-later.example.jp');
    expect(await page.getByTestId('origins-status').textContent()).to.equal('保存していない変更があります');
  });

  it('creates an API key shown once that works as Bearer, and revokes it after a confirmation so it stops working', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    const keys = page.getByTestId('settings-api-keys');
    await keys.getByText('API キーはまだありません。').waitFor();

    // A blank name is refused in the form, with what the name needs, before anything is sent.
    const name = keys.getByTestId('api-key-name');
    await name.fill('   ');
    await keys.getByTestId('create-api-key').click();
    const nameError = keys.locator('#api-key-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).to.equal('キーの名前を入力してください（最大 80 文字）');
    expect(await name.getAttribute('aria-invalid')).to.equal('true');
    await focusOn(page, 'api-key-name');
    // The message follows the language toggle.
    await page.getByTestId('language-en').click();
    await nameError.filter({ hasText: 'Enter a name for the key (up to 80 characters)' }).waitFor();
    await page.getByTestId('language-ja').click();
    await keys.getByText('API キーはまだありません。').waitFor();

    await keys.getByLabel('キーの名前').fill('カートシステム');
    await keys.getByRole('button', { name: 'キーを作成' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    await focusOn(page, 'new-key');
    expect(await shown.getByTestId('new-key-warning').textContent()).to.contain('この画面を閉じると二度と表示されません');
    await shown.getByRole('button', { name: 'コピー' }).waitFor();
    const key = await shown.getByTestId('new-key-value').inputValue();
    expect(key).to.have.length.greaterThan(20);
    const row = keys.getByTestId('api-key-row');
    await row.filter({ hasText: 'カートシステム' }).filter({ hasText: '有効' }).waitFor();

    const platform = new TestClient(server.url).withKey(key);
    const before = await platform.get(`/api/shops/${shop.id}/conversations`);
    expect(before.status, before.text).to.equal(200);

    // Closed, the key is gone from the page for good.
    await shown.getByTestId('new-key-done').click();
    await shown.waitFor({ state: 'detached' });
    await focusOn(page, 'create-api-key');
    expect(await page.content()).not.to.contain(key);

    await row.getByRole('button', { name: '「カートシステム」を無効化' }).click();
    await row.getByText('「カートシステム」を無効化しますか？', { exact: false }).waitFor();
    await focusOn(page, 'confirm-revoke');
    // Cancel puts focus back on the Revoke button; asking again focuses the confirm button again.
    await row.getByRole('button', { name: 'キャンセル' }).click();
    await focusOn(page, 'revoke-api-key');
    await page.keyboard.press('Enter');
    await focusOn(page, 'confirm-revoke');
    await row.getByTestId('confirm-revoke').click();
    await row.getByText('無効化済み', { exact: false }).waitFor();
    const after = await platform.get(`/api/shops/${shop.id}/conversations`);
    expect(after.status, after.text).to.equal(401);
  });

  it("lets an owner edit the shop's profile: an empty name is refused in Japanese beside the field, a sender name is saved, and leaving unsaved asks first", async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    const profile = page.getByTestId('settings-profile');
    const name = profile.getByLabel('ショップ名');
    expect(await name.inputValue()).to.equal(shop.name);
    expect(await profile.getByLabel('タイムゾーン').inputValue()).to.equal('Asia/Tokyo');

    await name.fill('   ');
    await profile.getByLabel('メールの差出人名').fill('山田商店 サポート');
    await profile.getByTestId('save-profile').click();
    const error = profile.getByTestId('profile-error-name');
    await error.waitFor();
    // The server's own rule, in Japanese (details[].ja), not the English of details[].message.
    expect(await error.textContent()).to.equal('入力してください。');
    expect(await name.getAttribute('aria-invalid')).to.equal('true');
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.get(`/api/shops/${shop.id}`)).body).to.include({ name: shop.name, mailSenderName: null });

    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await page.getByTestId('nav-inbox').click();
    expect(await asked).to.contain('保存していない変更があります');

    await name.fill('山田商店');
    await profile.getByTestId('save-profile').click();
    await profile.getByTestId('profile-status').filter({ hasText: '保存しました' }).waitFor();
    expect(await profile.getByTestId('profile-error-name').count()).to.equal(0);
    expect((await owner.get(`/api/shops/${shop.id}`)).body).to.include({ name: '山田商店', mailSenderName: '山田商店 サポート', timezone: 'Asia/Tokyo' });
  });

  it("lets an owner invite a person (a bad address refused in Japanese), change a role, see a contractor's other shops of theirs, and remove the contractor after asking", async () => {
    const shop = await makeShop(server.database);
    // The owner's second shop, where the contractor works too; a third shop of someone else's stays unsaid.
    const second = await makeShop(server.database, `二号店 ${Date.now()}`);
    const stranger = await makeShop(server.database);
    await insertMembership(server.database.db, second.id, shop.people.owner.id, 'owner');
    for (const s of [second, stranger]) await insertMembership(server.database.db, s.id, shop.people.contractor.id, 'contractor');
    const page = await openSettings(shop, shop.people.owner);
    const people = page.getByTestId('settings-people');
    const rows = people.getByTestId('member-row');
    await rows.nth(3).waitFor();
    expect(await rows.count()).to.equal(4);
    const contractor = rows.filter({ hasText: shop.people.contractor.email });
    await contractor.getByTestId('masked-badge').waitFor();
    await contractor.getByText(`あなたのほかのショップ: ${second.name}`, { exact: true }).waitFor();
    expect(await contractor.textContent()).not.to.contain(stranger.name);
    // No controls on one's own row.
    expect(await rows.filter({ hasText: shop.people.owner.email }).getByTestId('member-role').count()).to.equal(0);

    const invites = people.getByTestId('invitations');
    await invites.getByText('招待中の人はいません。').waitFor();
    await invites.getByLabel('メールアドレス').fill('not-an-address');
    await invites.getByTestId('send-invite').click();
    const emailError = invites.getByTestId('invite-error-email');
    await emailError.waitFor();
    expect(await emailError.textContent()).to.equal('メールアドレスの形式で入力してください（例：taro@example.jp）。');

    const invitee = `invitee-${Date.now()}@test.madoguchi.test`;
    await invites.getByLabel('メールアドレス').fill(invitee);
    await invites.getByLabel('役割').selectOption('staff');
    await invites.getByTestId('send-invite').click();
    await invites.getByTestId('invite-status').filter({ hasText: `${invitee} に招待メールを送りました。` }).waitFor();
    await invites.getByTestId('invitation-row').filter({ hasText: invitee }).filter({ hasText: 'スタッフ' }).waitFor();
    expect(await invites.getByTestId('invite-error-email').count()).to.equal(0);

    const agentRow = rows.filter({ hasText: shop.people.agent.email });
    await agentRow.getByLabel(`${shop.people.agent.name} の役割`).selectOption('staff');
    await agentRow.getByTestId('apply-role').click();
    await people.getByTestId('people-status').filter({ hasText: 'の役割を「スタッフ」に変更しました。' }).waitFor();

    await contractor.getByTestId('remove-member').click();
    await focusOn(page, 'confirm-remove-member');
    await contractor.getByTestId('confirm-remove-member').click();
    await contractor.waitFor({ state: 'detached' });

    const owner = await signedIn(server.url, shop.people.owner);
    const members = (await owner.get(`/api/shops/${shop.id}/members`)).body as { userId: string; role: string }[];
    expect(Object.fromEntries(members.map((m) => [m.userId, m.role]))).to.deep.equal({
      [shop.people.owner.id]: 'owner',
      [shop.people.staff.id]: 'staff',
      [shop.people.agent.id]: 'staff',
    });
    const open = (await owner.get(`/api/shops/${shop.id}/invitations`)).body as { email: string; role: string }[];
    expect(open.map((i) => [i.email, i.role])).to.deep.equal([[invitee, 'staff']]);
  });

  it('shows an agent the tag and the origins to read, and no API keys section', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.agent);
    expect(await page.getByLabel('埋め込みタグ').inputValue()).to.contain(`data-shop-id="${shop.id}"`);
    expect(await page.getByTestId('origins-read').textContent()).to.equal('https://shop.example.jp');
    await page.getByTestId('origins-read-only').waitFor();
    expect(await page.getByTestId('origins-form').count()).to.equal(0);
    expect(await page.getByTestId('settings-api-keys').count()).to.equal(0);
    // The profile to read, no people (the API keeps them to owners and staff), no secret; the integrations, Slack's leading to its section.
    await page.getByTestId('profile-read').waitFor();
    expect(await page.getByTestId('settings-people').count()).to.equal(0);
    expect(await page.getByTestId('settings-widget-secret').count()).to.equal(0);
    expect(await page.getByTestId('integration-delay-notices').textContent()).to.contain('利用できます');
    expect(await page.getByTestId('integration-notices-open').getAttribute('href')).to.equal(`/console/shops/${shop.id}/notices`);
    expect(await page.getByTestId('integration-mail-domain').textContent()).to.contain('準備中');
    expect(await page.getByTestId('integration-slack').textContent()).to.contain('利用できます');
    expect(await page.getByTestId('integration-slack-open').getAttribute('href')).to.equal(`/console/shops/${shop.id}/settings#settings-slack`);
  });

  it('allows an origin the widget was seen on only after asking, naming it and warning that the Origin header can be made up', async () => {
    const shop = await makeShop(server.database);
    await recordSighting(server.database.db, shop.id, 'https://lookalike.example.com', false);
    const page = await openSettings(shop, shop.people.owner);
    const allow = page.getByTestId('allow-origin');
    await allow.click();
    const ask = page.getByTestId('allow-origin-confirm');
    const text = await ask.innerText();
    expect(text).to.contain('https://lookalike.example.com を許可しますか？').and.to.contain('Origin ヘッダーは偽装できます').and.to.contain('よく似たドメイン');
    // The first click added nothing; cancelling leaves it as it was.
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.get(`/api/shops/${shop.id}`)).body.allowedOrigins).to.deep.equal(['https://shop.example.jp']);
    await ask.getByRole('button', { name: 'キャンセル' }).click();
    await allow.click();
    await page.getByTestId('allow-origin-yes').click();
    await page.getByTestId('seen-allowed').filter({ hasText: 'https://lookalike.example.com' }).waitFor();
    expect((await owner.get(`/api/shops/${shop.id}`)).body.allowedOrigins).to.deep.equal(['https://shop.example.jp', 'https://lookalike.example.com']);
  });

  it("the widget's look: its errors follow a change of language, and what is typed while a save is on its way stays", async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop, shop.people.owner);
    await page.getByTestId('look-privacyUrl').fill('http://shop.example.jp/privacy');
    await page.getByTestId('save-look').click();
    const error = page.getByTestId('error-privacyUrl');
    await error.filter({ hasText: 'プライバシーポリシーの URL は https://' }).waitFor();
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      page.getByTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await error.filter({ hasText: 'expected an https:// address of at most 500 characters' }).waitFor();

    // The save is held in the browser until the owner has typed again, then goes on to the real server.
    await page.getByTestId('look-privacyUrl').fill('https://shop.example.jp/privacy');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      void page.route(`**/api/shops/${shop.id}`, async (route) => {
        if (route.request().method() !== 'PATCH') return route.continue();
        resolve();
        await new Promise<void>((r) => (release = r));
        await route.continue();
      });
    });
    await page.getByTestId('save-look').click();
    await held;
    await page.getByTestId('look-widgetGreetingJa').fill('いらっしゃいませ');
    const answered = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/shops/${shop.id}`));
    release();
    expect((await answered).status()).to.equal(200);
    // The save's answer is in once its error is gone (cleared in the same update as the draft).
    await error.waitFor({ state: 'detached' });
    const owner = await signedIn(server.url, shop.people.owner);
    const saved = (await owner.get(`/api/shops/${shop.id}`)).body;
    expect(saved.privacyUrl).to.equal('https://shop.example.jp/privacy');
    expect(saved.widgetGreetingJa).to.equal(null);
    expect(await page.getByTestId('look-widgetGreetingJa').inputValue()).to.equal('いらっしゃいませ');
    expect(await page.getByTestId('look-privacyUrl').inputValue()).to.equal('https://shop.example.jp/privacy');
  });
});
