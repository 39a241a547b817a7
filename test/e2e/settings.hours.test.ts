import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';

/**
 * The settings page's business hours, SLA policies and canned replies in a real Chromium
 * against the real app (PGlite), as an owner of a shop of the test's own.
 */
describe('business hours, SLA policies and canned replies in the console settings', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<{ disconnect(): unknown }>();

  before(() => {
    ({ server, browser } = suite);
  });

  async function openSettings(shop: TestShop, who = shop.people.owner): Promise<Page> {
    const page = await signInToConsole(await suite.pages.page(browser), server.url, who, shop.id);
    await page.getByTestId('nav-settings').click();
    await page.getByRole('heading', { name: '営業時間と休業日', level: 2 }).waitFor();
    return page;
  }

  it('keeps the hours an owner sets (Saturday 10:00–15:00, Wednesday closed, a closed day) after a reload', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop);
    await page.getByTestId('hours-from-1-0').waitFor();
    expect(await page.getByTestId('hours-timezone').textContent()).to.contain('Asia/Tokyo');
    expect(await page.getByTestId('hours-upcoming-holidays').textContent()).to.match(/^次の祝日：\d{2}\/\d{2} \S+/);

    await page.getByLabel('土曜日は営業').check();
    await page.getByLabel('土曜日 1番目の開始').fill('10:00');
    await page.getByLabel('土曜日 1番目の終了').fill('15:00');
    await page.getByLabel('水曜日は営業').uncheck();
    await page.getByTestId('hours-new-date').fill('2026-08-14');
    await page.getByTestId('hours-add-date').click();
    await page.getByTestId('save-hours').click();
    await page.getByTestId('hours-status').filter({ hasText: '保存しました' }).waitFor();

    await page.reload();
    await page.getByTestId('hours-from-6-0').waitFor();
    expect(await page.getByTestId('hours-from-6-0').inputValue()).to.equal('10:00');
    expect(await page.getByTestId('hours-to-6-0').inputValue()).to.equal('15:00');
    expect(await page.getByLabel('水曜日は営業').isChecked()).to.equal(false);
    expect(await page.getByTestId('hours-closed-dates').textContent()).to.contain('2026-08-14');
    const owner = await signedIn(server.url, shop.people.owner);
    const saved = (await owner.get(`/api/shops/${shop.id}/business-hours`)).body;
    expect(saved.weekly['6']).to.deep.equal([['10:00', '15:00']]);
    expect(saved.weekly['3']).to.deep.equal([]);
    expect(saved.closedDates).to.deep.equal(['2026-08-14']);
  });

  it('refuses an SLA target of 0 with a Japanese error beside it, then shows the saved target in hours', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop);
    await page.getByTestId('add-sla-policy').click();
    await page.getByLabel('名前', { exact: true }).fill('標準');
    await page.getByTestId('sla-firstResponseMinutes').fill('0');
    await page.getByTestId('save-sla-policy').click();
    const error = page.getByTestId('error-firstResponseMinutes');
    await error.waitFor();
    expect(await error.textContent()).to.equal('1以上の数値で入力してください。');
    expect(await page.getByTestId('sla-firstResponseMinutes').getAttribute('aria-invalid')).to.equal('true');

    await page.getByTestId('sla-firstResponseMinutes').fill('2');
    await page.getByTestId('save-sla-policy').click();
    const row = page.getByTestId('sla-policy-row');
    await row.waitFor();
    expect(await row.textContent()).to.contain('2時間');
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.get(`/api/shops/${shop.id}/sla-policies`)).body).to.have.length(1).and.nested.property('[0].firstResponseMinutes', 120);
  });

  it('lets an owner write a canned reply with a variable inserted by button, previewed live while typing and once saved; a contractor sees it without editing controls', async () => {
    const shop = await makeShop(server.database);
    const page = await openSettings(shop);
    await page.getByTestId('add-canned').click();
    await page.getByTestId('canned-shortcut').fill('thanks');
    await page.getByTestId('canned-title').fill('お礼');
    await page.getByTestId('canned-bodyJa').fill('ご利用ありがとうございます。');
    await page.getByTestId('canned-var-shop.name').click();
    expect(await page.getByTestId('canned-bodyJa').inputValue()).to.equal('ご利用ありがとうございます。{{shop.name}}');
    // The draft renders as it is typed, before anything is saved.
    const live = page.getByTestId('canned-live-body');
    await live.filter({ hasText: shop.name }).waitFor();
    expect(await live.textContent()).to.equal(`ご利用ありがとうございます。${shop.name}`);
    await page.getByTestId('save-canned').click();

    const preview = page.getByTestId('canned-preview-body');
    await preview.filter({ hasText: shop.name }).waitFor();
    expect(await preview.textContent()).to.equal(`ご利用ありがとうございます。${shop.name}`);
    expect(await page.getByTestId('canned-row').textContent()).to.contain('/thanks');

    // A contractor may use the reply (and preview it) but not change it: no editing controls.
    const theirs = await openSettings(shop, shop.people.contractor);
    await theirs.getByTestId('canned-row').filter({ hasText: '/thanks' }).waitFor();
    await theirs.getByRole('button', { name: '/thanks をプレビュー' }).waitFor();
    expect(await theirs.getByTestId('add-canned').count()).to.equal(0);
    expect(await theirs.getByRole('button', { name: '/thanks を編集' }).count()).to.equal(0);
  });
});
