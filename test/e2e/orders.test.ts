import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import type { TestPerson } from '../fixtures/builders.ts';
import { filed, openDesk, publish, pushOrder, type Desk } from '../integration/returns/returns.helpers.ts';

/**
 * The Orders pages in a real Chromium against the real app: the merchant imports a Shift_JIS
 * export from the page, an agent finds an order and follows its links both ways, and a
 * contractor sees contact data masked and reveals one field with a reason. Each test opens a
 * shop of its own.
 */

const sjisFixture = fileURLToPath(new URL('../fixtures/csv/orders-sjis.csv', import.meta.url));
const textOf = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

describe('orders in the console', function () {
  this.timeout(60_000);
  const suite = consoleSuite<{ disconnect(): unknown }>();

  const consoleAs = async (d: Desk, who: TestPerson): Promise<Page> => signInToConsole(await suite.pages.page(suite.browser), suite.server.url, who, d.shop.id);
  const openOrders = async (page: Page) => {
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-page').waitFor();
  };

  it('the owner imports a Shift_JIS file from the page and reads the per-line report', async () => {
    const d = await openDesk(suite.server);
    const page = await consoleAs(d, d.shop.people.owner);
    await openOrders(page);
    await page.getByLabel('CSV ファイル').setInputFiles(sjisFixture);
    // The server's answer is held on its way back (the file went all the way and was imported):
    // the page says the server is at work, with nothing left to cancel, until the report comes.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/orders/import*', requestStage: 'Response' }] });
    const held = new Promise<string>((resolve) => cdp.once('Fetch.requestPaused', (e) => resolve(e.requestId)));
    await page.getByTestId('import-submit').click();
    const requestId = await held;
    await page.getByTestId('import-progress').filter({ hasText: '取り込み中…（サーバーで処理しています）' }).waitFor();
    expect(await page.getByTestId('import-cancel').count(), 'no cancel once the file is sent').to.equal(0);
    await cdp.send('Fetch.continueRequest', { requestId });

    const report = page.getByTestId('import-report');
    await report.waitFor();
    await cdp.detach();
    expect(await textOf(report)).to.contain('文字コード：Shift_JIS');
    const count = (key: string) => textOf(page.getByTestId(`import-${key}`).locator('dd'));
    expect([await count('rows'), await count('created'), await count('updated'), await count('rejected')]).to.deep.equal(['2', '1', '0', '1']);
    const lines = page.getByTestId('import-error-line');
    expect(await lines.count()).to.equal(1);
    expect(await lines.first().getAttribute('data-line')).to.equal('2');
    expect(await textOf(lines.first())).to.contain('C-3001').and.contain('郵便番号は 150-0001 のように入力してください');
    // The list reads again after an import: the good order is there, the rejected one is not.
    await page.getByTestId('order-row').filter({ hasText: 'C-3002' }).waitFor();
    expect(await page.getByTestId('order-row').filter({ hasText: 'C-3001' }).count()).to.equal(0);
  });

  it('an agent searches and filters, opens the order, and goes to its conversation and return and back', async () => {
    const d = await openDesk(suite.server);
    await publish(d);
    const order = await pushOrder(d);
    await pushOrder(d, { shippedAt: null, deliveredAt: null });
    const conv = await d.platform.post(`/api/shops/${d.shop.id}/conversations`, { customer: { name: '田中 太郎', email: order.email }, subject: '届いた商品について', orderNumber: order.number, message: { clientId: randomUUID(), body: 'サイズが合いませんでした' } });
    expect(conv.status, conv.text).to.equal(201);
    const ret = await filed(d.owner, d.shop.id, { orderNumber: order.number });

    const page = await consoleAs(d, d.shop.people.agent);
    await openOrders(page);
    const rows = page.getByTestId('order-row');
    await page.getByTestId('order-search').fill('T-');
    await page.getByTestId('order-search').press('Enter');
    await rows.nth(1).waitFor();
    await page.getByLabel('配送状況').selectOption('delivered');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="order-row"]').length === 1);
    expect(await rows.first().getAttribute('data-number')).to.equal(order.number);

    await rows.first().getByTestId('order-link').click();
    await page.waitForURL(new RegExp(`/orders/${order.number}$`));
    expect(await textOf(page.getByTestId('order-status'))).to.contain('配達済み');
    expect(await textOf(page.getByTestId('order-total'))).to.contain('¥7,134');

    await page.getByTestId('order-conversation-link').click();
    await page.waitForURL(new RegExp(`/conversations/${conv.body.id}$`));
    await page.getByTestId('customer-sidebar').getByTestId('order-page-link').click();
    await page.waitForURL(new RegExp(`/orders/${order.number}$`));

    await page.getByTestId('order-return-link').click();
    await page.waitForURL(new RegExp(`/returns/${ret.id}$`));
    await page.getByTestId('fact-order').getByTestId('order-page-link').click();
    await page.waitForURL(new RegExp(`/orders/${order.number}$`));
    await page.getByTestId('order-return-link').waitFor();
  });

  it('a contractor sees contact data masked, cannot import, and reveals one field with a reason that is audited', async () => {
    const d = await openDesk(suite.server);
    const order = await pushOrder(d);
    // On a shared shop PC the owner looked a customer up by email and signed out; the console is not reloaded.
    const page = await consoleAs(d, d.shop.people.owner);
    await openOrders(page);
    await page.getByTestId('order-search').fill(order.email);
    await page.getByTestId('order-search').press('Enter');
    await page.getByTestId('order-row').first().waitFor();
    await page.getByTestId('sign-out').click();
    const form = page.getByTestId('sign-in-form');
    await form.getByLabel('メールアドレス').fill(d.shop.people.contractor.email);
    await form.getByLabel('パスワード').fill(d.shop.people.contractor.password);
    await form.getByRole('button', { name: /サインイン/ }).click();
    await page.waitForURL(new RegExp(`/console/shops/${d.shop.id}/inbox$`));
    await openOrders(page);
    await page.getByTestId('order-row').first().waitFor();
    expect(await page.getByTestId('order-search').inputValue(), 'the owner’s search is not the contractor’s').to.equal('');
    expect(await page.getByTestId('orders-import').count()).to.equal(0);
    expect(await page.getByTestId('order-search').getAttribute('placeholder')).to.equal('注文番号・お名前');

    await page.getByTestId('order-link').first().click();
    const email = page.getByTestId('order-email');
    await email.filter({ hasText: 'b***@e***.jp' }).waitFor();
    expect(await email.getAttribute('data-masked')).to.equal('true');
    expect(await textOf(page.getByTestId('order-phone'))).to.contain('***-****-5678');

    await page.getByTestId('reveal-email').click();
    await page.getByLabel('表示する理由（記録されます）').fill('配送先の確認のお電話のため');
    await page.getByTestId('reveal-submit').click();
    await email.filter({ hasText: order.email }).waitFor();
    expect(await email.getAttribute('data-masked')).to.equal(null);
    expect(await textOf(page.getByTestId('order-phone')), 'only the one field').to.contain('***-****-5678');

    const trail = await d.owner.get(`/api/shops/${d.shop.id}/audit?action=order.revealed`);
    expect(trail.body.events).to.have.length(1);
    expect(trail.body.events[0]).to.include({ actorId: d.shop.people.contractor.id });
    expect(trail.body.events[0].summary).to.include({ orderNumber: order.number, field: 'email', reason: '配送先の確認のお電話のため' });
  });
});
