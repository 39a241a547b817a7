import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { sampleOrder, sampleOrderNumber } from '../../server/domains/orders/orders.sample.ts';
import { makeShop } from '../fixtures/builders.ts';
import { consoleSuite, signInToConsole, watchedPage } from '../helpers/browser.ts';
import { TestClient } from '../helpers/client.ts';
import { customerEmail, shopSite, widget, type ShopSite } from './widget.page.ts';

/**
 * A new merchant's first run, in a real Chromium against the real app: from an empty shop (its
 * owner alone) through the checklist to a customer chatting on the shop's own page, served from
 * another origin, with every step marked done by the server from what the owner actually did.
 */
describe('the first-run checklist in the agent console', function () {
  this.timeout(120_000);
  const suite = consoleSuite<{ disconnect(): unknown }>();
  let site: ShopSite;
  before(async () => {
    site = await shopSite(suite.server.url);
  });
  after(() => site?.close());

  const stepState = (page: Page, id: string) => page.getByTestId(`setup-step-${id}`).getAttribute('data-state');
  const doneSoon = (page: Page, id: string) =>
    page.waitForFunction((step) => document.querySelector(`[data-testid="setup-step-${step}"]`)?.getAttribute('data-state') === 'done', id, { timeout: 20_000 });
  const backToChecklist = async (page: Page, shopId: string) => {
    await page.getByTestId('nav-setup').click();
    await page.waitForURL(new RegExp(`/console/shops/${shopId}/setup$`));
    await page.getByTestId('setup-progress').waitFor();
  };

  it('takes a new owner from an empty shop to a customer chatting on a page of another origin, each step done from real state', async () => {
    const { server, browser, pages } = suite;
    const shop = await makeShop(server.database, undefined, ['owner']);
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);

    // The first sign-in greets the owner with the checklist.
    const panel = page.getByTestId('setup-panel');
    await panel.waitFor();
    // Seven steps; the builder's shop already has the contact its notices print, so that one is done.
    expect(await panel.textContent()).to.contain('7 件中 1 件完了');
    await page.getByTestId('setup-panel-open').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/setup$`));
    expect(await page.getByTestId('setup-progress').textContent()).to.contain('7 件中 1 件完了');
    for (const id of ['widget', 'hours', 'terms', 'people', 'platform', 'slack']) expect(await stepState(page, id), id).to.equal('open');
    expect(await stepState(page, 'notices')).to.equal('done');
    expect(await page.getByTestId('setup-go-slack').getAttribute('href')).to.equal(`/console/shops/${shop.id}/settings#settings-slack`);

    // 1. The chat on the shop: the tag carries the shop id; the shop's page origin is allowed here.
    const step = page.getByTestId('setup-step-widget');
    expect(await step.getByLabel('埋め込みタグ').inputValue()).to.contain(`data-shop-id="${shop.id}"`);
    await step.getByTestId('origin-input').first().fill(site.origin);
    await step.getByTestId('save-origins').click();
    await step.getByText('保存しました').waitFor();

    // A customer opens the shop's page and writes; the checklist sees the widget there by itself.
    const customer = await watchedPage(browser);
    const w = widget(customer.page);
    await customer.page.goto(site.url(shop.id));
    await w.open();
    await w.fillForm('山田 花子', customerEmail());
    await w.send('サイズ交換はできますか？');
    await w.stored('サイズ交換はできますか？').waitFor();
    await doneSoon(page, 'widget');
    expect(await page.getByTestId('setup-widget-seen').textContent()).to.contain(`ウィジェットは ${site.origin} で`);

    // 2. Business hours, in the settings section the checklist links to (scrolled to, its heading focused).
    await page.getByTestId('setup-go-hours').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings#settings-hours$`));
    await page.getByTestId('hours-from-1-0').waitFor();
    await page.getByLabel('土曜日は営業').check();
    await page.getByLabel('土曜日 1番目の開始').fill('10:00');
    await page.getByLabel('土曜日 1番目の終了').fill('15:00');
    await page.getByTestId('save-hours').click();
    await page.getByTestId('hours-status').filter({ hasText: '保存しました' }).waitFor();
    await backToChecklist(page, shop.id);
    expect(await stepState(page, 'hours')).to.equal('done');

    // 3. Return terms: the statutory defaults published as they are.
    await page.getByTestId('setup-go-terms').click();
    await page.getByTestId('terms-page').waitFor();
    await page.getByTestId('terms-publish').click();
    await page.getByTestId('terms-done').waitFor();
    await backToChecklist(page, shop.id);
    expect(await stepState(page, 'terms')).to.equal('done');

    // 4. People: an invitation from the settings section the checklist links to.
    await page.getByTestId('setup-go-people').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings#settings-people$`));
    const invites = page.getByTestId('invitations');
    await invites.getByLabel('メールアドレス').fill(`staff-${Date.now()}@test.madoguchi.test`);
    await invites.getByLabel('役割').selectOption('staff');
    await invites.getByTestId('send-invite').click();
    await invites.getByTestId('invitation-row').waitFor();
    await backToChecklist(page, shop.id);
    expect(await stepState(page, 'people')).to.equal('done');

    // 5. The platform: a key made in place, and the sample order the checklist shows sent with it.
    const platform = page.getByTestId('setup-step-platform');
    await platform.getByTestId('api-key-name').fill('ショップ連携');
    await platform.getByTestId('create-api-key').click();
    const key = await platform.getByTestId('new-key-value').inputValue();
    const curl = await platform.getByTestId('setup-curl').textContent();
    expect(curl).to.contain(`/api/shops/${shop.id}/orders/${sampleOrderNumber}?dryRun=true`);
    // The sample is a dry run: the checklist says the key works and waits for a real order.
    const platformApi = new TestClient(server.url).withKey(key);
    const tried = await platformApi.put(`/api/shops/${shop.id}/orders/${sampleOrderNumber}?dryRun=true`, sampleOrder);
    expect(tried.status, tried.text).to.equal(200);
    await page.getByTestId('setup-platform-state').filter({ hasText: 'キーは使えています' }).waitFor({ timeout: 20_000 });
    expect(await stepState(page, 'platform')).to.equal('open');
    await platform.getByTestId('new-key-done').click();
    const sent = await platformApi.put(`/api/shops/${shop.id}/orders/${sampleOrderNumber}`, sampleOrder);
    expect(sent.status, sent.text).to.equal(201);
    await doneSoon(page, 'platform');
    expect(await page.getByTestId('setup-platform-state').textContent()).to.contain('最新の注文');

    // The customer's chat waits in the inbox, where the checklist still greets the owner with the one step left (Slack: test/e2e/slack.settings.test.ts).
    await page.getByTestId('nav-inbox').click();
    await page.getByTestId('inbox-row').filter({ has: page.getByTestId('inbox-customer').getByText('山田 花子') }).waitFor();
    expect(await page.getByTestId('setup-panel').textContent()).to.contain('7 件中 6 件完了');
    await customer.context.close();
    expect(customer.problems, 'errors in the shop page').to.deep.equal([]);
  });
});
