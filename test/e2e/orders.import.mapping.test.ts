import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';

/**
 * The order import's column-mapping step in a real Chromium against the real app: a file whose
 * headers match neither madoguchi's columns nor a platform's export opens the step by itself
 * (the server said no layout matched); the merchant picks a column per field from the file's
 * own headers, gives the tax rate and payment method the file lacks, saves and imports. The
 * report says it read the file with the saved mapping and names the file's own column at a bad
 * row; the next file with the same headers is read without asking. A Shopify export is read as
 * it is, and its report names Shopify's own column at a bad row.
 */

const shopifyExport = readFileSync(new URL('../fixtures/exports/shopify-orders_export.csv', import.meta.url), 'utf8');

const headers = ['Order ID', 'Order Date', 'Buyer', 'Buyer Mail', 'Item Code', 'Item Title', 'Qty', 'Price incl tax'];
const csv = (rows: string[][]) => [headers, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';
const textOf = async (l: Locator) => (await l.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

describe('mapping the columns of an unknown order export in the console', function () {
  this.timeout(90_000);
  const suite = consoleSuite<{ disconnect(): unknown }>();

  const openOrders = async (shop: TestShop): Promise<Page> => {
    const page = await signInToConsole(await suite.pages.page(suite.browser), suite.server.url, shop.people.owner, shop.id);
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-import').waitFor();
    return page;
  };
  const upload = (page: Page, name: string, body: string) => page.getByLabel('CSV ファイル').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(body, 'utf8') });

  it('opens the step when no layout matches, imports with the mapping chosen, names the file’s own column in the report, and reuses the mapping next time', async () => {
    const shop = await makeShop(suite.server.database);
    const [a, b] = [`X-${randomUUID().slice(0, 6)}`, `X-${randomUUID().slice(0, 6)}`];
    const file = csv([
      [a, '2026/11/25 14:03', '山田 太郎', 'taro@example.jp', 'TEA-01', '抹茶 100g', '2', '1980'],
      [b, '2026/11/26 09:00', '佐藤 花子', 'hanako@example.jp', 'CUP-02', '湯呑み', '1', 'abc'],
    ]);
    const page = await openOrders(shop);
    await upload(page, 'unknown-shop-export.csv', file);
    await page.getByTestId('import-submit').click();

    // No layout matched: the step opens by itself with the file's headers and its first rows, masked.
    const step = page.getByTestId('mapping-step');
    await step.getByTestId('mapping-unmatched').waitFor();
    await step.getByTestId('mapping-form').waitFor();
    const options = await step.getByTestId('mapping-select-order_number').locator('option').allTextContents();
    expect(options.slice(1)).to.deep.equal(headers);
    expect(await step.getByTestId('mapping-row-order_number').getAttribute('data-required')).to.equal('true');
    expect(await step.getByTestId('mapping-row-carrier').getAttribute('data-required')).to.equal('false');
    const samples = await textOf(step.getByTestId('mapping-samples'));
    expect(samples).to.contain(a).and.not.contain('taro@example.jp');

    // Saving with a required field left out is said at that field, and nothing is imported.
    const choose: Record<string, string> = { order_number: 'Order ID', ordered_at: 'Order Date', customer_name: 'Buyer', customer_email: 'Buyer Mail', sku: 'Item Code', item_name: 'Item Title', quantity: 'Qty' };
    for (const [field, header] of Object.entries(choose)) await step.getByTestId(`mapping-select-${field}`).selectOption(header);
    await step.getByTestId('mapping-select-unit_price').selectOption('');
    await step.getByTestId('mapping-tax-rate').selectOption('10');
    await step.getByTestId('mapping-payment').selectOption('credit_card');
    await step.getByTestId('mapping-submit').click();
    await step.getByTestId('mapping-error-unit_price').waitFor();
    expect(await step.getByTestId('mapping-select-unit_price').getAttribute('aria-invalid')).to.equal('true');
    // Said in the language on screen, and again in the other when it changes.
    expect(await textOf(step.getByTestId('mapping-error-unit_price'))).to.contain('単価');
    await page.getByRole('button', { name: 'English' }).click();
    await step.getByTestId('mapping-error-unit_price').filter({ hasText: 'Choose the column for' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await step.getByTestId('mapping-error-unit_price').filter({ hasText: '列を割り当ててください' }).waitFor();

    await step.getByTestId('mapping-select-unit_price').selectOption('Price incl tax');
    await step.getByTestId('mapping-name').fill('よその店の書き出し');
    await step.getByTestId('mapping-submit').click();

    const report = page.getByTestId('import-report');
    await report.waitFor();
    expect(await page.getByTestId('import-preset').getAttribute('data-preset')).to.equal('custom');
    const count = (key: string) => textOf(page.getByTestId(`import-${key}`).locator('dd'));
    expect([await count('rows'), await count('created'), await count('rejected')]).to.deep.equal(['2', '1', '1']);
    const bad = page.getByTestId('import-error-line');
    expect(await bad.count()).to.equal(1);
    expect(await textOf(bad.first())).to.contain(b).and.contain('Price incl tax');
    await page.getByTestId('order-row').filter({ hasText: a }).waitFor();

    // The mapping is the shop's now: saved as chosen, with the defaults.
    const owner = await signedIn(suite.server.url, shop.people.owner);
    const saved = (await owner.get(`/api/shops/${shop.id}/orders/import/mapping`)).body as { mapping: { name: string; columns: Record<string, string>; defaults: Record<string, unknown> } };
    expect(saved.mapping.name).to.equal('よその店の書き出し');
    expect(saved.mapping.columns).to.include({ ...choose, unit_price: 'Price incl tax' });
    expect(saved.mapping.defaults).to.deep.equal({ taxRate: 10, paymentMethod: 'credit_card' });

    // A later file with the same headers is read with it, without the step.
    const c = `X-${randomUUID().slice(0, 6)}`;
    await upload(page, 'next-week.csv', csv([[c, '2026/12/01 10:00', '鈴木 一郎', 'ichiro@example.jp', 'TEA-01', '抹茶 100g', '1', '1980']]));
    await page.getByTestId('import-submit').click();
    await page.locator('[data-testid="import-preset"][data-preset="custom"]').waitFor();
    expect(await page.getByTestId('mapping-step').count()).to.equal(0);
    expect(await count('created')).to.equal('1');
  });

  it('opens the step on request for a file madoguchi can read, with the suggested columns chosen', async () => {
    const shop = await makeShop(suite.server.database);
    const page = await openOrders(shop);
    const n = `M-${randomUUID().slice(0, 6)}`;
    await upload(
      page,
      'madoguchi.csv',
      `注文番号,注文日時,氏名,メールアドレス,商品コード,商品名,数量,単価,税率\r\n${n},2026/11/25 14:03,山田 太郎,taro@example.jp,TEA-01,抹茶 100g,1,1980,10\r\n`,
    );
    await page.getByTestId('import-map-columns').click();
    const step = page.getByTestId('mapping-step');
    await step.getByTestId('mapping-form').waitFor();
    expect(await step.getByTestId('mapping-unmatched').count()).to.equal(0);
    expect(await step.getByTestId('mapping-select-order_number').inputValue()).to.equal('注文番号');
    expect(await step.getByTestId('mapping-select-unit_price').inputValue()).to.equal('単価');
    expect(await step.getByTestId('mapping-select-carrier').inputValue()).to.equal('');
    await step.getByTestId('mapping-cancel').click();
    await step.waitFor({ state: 'detached' });
  });

  it('reads a Shopify export as it is, says so, and names Shopify’s own column at a bad row', async () => {
    const shop = await makeShop(suite.server.database);
    const page = await openOrders(shop);
    const bad = shopifyExport.replace(',抹茶 100g,1980,', ',抹茶 100g,abc,');
    expect(bad, 'the fixture has the line this test spoils').to.not.equal(shopifyExport);
    await upload(page, 'orders_export.csv', bad);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-preset').getAttribute('data-preset')).to.equal('shopify');
    expect(await textOf(page.getByTestId('import-preset'))).to.contain('Shopify');
    expect(await page.getByTestId('mapping-step').count()).to.equal(0);
    const lines = page.getByTestId('import-error-line');
    // The bad line, named by Shopify's column; the order's other line is left out with it.
    expect(await lines.count()).to.equal(2);
    expect(await lines.first().getAttribute('data-line')).to.equal('2');
    const cells = await lines.first().locator('td').allTextContents();
    expect(cells.slice(0, 2)).to.deep.equal(['#1001', 'Lineitem price']);
    expect(await textOf(lines.nth(1))).to.contain('#1001').and.contain('2 行目に誤りがある');
    await page.getByTestId('order-row').filter({ hasText: '#1002' }).waitFor();
  });
});
