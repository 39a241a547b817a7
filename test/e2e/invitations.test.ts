import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, watchedPage } from '../helpers/browser.ts';
import type { TestClient } from '../helpers/client.ts';
import type { SinkMail } from '../helpers/smtp.ts';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';

/** An owner invites people by email; they accept in the console as a person would, from the mailed link. */
describe('accepting an invitation in the browser', function () {
  this.timeout(60_000);
  let server: TestServer;
  let browser: Browser;
  let shop: TestShop;
  let owner: TestClient;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    browser = await launchBrowser();
    server = await startServer('pglite');
    shop = await makeShop(server.database, '招待テスト商店');
    owner = await signedIn(server.url, shop.people.owner);
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

  /** The owner invites; the link is read from the mail the real SMTP sink received. */
  async function inviteLink(email: string, role: string): Promise<string> {
    const r = await owner.post(`/api/shops/${shop.id}/invitations`, { email, role });
    expect(r.status).to.equal(201);
    const mail: SinkMail = await server.smtp.waitFor((m) => m.to.includes(email));
    const token = /\/console\/invitations\/([\w-]{43})/.exec(mail.text)![1]!;
    return `${server.url}/console/invitations/${token}`;
  }

  it('a new person opens the mailed link, creates an account, and lands in the shop', async () => {
    const email = `new-${Date.now()}@test.madoguchi.test`;
    const link = await inviteLink(email, 'agent');
    await page.goto(link);
    await page.getByTestId('invitation-form').waitFor();
    expect(await page.getByTestId('invitation-shop').textContent()).to.contain('招待テスト商店');
    expect(await page.getByTestId('invitation-role').textContent()).to.contain('エージェント');
    expect(await page.getByTestId('invitation-email').textContent()).to.contain(email);
    const form = page.getByTestId('invitation-form');
    await form.getByLabel(/お名前/).fill('新人 エージェント');
    await form.getByLabel(/パスワード（12文字以上）/).fill('a long enough password');
    await form.getByLabel(/パスワード（確認）/).fill('a long enough password');
    await form.getByRole('button').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
    await page.getByTestId('inbox-empty').waitFor();
    expect(await page.getByTestId('user-name').textContent()).to.contain('新人 エージェント');

    // The link is used up.
    const again = await browser.newPage();
    await again.goto(link);
    await again.getByTestId('invitation-error').waitFor();
    expect(await again.getByTestId('invitation-error').textContent()).to.contain('無効か、期限が切れています');
    await again.close();
  });

  it('a person with an account signs in on the invitation page, accepts, and sees the new shop beside their old one', async () => {
    const elsewhere = await makeShop(server.database, '別の店');
    const who = elsewhere.people.contractor;
    const link = await inviteLink(who.email, 'contractor');
    await page.goto(link);
    await page.getByTestId('invitation-sign-in-first').waitFor();
    expect(await page.getByTestId('invitation-form').count()).to.equal(0);
    const signIn = page.getByTestId('sign-in-form');
    await signIn.getByLabel('パスワード').fill(who.password);
    await signIn.getByRole('button', { name: /サインイン/ }).click();
    await page.getByTestId('invitation-accept').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
    await page.getByTestId('shop-switcher').waitFor();
    const options = await page.getByTestId('shop-switcher').locator('option').allTextContents();
    expect(options).to.include.members(['招待テスト商店', '別の店']);
  });
});
