import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { anOrder } from '../fixtures/builders.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { REFUSED_MARK } from '../helpers/smtp.ts';
import { openDesk, pushOrder, type Desk, type PushedOrder } from '../integration/returns/returns.helpers.ts';
import { allowOrigin } from './widget.page.ts';

/**
 * Notices (お知らせ) in a real Chromium against the real app, its worker, Redis and the SMTP
 * sink: an agent edits a shop-delay notice, previews it in both languages, targets a handful
 * of orders by number, publishes it, watches the bar reach the end over the socket, sees the
 * one refused address among the failed recipients, and the banner shows on the shop's own page
 * on another origin through the one-tag embed.
 */

const textOf = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

/** The shop's own site: a page on another origin with the notices embed's one tag. */
async function noticeSite(madoguchiUrl: string): Promise<{ origin: string; url: (shopId: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const shop = new URL(req.url ?? '/', 'http://x').searchParams.get('shop') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>テスト商店</title>
<style>* { color: rgb(255, 0, 0) !important; }</style></head>
<body>
  <h1>テスト商店のページ</h1>
  <script src="${madoguchiUrl}/notices.js?shop=${shop.replace(/[^0-9a-f-]/gi, '')}" async></script>
</body></html>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, url: (shopId) => `${origin}/?shop=${shopId}`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe('notices in the console', function () {
  this.timeout(120_000);
  const suite = consoleSuite<{ disconnect(): unknown }>();
  let site: Awaited<ReturnType<typeof noticeSite>>;
  before(async () => {
    site = await noticeSite(suite.server.url);
  });
  after(async () => {
    await site?.close();
  });

  /** Orders not yet shipped, each its own customer; one address the sink refuses (550). */
  async function someOrders(d: Desk): Promise<{ good: PushedOrder[]; refused: PushedOrder; other: PushedOrder }> {
    const good: PushedOrder[] = [];
    for (let i = 0; i < 3; i++) good.push(await pushOrder(d, { shippedAt: null, deliveredAt: null }));
    const refused = await pushOrder(d, { shippedAt: null, deliveredAt: null, customer: { ...anOrder().customer, email: `kyaku${REFUSED_MARK}-${Date.now()}@example.jp` } });
    const other = await pushOrder(d);
    return { good, refused, other };
  }

  const openNotices = async (page: Page) => {
    await page.getByTestId('nav-notices').click();
    await page.getByTestId('notices-page').waitFor();
  };

  it('an agent edits, previews and publishes a per-order notice to a handful of orders, watches the bar reach the end, ends it, and it never shows on the shop’s public banner', async () => {
    const d = await openDesk(suite.server);
    await allowOrigin(suite.server.database, d.shop.id, site.origin);
    const { good, refused, other } = await someOrders(d);
    const page = await signInToConsole(await suite.pages.page(suite.browser), suite.server.url, d.shop.people.agent, d.shop.id);
    await openNotices(page);

    // A new draft of a type, with its example values: the preview shows both languages at once.
    await page.getByTestId('notice-new-type').selectOption('shop_delay');
    await page.getByTestId('notice-new-name').fill('年末の入荷遅れ');
    await page.getByTestId('notice-create').click();
    await page.waitForURL(/\/notices\/[0-9a-f-]{36}$/);
    const editor = page.getByTestId('notice-editor');
    await editor.waitFor();
    await page.locator('[data-testid="campaign-preview"][data-state="ready"]').waitFor();
    expect(await textOf(page.getByTestId('notice-preview-ja-subject'))).to.not.equal('');
    expect(await textOf(page.getByTestId('notice-preview-en-subject'))).to.not.equal('');

    // Edits follow in the preview; a date out of order is shown at its field, and goes once fixed.
    await page.getByTestId('notice-var-items-ja').fill('冬物のウールコート（チャコール）');
    await page.getByTestId('notice-preview-ja-text').filter({ hasText: '冬物のウールコート（チャコール）' }).waitFor();
    await page.getByTestId('notice-var-new_ship_date').fill('2026-11-01');
    await page.getByTestId('notice-var-new_ship_date-error').waitFor();
    expect(await page.locator('[data-testid="campaign-preview"][data-state="invalid"]').count()).to.equal(1);
    // A day still ahead whenever the test runs: four days after today in Tokyo.
    await page.getByTestId('notice-var-new_ship_date').fill(new Date(Date.now() + 9 * 3_600_000 + 4 * 86_400_000).toISOString().slice(0, 10));
    await page.getByTestId('notice-var-new_ship_date-error').waitFor({ state: 'detached' });
    await page.locator('[data-testid="campaign-preview"][data-state="ready"]').waitFor();
    // The notice's HTML is drawn in a frame of its own, scripts off.
    await page.frameLocator('[data-testid="notice-preview-ja-html"]').getByText('冬物のウールコート（チャコール）').waitFor();
    expect(await page.getByTestId('notice-preview-ja-html').getAttribute('sandbox')).to.equal('');
    // Its as-of time (「12月5日 9時37分現在」) is the moment it is read; the rest is what the shop's page shows.
    const banner = (await textOf(page.getByTestId('preview-banner-ja'))).replace(/（[^（）]*現在）$/, '');
    expect(banner).to.not.equal('');

    // A notice about customers' own orders goes by mail and chat, never on the public banner.
    expect(await page.getByTestId('channel-banner').isChecked()).to.equal(false);
    expect(await page.getByTestId('channel-banner').isDisabled()).to.equal(true);

    // The orders by number, pasted; one the shop has not is reported at its line.
    await page.getByTestId('target-order-numbers').fill([...good.map((o) => o.number), refused.number, 'NOPE-404'].join('\n'));
    await page.locator('[data-testid="audience-customers"][data-count="4"]').waitFor();
    expect(await page.getByTestId('audience-orders').getAttribute('data-count')).to.equal('4');
    expect(await textOf(page.getByTestId('audience-unknown'))).to.contain('5行目').and.contain('NOPE-404');
    expect(await textOf(page.getByTestId('audience-sample'))).to.not.contain(other.number);

    await page.getByTestId('save-notice').click();
    await page.getByTestId('notice-status').filter({ hasText: '保存しました。' }).waitFor();

    // Publishing asks first, with the recipients counted again.
    await page.getByTestId('notice-publish').click();
    const dialog = page.getByTestId('notice-publish-dialog');
    await dialog.locator('[data-testid="publish-recipients"][data-customers="4"]').waitFor();
    expect(await textOf(dialog)).to.contain('メールを 4通送ります');
    await dialog.getByTestId('publish-confirm').click();

    // The bar follows the pushes to the end, without a reload.
    const bar = page.getByTestId('notice-bar');
    await page.locator('[data-testid="notice-bar"][data-total="4"][data-done="4"]').waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute('data-done')).to.equal('4');
    await page.locator('[data-testid="notice-progress"][data-status="sent"]').waitFor();
    expect(await page.getByTestId('notice-count-sent').getAttribute('data-count')).to.equal('3');
    expect(await page.getByTestId('notice-count-failed').getAttribute('data-count')).to.equal('1');
    const failure = page.getByTestId('notice-failure');
    await failure.first().waitFor();
    expect(await failure.count()).to.equal(1);
    expect(await textOf(failure.first())).to.contain(refused.number).and.contain('550');
    expect(await page.getByTestId('notice-retry-failed').isEnabled()).to.equal(true);
    expect(await page.getByTestId('notice-pause').isEnabled()).to.equal(false);

    // One mail to each customer; none to the order left out.
    const mails = suite.server.smtp.mails;
    for (const o of good) expect(mails.filter((m) => m.to.includes(o.email)).length, o.email).to.equal(1);
    expect(mails.filter((m) => m.to.includes(other.email)).length).to.equal(0);

    // Ended now (asked first): nothing is left to end.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('notice-end').click();
    await page.locator('[data-testid="notice-end"][disabled]').waitFor();

    // The list shows it sent.
    await page.getByTestId('notices-back').click();
    await page.locator('[data-testid="notice-row"][data-status="sent"]').filter({ hasText: '年末の入荷遅れ' }).waitFor();

    // Never on the shop's public banner (a public notice's banner on another origin: notices.embed.test.ts).
    const active = await d.owner.get(`/shops/${d.shop.id}/notices/active`);
    expect(active.body.notices).to.deep.equal([]);
  });

  it('two people at one draft: the later save is refused and says so, the latest loads, and publishing elsewhere turns the page to progress live', async () => {
    const d = await openDesk(suite.server);
    const order = await pushOrder(d, { shippedAt: null, deliveredAt: null });
    const types = await d.owner.get('/api/notice-types');
    const sample = types.body.types.find((t: { type: string }) => t.type === 'shop_delay').sample;
    const created = await d.as.agent.post(`/api/shops/${d.shop.id}/notice-campaigns`, {
      name: '入荷遅れのお知らせ',
      type: 'shop_delay',
      variables: sample,
      startsAt: new Date().toISOString(),
      target: { orderNumbers: [order.number] },
    });
    expect(created.status, created.text).to.equal(201);
    const id = created.body.id as string;
    const page = await signInToConsole(await suite.pages.page(suite.browser), suite.server.url, d.shop.people.agent, d.shop.id);
    await page.goto(`${suite.server.url}/console/shops/${d.shop.id}/notices/${id}`);
    await page.getByTestId('notice-editor').waitFor();

    // The owner saves first; the agent's save names the version it read, and is refused.
    const other = await d.owner.patch(`/api/shops/${d.shop.id}/notice-campaigns/${id}`, { version: created.body.version, name: 'オーナーの変更' });
    expect(other.status, other.text).to.equal(200);
    await page.getByTestId('notice-name').fill('エージェントの変更');
    await page.getByTestId('save-notice').click();
    await page.getByTestId('notice-conflict-stale').waitFor();
    expect(await textOf(page.getByTestId('notice-conflict-stale'))).to.contain('ほかの人がこのお知らせを変更したため、保存できませんでした');
    await page.getByTestId('notice-reload').click();
    await page.getByTestId('notice-conflict-stale').waitFor({ state: 'detached' });
    expect(await page.getByTestId('notice-name').inputValue()).to.equal('オーナーの変更');

    // Published from elsewhere: the editor gives way to the progress, without a reload.
    const published = await d.owner.post(`/api/shops/${d.shop.id}/notice-campaigns/${id}/publish`, { version: other.body.version });
    expect(published.status, published.text).to.equal(200);
    await page.getByTestId('notice-progress').waitFor();
    await page.getByTestId('notice-editor').waitFor({ state: 'detached' });
    await page.locator('[data-testid="notice-bar"][data-total="1"][data-done="1"]').waitFor({ timeout: 30_000 });
  });

  it('the owner makes the season’s prepared draft in one click, with its dates filled in', async () => {
    const d = await openDesk(suite.server);
    const page = await signInToConsole(await suite.pages.page(suite.browser), suite.server.url, d.shop.people.owner, d.shop.id);
    await openNotices(page);
    const first = page.getByTestId('notice-season').first();
    await first.waitFor();
    const season = await first.getAttribute('data-season');
    const offered = (await d.owner.get(`/api/shops/${d.shop.id}/notice-seasons`)).body.seasons.find((x: { season: string }) => x.season === season);
    await first.getByTestId('notice-season-use').click();
    await page.waitForURL(/\/notices\/[0-9a-f-]{36}$/);
    await page.getByTestId('notice-editor').waitFor();
    expect(await page.getByTestId('notice-type').inputValue()).to.equal('seasonal');
    expect(await page.getByTestId('notice-var-season').inputValue()).to.equal(season);
    expect(await page.getByTestId('notice-var-period_from').inputValue()).to.equal(offered.from);
    expect(await page.getByTestId('notice-var-period_to').inputValue()).to.equal(offered.to);
    await page.locator('[data-testid="campaign-preview"][data-state="ready"]').waitFor();
  });

  it('a contractor reads the notices without the means to make or send them', async () => {
    const d = await openDesk(suite.server);
    const created = await d.as.agent.post(`/api/shops/${d.shop.id}/notice-campaigns`, {
      name: '台風のお知らせ',
      type: 'weather',
      variables: {},
      startsAt: new Date().toISOString(),
    });
    expect(created.status, created.text).to.equal(201);
    const page = await signInToConsole(await suite.pages.page(suite.browser), suite.server.url, d.shop.people.contractor, d.shop.id);
    await openNotices(page);
    await page.getByTestId('notices-read-only').waitFor();
    expect(await page.getByTestId('notice-create').count()).to.equal(0);
    await page.getByTestId('notice-link').filter({ hasText: '台風のお知らせ' }).click();
    await page.getByTestId('notice-summary').waitFor();
    expect(await page.getByTestId('notice-editor').count()).to.equal(0);
    // The notice as it reads, rendered for the reader (a draft's missing variables said, not sent).
    await page.locator('[data-testid="campaign-preview"][data-state="invalid"]').waitFor();
  });
});
