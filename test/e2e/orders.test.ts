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
    await page.getByTestId('import-submit').click();

    const report = page.getByTestId('import-report');
    await report.waitFor();
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
    const page = await consoleAs(d, d.shop.people.contractor);
    await openOrders(page);
    await page.getByTestId('order-row').first().waitFor();
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
