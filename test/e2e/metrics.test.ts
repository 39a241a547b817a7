import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { agentClient, ask, cid, connected, widgetClient, type AgentSocket, type WidgetSocket } from '../helpers/sockets.ts';

/**
 * The console's metrics page in a real Chromium against the real app (PGlite, real Redis).
 * Every number on it comes from real conversations: customers write in over widget sockets,
 * agents reply, resolve and look at conversations over console sockets and the REST API.
 * Each test has a shop of its own, so the counts are exact.
 */

/** The CSV headers the agency's billing reads (from the spec: Japanese and English). */
const CSV_HEADERS = {
  conversation: '月 month,担当者 agent,会話番号 conversation,解決 resolved,秒 seconds,時間 hh:mm',
  agent: '月 month,担当者 agent,対応件数 conversations,解決件数 resolved,秒 seconds,時間 hh:mm',
};

const tokyoToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
const tokyoMonth = () => tokyoToday().slice(0, 7);
const textOf = async (locator: Locator) => (await locator.textContent())?.trim() ?? '';

describe('queue metrics and the work log in the agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<WidgetSocket | AgentSocket>();
  const { pages, sockets } = suite;

  before(async () => {
    ({ server, browser } = suite);
  });

  async function signInPage(shop: TestShop, who: TestPerson): Promise<Page> {
    return signInToConsole(await pages.page(browser), server.url, who, shop.id);
  }

  /** A customer on the shop's page who opened a chat and wrote one message. */
  async function customerWrites(shop: TestShop, name: string, body: string) {
    const c = await newCustomer(server.url, shop.id, { name });
    const w = widgetClient(server.url, shop.id, c.token);
    sockets.push(w);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    expect(opened.ok, JSON.stringify(opened)).to.equal(true);
    const sent = await ask(w, 'message:send', { conversationId: opened.conversation.id, clientId: cid(), body });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    return { w, conversationId: opened.conversation.id as string };
  }

  /** A person's console connection and REST client, as the console holds them. */
  async function consoleOf(shop: TestShop, who: TestPerson) {
    const http = await signedIn(server.url, who);
    const socket = agentClient(server.url, shop.id, http.cookie);
    sockets.push(socket);
    await connected(socket);
    return { http, socket };
  }

  const ready = (page: Page, section: 'queue-metrics' | 'work-log') => page.locator(`[data-testid="${section}"][data-state="ready"]`).waitFor({ timeout: 10_000 });
  const nowCount = (page: Page, key: string) => textOf(page.getByTestId(`now-${key}`).getByTestId('stat-value'));

  it('shows the real queue: what is open and awaiting a reply, opened and resolved today, first response, SLA and CSAT', async () => {
    const shop = await makeShop(server.database);
    const owner = await signedIn(server.url, shop.people.owner);
    // A default policy, so each new conversation starts clocks that a reply and a resolution meet.
    const policy = await owner.post(`/api/shops/${shop.id}/sla-policies`, { name: '標準', firstResponseMinutes: 600, resolutionMinutes: 6000 });
    expect(policy.status, policy.text).to.equal(201);

    const sato = await customerWrites(shop, '佐藤 一郎', '注文した商品がまだ届きません');
    await customerWrites(shop, '高橋 次郎', 'サイズ交換はできますか');
    await customerWrites(shop, '伊藤 三郎', '領収書がほしいです');
    const agent = await consoleOf(shop, shop.people.agent);
    const reply = await ask(agent.socket, 'message:send', { conversationId: sato.conversationId, clientId: cid(), body: '確認いたします。' });
    expect(reply.ok, JSON.stringify(reply)).to.equal(true);
    const resolved = await agent.http.patch(`/api/shops/${shop.id}/conversations/${sato.conversationId}`, { status: 'resolved' });
    expect(resolved.status, resolved.text).to.equal(200);
    const rated = await ask(sato.w, 'csat:rate', { conversationId: sato.conversationId, rating: 4 });
    expect(rated.ok, JSON.stringify(rated)).to.equal(true);

    const page = await signInPage(shop, shop.people.owner);
    await page.getByTestId('nav-metrics').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/metrics$`));
    await ready(page, 'queue-metrics');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('指標');
    expect(await page.getByTestId('nav-metrics').getAttribute('aria-current')).to.equal('page');
    expect(await page.getByTestId('nav-inbox').getAttribute('aria-current')).to.equal(null);
    expect(await page.getByTestId('period-7').getAttribute('aria-pressed')).to.equal('true');

    // Now: two still open, both with the customer's message unanswered; one resolved.
    expect(await nowCount(page, 'open')).to.equal('2');
    expect(await nowCount(page, 'awaiting_reply')).to.equal('2');
    for (const k of ['pending', 'waiting_merchant', 'snoozed']) expect(await nowCount(page, k), k).to.equal('0');

    // Today (a Tokyo day): three opened, one resolved, in the chart and in its table.
    const today = tokyoToday();
    const row = page.locator(`[data-testid="daily-row"][data-day="${today}"]`);
    expect(await textOf(row.getByTestId('daily-opened'))).to.equal('3');
    expect(await textOf(row.getByTestId('daily-resolved'))).to.equal('1');
    expect(await page.getByTestId('daily-row').count(), 'one row per day of the last 7').to.equal(7);
    expect(await textOf(page.getByTestId('daily-totals'))).to.equal('期間合計：受付 3 件、解決 1 件');
    const chart = page.getByRole('img', { name: /日別の受付件数と解決件数/ });
    const short = `${Number(today.slice(5, 7))}/${Number(today.slice(8, 10))}`;
    expect(await chart.locator('rect.chart-opened title').allTextContents()).to.deep.equal([`${short} 受付 3 件`]);
    expect(await chart.locator('rect.chart-resolved title').allTextContents()).to.deep.equal([`${short} 解決 1 件`]);

    // One first response, timed; its SLA target met, as is the resolution's; nothing due for next response.
    expect(await textOf(page.getByTestId('frt-count'))).to.contain(' 1 件');
    expect(await textOf(page.getByTestId('frt-median'))).to.match(/^\d+(秒|分)/);
    const sla = (metric: string) => textOf(page.locator(`[data-testid="sla-row"][data-metric="${metric}"]`).getByTestId('sla-percent'));
    expect(await sla('first_response')).to.equal('100%');
    expect(await sla('resolution')).to.equal('100%');
    expect(await sla('next_response')).to.equal('対象なし');
    expect(await page.getByRole('img', { name: /SLA目標の種類ごとの達成率/ }).count()).to.equal(1);

    // The customer's rating.
    expect(await textOf(page.getByTestId('csat-average'))).to.equal('4.00');
    expect(await textOf(page.getByTestId('csat-count'))).to.equal('1 件の評価');
    expect(await textOf(page.getByTestId('csat-4').locator('.csat-n'))).to.equal('1');

    // A longer period: 30 rows, the same conversations.
    await page.getByTestId('period-30').click();
    await page.locator('[data-testid="period-30"][aria-pressed="true"]').waitFor();
    await ready(page, 'queue-metrics');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="daily-row"]').length === 30);
    expect(await textOf(row.getByTestId('daily-opened'))).to.equal('3');
  });

  it('the work log shows time, conversations and resolutions per person for the month, and its CSV links download the exports', async () => {
    const shop = await makeShop(server.database);
    const a = await customerWrites(shop, '山田 花子', '返品したいです');
    const b = await customerWrites(shop, '鈴木 一郎', '配送先を変えたいです');
    const c = await customerWrites(shop, '田中 美咲', 'ポイントについて');
    const agent = await consoleOf(shop, shop.people.agent);
    const contractor = await consoleOf(shop, shop.people.contractor);
    // One heartbeat is a first look at a conversation: 30 seconds of work each.
    for (const [who, conversationId] of [[agent, a], [agent, b], [contractor, c]] as const) {
      const beat = await ask(who.socket, 'work:heartbeat', { conversationId: conversationId.conversationId });
      expect(beat.ok, JSON.stringify(beat)).to.equal(true);
    }
    expect((await agent.http.patch(`/api/shops/${shop.id}/conversations/${a.conversationId}`, { status: 'resolved' })).status).to.equal(200);

    const page = await signInPage(shop, shop.people.owner);
    await page.goto(`${server.url}/console/shops/${shop.id}/metrics`);
    await ready(page, 'work-log');
    expect(await page.getByTestId('work-month').inputValue()).to.equal(tokyoMonth());
    const rowOf = (p: Page, who: TestPerson) => p.locator(`[data-testid="work-log-row"][data-user="${who.id}"]`);
    const cells = async (r: Locator) =>
      Promise.all(['work-agent', 'work-time', 'work-conversations', 'work-resolved'].map((id) => textOf(r.getByTestId(id))));
    expect(await page.getByTestId('work-log-row').count()).to.equal(2);
    expect(await cells(rowOf(page, shop.people.agent))).to.deep.equal([shop.people.agent.name, '0:01', '2', '1']);
    expect(await cells(rowOf(page, shop.people.contractor))).to.deep.equal([shop.people.contractor.name, '0:01', '1', '0']);
    expect(await textOf(page.getByTestId('work-log-total'))).to.contain('合計').and.contain('0:02');

    // The links download the server's CSV with the session cookie: one row per person and conversation, or per person.
    const download = async (p: Page, testId: string) => {
      const [file] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
      const text = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '');
      return { name: file.suggestedFilename(), lines: text.split('\r\n').filter(Boolean) };
    };
    const perConversation = await download(page, 'csv-by-conversation');
    expect(perConversation.name).to.equal(`work-log-${tokyoMonth()}.csv`);
    expect(perConversation.lines[0]).to.equal(CSV_HEADERS.conversation);
    expect(perConversation.lines).to.have.length(4);
    const perAgent = await download(page, 'csv-by-agent');
    expect(perAgent.name).to.equal(`work-log-${tokyoMonth()}-by-agent.csv`);
    expect(perAgent.lines[0]).to.equal(CSV_HEADERS.agent);
    expect(perAgent.lines.slice(1).map((l) => l.split(',').slice(1, 4).join(','))).to.have.members([
      `${shop.people.agent.name},2,1`,
      `${shop.people.contractor.name},1,0`,
    ]);

    // A month with no work says so.
    await page.getByTestId('work-month').fill('2020-01');
    await page.getByTestId('work-log-empty').waitFor();
    expect(await page.getByTestId('csv-by-agent').getAttribute('href')).to.contain('month=2020-01');
  });

  for (const role of ['contractor', 'agent'] as const) {
    it(`${role === 'agent' ? 'an agent' : 'a contractor'} sees only their own row of the work log, on the page and in the CSV`, async () => {
      const shop = await makeShop(server.database);
      const x = await customerWrites(shop, '小林 健', '請求書の宛名を変えたいです');
      const y = await customerWrites(shop, '加藤 愛', '在庫はありますか');
      for (const [who, conversationId] of [[shop.people.staff, x], [shop.people[role], y]] as const) {
        const { socket } = await consoleOf(shop, who);
        expect((await ask(socket, 'work:heartbeat', { conversationId: conversationId.conversationId })).ok).to.equal(true);
      }

      const page = await signInPage(shop, shop.people[role]);
      await page.getByTestId('nav-metrics').click();
      await ready(page, 'work-log');
      const rows = page.getByTestId('work-log-row');
      expect(await rows.count()).to.equal(1);
      expect(await rows.getAttribute('data-user')).to.equal(shop.people[role].id);
      expect(await textOf(page.getByTestId('work-log'))).to.contain('あなた自身の作業記録だけが表示されます').and.not.contain(shop.people.staff.name);

      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-by-agent').click()]);
      const lines = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
      expect(lines[0]).to.equal(CSV_HEADERS.agent);
      expect(lines).to.have.length(2);
      expect(lines[1]).to.contain(shop.people[role].name).and.not.contain(shop.people.staff.name);
    });
  }

  it('a new shop shows empty states; a failed load offers a retry; the page follows the language toggle', async () => {
    const shop = await makeShop(server.database);
    const page = await signInPage(shop, shop.people.owner);
    // The first answer is lost on the way: the page says so and offers to try again.
    await page.route('**/queue-metrics?**', (route) => route.abort());
    await page.getByTestId('nav-metrics').click();
    const error = page.getByTestId('metrics-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).to.equal('alert');
    expect(await textOf(error)).to.contain('指標を読み込めませんでした');
    await page.unroute('**/queue-metrics?**');
    await page.getByTestId('metrics-retry').click();
    await ready(page, 'queue-metrics');
    expect(await error.count()).to.equal(0);

    expect(await nowCount(page, 'open')).to.equal('0');
    await page.getByTestId('daily-empty').waitFor();
    expect(await page.getByTestId('sla-none').count()).to.equal(1);
    expect(await page.getByTestId('frt-none').count()).to.equal(1);
    expect(await page.getByTestId('csat-none').count()).to.equal(1);
    await ready(page, 'work-log');
    expect(await textOf(page.getByTestId('work-log-empty'))).to.equal('この月の作業記録はありません。');

    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      page.getByTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
    expect(await textOf(page.getByTestId('now-open').locator('dt'))).to.equal('Open');
    expect(await textOf(page.getByTestId('daily-empty'))).to.equal('No conversations were opened or resolved in this period.');
    expect(await textOf(page.getByTestId('period-90'))).to.equal('Last 90 days');
    expect(await page.title()).to.contain('Metrics');

    // Back to the inbox through the menu.
    await page.getByTestId('nav-inbox').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
    await page.getByTestId('inbox-empty').waitFor();
  });
});
