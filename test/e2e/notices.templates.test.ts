import { samplesOn } from '../../server/domains/notices/notices.templates.service.ts';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { anOrder, makeShop, newOrderNumber, signedIn } from '../fixtures/builders.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';

/**
 * The notice template editor in a real Chromium against the real app: copy a type, see the
 * server's error at the box that caused it, preview both languages (mail beside the banner in
 * its sandboxed frame), save a new version.
 */
describe('the notice template editor in the agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<{ disconnect(): unknown }>();
  const { pages } = suite;

  before(() => {
    ({ server, browser } = suite);
  });

  it('lets an owner copy the weather notice, shows an unknown variable at its box, previews ja and en, and saves version 2', async () => {
    const shop = await makeShop(server.database, '手しごと雑貨 こもれび');
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);
    await page.getByTestId('nav-notice-templates').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/notices/templates$`));
    await page.getByRole('heading', { name: 'お知らせテンプレート', level: 1 }).waitFor();

    await page.getByTestId('notice-type-weather').click();
    // The samples as of today (written as of Dec 3, 21:00 JST, their dates moved with the day); the preview of the built-in wording shows them.
    const asOf = new Date(Date.parse(samplesOn(new Date()).samples.weather.as_of as string) + 9 * 3_600_000);
    await page.getByTestId('notice-preview-ja-subject').filter({ hasText: `【重要】大雪による配送遅延のお知らせ（${asOf.getUTCMonth() + 1}月${asOf.getUTCDate()}日 21時現在）` }).waitFor();
    expect(await page.getByTestId('notice-preview-en-subject').textContent()).to.contain('heavy snow');

    await page.getByTestId('notice-copy-name').fill('大雪（北海道向け）');
    await page.getByTestId('notice-copy-submit').click();
    await page.getByTestId('notice-done').waitFor();
    await page.getByTestId('notice-editing').filter({ hasText: '大雪（北海道向け）' }).waitFor();

    const subject = page.getByTestId('notice-subject-ja');
    await subject.fill('【重要】{{snow}}のお知らせ｜{{shop_name}}');
    const error = page.getByTestId('notice-subject-ja-error');
    await error.waitFor();
    expect(await error.textContent()).to.contain('「snow」という変数はありません');
    expect(await subject.getAttribute('aria-invalid')).to.equal('true');

    await subject.fill('【重要】{{event}}のため配送が遅れています｜{{shop_name}}');
    await page.getByTestId('notice-preview-ja-subject').filter({ hasText: '【重要】大雪のため配送が遅れています｜手しごと雑貨 こもれび' }).waitFor();
    const frame = page.frameLocator('[data-testid="notice-preview-ja-html"]');
    await frame.locator('h2').filter({ hasText: '大雪の影響により' }).waitFor();
    expect(await page.getByTestId('notice-preview-ja-html').getAttribute('sandbox')).to.equal('');

    // A variable's error shows at its input.
    await page.getByTestId('notice-var-next_update_at').fill('2026-12-03T20:00');
    await page.getByTestId('notice-var-next_update_at-error').waitFor();
    await page.getByTestId('notice-reset-samples').click();
    await page.getByTestId('notice-var-next_update_at-error').waitFor({ state: 'detached' });

    await page.getByTestId('notice-save').click();
    await page.getByTestId('notice-done').filter({ hasText: '第2版として保存しました' }).waitFor();
    expect(await page.getByTestId('notice-versions').locator('li').count()).to.equal(2);
  });

  it('shows a contractor the wording read-only, and a preview for a real order with the customer name masked', async () => {
    const shop = await makeShop(server.database);
    const orderNumber = newOrderNumber();
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.put(`/api/shops/${shop.id}/orders/${orderNumber}`, anOrder({ customer: { ...anOrder().customer, name: '佐藤 美咲' } }))).status).to.equal(201);
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.contractor, shop.id);
    await page.getByTestId('nav-notice-templates').click();
    await page.getByTestId('notice-type-shop_delay').click();
    expect(await page.getByTestId('notice-body-ja').getAttribute('readonly')).to.equal('');
    expect(await page.getByTestId('notice-copy-form').count()).to.equal(0);
    await page.getByTestId('notice-order-number').fill(orderNumber);
    const text = page.getByTestId('notice-preview-ja-text');
    await text.filter({ hasText: `ご注文番号 ${orderNumber}` }).waitFor();
    expect(await text.textContent()).to.match(/^佐＊＊ 様/).and.not.include('美咲');
    await page.getByTestId('notice-order-number').fill('NO-SUCH-ORDER');
    await page.getByTestId('notice-order-number-error').filter({ hasText: 'このショップにその注文番号の注文はありません。' }).waitFor();
  });
});
