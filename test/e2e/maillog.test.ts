import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createLogger } from '../../server/core/logger.ts';
import { createMailer } from '../../server/core/mail.ts';
import { receiveBounce } from '../../server/domains/maillog/maillog.inbound.ts';
import { sendLogged, type MailLogDeps } from '../../server/domains/maillog/maillog.send.ts';
import type { TestPerson } from '../fixtures/builders.ts';
import { dsnMail } from '../fixtures/dsn/builders.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { openDesk, publish, pushOrder, type Desk } from '../integration/returns/returns.helpers.ts';
import { openShop, widget, widgetSuite } from './widget.page.ts';

/**
 * The mail log in a real Chromium: an order's delivery history with a bounce in it, the shop's
 * log with its filters and a mail's details, and the widget's hint to a visitor at a mobile
 * carrier address.
 */
describe('the mail delivery log in the console', function () {
  this.timeout(60_000);
  const suite = consoleSuite<{ disconnect(): unknown }>();
  const consoleAs = async (d: Desk, who: TestPerson): Promise<Page> => signInToConsole(await suite.pages.page(suite.browser), suite.server.url, who, d.shop.id);
  const bounce = { domain: 'reply.example.jp', secret: 'e2e-bounce-secret-0123456789abcdef' };

  it('shows an order’s mail, sent and bounced, in Tokyo time; the shop’s log filters to the bounce and opens its report', async () => {
    const d = await openDesk(suite.server);
    await publish(d);
    const order = await pushOrder(d);
    const mailer = createMailer({ smtpUrl: suite.server.smtp.url, from: suite.server.config.MAIL_FROM, outboxDir: '/nonexistent' }, createLogger('silent'));
    const deps: MailLogDeps = { db: suite.server.database.db, mailer, baseUrl: suite.server.url, bounce };
    const to = `taro-${randomBytes(3).toString('hex')}@docomo.ne.jp`;
    try {
      await sendLogged(deps, { shopId: d.shop.id, kind: 'portal_code', about: { orderNumber: order.number }, to: order.email, subject: '確認コード', text: '123456' });
      const lost = await sendLogged(deps, { shopId: d.shop.id, kind: 'return_update', about: { orderNumber: order.number }, to, subject: '返品のご案内', text: '…' });
      const dsn = dsnMail({ to: `bounce+x@${bounce.domain}`, recipient: to, diagnostic: 'smtp; 550 5.1.1 user unknown' });
      const token = (await suite.server.smtp.waitFor((m) => m.to.includes(to))).from.replace(/^bounce\+|@.*$/g, '');
      expect((await receiveBounce(suite.server.database.db, bounce, token, Buffer.from(dsn), { automatic: true, from: 'MAILER-DAEMON@mx.example.jp' })) as unknown).to.deep.include({ bounce: { logId: lost.logId, dsnStatus: '5.1.1', hard: true, duplicate: false, suppressed: true } });
    } finally {
      mailer.close();
    }

    const page = await consoleAs(d, d.shop.people.agent);
    await page.goto(`${suite.server.url}/console/shops/${d.shop.id}/orders/${order.number}`);
    const history = page.getByTestId('mail-history');
    await history.getByTestId('mail-history-item').nth(1).waitFor();
    const lines = await history.getByTestId('mail-history-item').allTextContents();
    expect(lines[0]).to.match(/^\d{1,2}\/\d{1,2} \d{2}:\d{2} 不達: 550 5\.1\.1 user unknown/);
    expect(lines[1]).to.match(/^\d{1,2}\/\d{1,2} \d{2}:\d{2} 送信済み/);
    expect(await history.getByTestId('mail-carrier-hint').textContent()).to.include('からのメールを受信できるよう設定してください');

    await page.getByTestId('nav-mail-log').click();
    await page.getByTestId('mail-log-page').waitFor();
    await page.getByTestId('mail-log-status').selectOption('bounced');
    const rows = page.getByTestId('mail-log-row');
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('[data-testid="mail-log-row"]')];
      return r.length === 1 && r[0]!.getAttribute('data-status') === 'bounced';
    });
    expect(await rows.first().textContent()).to.include(to).and.include('返品のご案内');
    await rows.first().getByTestId('mail-log-open').click();
    const detail = page.getByTestId('mail-log-detail');
    await detail.waitFor();
    expect(await detail.textContent()).to.include('5.1.1').and.include('不達（宛先なし）');
    expect(await page.getByTestId('mail-raw-report').textContent()).to.include('Reporting-MTA: dns; mx.example.jp');
  });
});

describe('the widget’s hint to a visitor at a mobile carrier address', function () {
  this.timeout(40_000);
  const suite = widgetSuite();

  it('asks a visitor typing a docomo address to allow the shop’s mail domain, and says nothing for another address', async () => {
    const { shop } = await openShop(suite);
    await suite.page.goto(suite.site.url(shop.id));
    const w = widget(suite.page);
    await w.open();
    const hint = w.id('prechat-carrier-hint');
    await w.id('prechat-email').fill('hanako@example.jp');
    expect(await hint.isVisible()).to.equal(false);
    await w.id('prechat-email').fill('hanako@docomo.ne.jp');
    await hint.waitFor();
    expect(await hint.textContent()).to.include('「@madoguchi.localhost」からのメールを受信できるよう設定してください');
  });
});
