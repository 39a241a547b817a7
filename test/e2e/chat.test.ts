import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient, type WidgetSocket } from '../helpers/sockets.ts';

/**
 * The console's live chat in a real Chromium against the real app (PGlite, real Redis): the
 * customer is a real Socket.IO widget connection, the agent works in the browser.
 */
describe('live chat in the agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let shop: TestShop;
  const suite = consoleSuite<WidgetSocket>();
  const { pages, sockets } = suite;

  before(async () => {
    ({ server, browser } = suite);
    shop = await makeShop(server.database);
  });

  async function signInPage(who: TestPerson): Promise<Page> {
    return signInToConsole(await pages.page(browser), server.url, who, shop.id);
  }

  /** A second console connection of `who`, to hear what the server sends to that person. */
  async function listenAs(who: TestPerson) {
    const http = await signedIn(server.url, who);
    const s = agentClient(server.url, shop.id, http.cookie);
    await connected(s);
    return s;
  }

  /** A customer on the shop's page: a widget session and its socket, with an open conversation. */
  async function customer(who: { name: string; email: string; orderNumber?: string }) {
    const c = await newCustomer(server.url, shop.id, who);
    const w = widgetClient(server.url, shop.id, c.token);
    sockets.push(w);
    await connected(w);
    const opened = await ask(w, 'conversation:open', who.orderNumber ? { orderNumber: who.orderNumber } : {});
    expect(opened.ok, JSON.stringify(opened)).to.equal(true);
    return { w, conversationId: opened.conversation.id as string };
  }

  it('a customer message appears live in the inbox; the agent replies, adds a note the customer never gets, and resolves', async () => {
    const page = await signInPage(shop.people.agent);
    await page.getByTestId('inbox-filters').waitFor();

    const { w, conversationId } = await customer({ name: '佐藤 一郎', email: 'ichiro@example.jp' });
    const received: { kind: string; body: string }[] = [];
    w.on('message', (m) => received.push({ kind: m.kind, body: m.body }));
    const text = '<b>注文した商品</b>がまだ届きません';
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: text });

    // Live: no reload between the page opening and the row showing up.
    const row = page.getByTestId('inbox-row').filter({ hasText: '佐藤 一郎' });
    await row.filter({ hasText: text }).waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('unread-badge').count()).to.equal(1);

    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/conversations/${conversationId}$`));
    const first = page.getByTestId('message').filter({ hasText: text });
    await first.waitFor();
    // Markup in a message is shown as the characters the customer typed.
    expect(await first.getByTestId('message-body').textContent()).to.equal(text);
    expect(await first.locator('b').count()).to.equal(0);

    const reply = waitFor<{ kind: string; body: string }>(w, 'message', (m) => m.kind === 'text');
    await page.keyboard.press('r');
    await page.getByTestId('composer-input').fill('ご連絡ありがとうございます。確認いたします。');
    await page.getByTestId('composer-send').click();
    expect((await reply).body).to.equal('ご連絡ありがとうございます。確認いたします。');
    const mine = page.getByTestId('message').filter({ hasText: '確認いたします' });
    await mine.waitFor();
    expect(await page.getByTestId('message-outgoing').count(), 'nothing left pending').to.equal(0);

    // The customer reads it: the agent sees 既読 on the reply.
    const seq = Number(await mine.getAttribute('data-seq'));
    w.emit('read', { conversationId, seq });
    await mine.getByTestId('read-mark').filter({ hasText: '既読' }).waitFor();

    await page.getByTestId('composer-note').click();
    await page.getByTestId('composer-input').fill('配送業者に確認中');
    await page.getByTestId('composer-send').click();
    const note = page.locator('[data-testid="message"][data-kind="note"]').filter({ hasText: '配送業者に確認中' });
    await note.waitFor();
    expect(await note.textContent()).to.contain('社内メモ');

    await page.getByTestId('move-resolved').click();
    await page.locator('[data-testid="conversation"][data-status="resolved"]').waitFor();

    // The customer's socket had the reply (and the resolution's notices, if any) but never the note.
    const stored = await ask(w, 'sync', { conversationId, afterSeq: 0 });
    expect(stored.messages.map((m: { body: string }) => m.body)).to.include('ご連絡ありがとうございます。確認いたします。').and.not.include('配送業者に確認中');
    expect(received.map((m) => m.body)).to.not.include('配送業者に確認中');
    expect(received.filter((m) => m.kind === 'note')).to.deep.equal([]);

    // Back in the inbox (Esc), the resolved conversation has left the "needs action" list.
    await page.keyboard.press('Escape');
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/inbox$`));
    await page.getByTestId('inbox-filters').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="inbox-list"][aria-busy="true"]'));
    expect(await page.getByTestId('inbox-row').filter({ hasText: '佐藤 一郎' }).count()).to.equal(0);
  });

  it('two agents on one conversation see each other; a note mentions a colleague; a canned reply is filled in for this customer', async () => {
    const owner = await signedIn(server.url, shop.people.owner);
    const shortcut = `thanks${Date.now() % 100000}`;
    const made = await owner.post(`/api/shops/${shop.id}/canned-replies`, { shortcut, title: 'お礼', bodyJa: '{{customer.name}}様、お問い合わせありがとうございます。' });
    expect(made.status, made.text).to.equal(201);
    const { w, conversationId } = await customer({ name: '高橋 次郎', email: 'jiro@example.jp' });
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'サイズ交換は可能ですか' });
    const url = `${server.url}/console/shops/${shop.id}/conversations/${conversationId}`;

    const agent = await signInPage(shop.people.agent);
    await agent.goto(url);
    await agent.getByTestId('message').filter({ hasText: 'サイズ交換' }).waitFor({ timeout: 10_000 });
    const staff = await signInPage(shop.people.staff);
    await staff.goto(url);
    await staff.getByTestId('message').filter({ hasText: 'サイズ交換' }).waitFor();

    await agent.getByTestId('collision').filter({ hasText: `${shop.people.staff.name}さんも表示中` }).waitFor();
    await staff.getByTestId('composer-note').click();
    await staff.getByTestId('composer-input').pressSequentially('確認します');
    await agent.getByTestId('collision').filter({ hasText: `${shop.people.staff.name}さんが入力中` }).waitFor();

    // A note with an @mention picked from the shop's members.
    await staff.getByTestId('composer-input').fill('');
    await staff.getByTestId('composer-input').pressSequentially(`@${shop.people.agent.name.slice(0, 5)}`);
    await staff.getByTestId('mention-picker').getByRole('button', { name: shop.people.agent.name }).click();
    await staff.getByTestId('composer-input').pressSequentially('在庫を見てください');
    const ear = await listenAs(shop.people.agent);
    const mentioned = waitFor<{ conversationId: string; excerpt: string }>(ear, 'mention', (p) => p.conversationId === conversationId);
    await staff.getByTestId('composer-send').click();
    await agent.locator('[data-testid="message"][data-kind="note"]').filter({ hasText: '在庫を見てください' }).waitFor();
    expect((await mentioned).excerpt).to.contain('在庫を見てください');
    ear.disconnect();

    // `/` opens the canned replies; the preview is the server's rendering for this customer.
    await agent.keyboard.press('r');
    await agent.getByTestId('composer-input').pressSequentially('/');
    const picker = agent.getByTestId('canned-picker');
    await picker.getByTestId('canned-item').filter({ hasText: shortcut }).click();
    await picker.getByTestId('canned-preview').filter({ hasText: '高橋 次郎様' }).waitFor();
    await picker.getByTestId('canned-insert').click();
    expect(await agent.getByTestId('composer-input').inputValue()).to.equal('高橋 次郎様、お問い合わせありがとうございます。');
  });

  it('after losing the connection, the console catches up on missed messages and delivers the reply written offline exactly once', async () => {
    const { w, conversationId } = await customer({ name: '伊藤 三郎', email: 'saburo@example.jp' });
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: '最初のメッセージ' });
    const page = await signInPage(shop.people.agent);
    await page.goto(`${server.url}/console/shops/${shop.id}/conversations/${conversationId}`);
    await page.getByTestId('message').filter({ hasText: '最初のメッセージ' }).waitFor();

    // Cut the connection and keep it cut: reconnection attempts fail until the route is lifted.
    await page.route('**/socket.io/**', (route) => route.abort());
    for (const s of server.service.realtime.io.of('/agent').sockets.values()) s.conn.close();
    await page.getByTestId('offline').waitFor();

    await ask(w, 'message:send', { conversationId, clientId: cid(), body: '切断中に届いたメッセージ' });
    await page.getByTestId('composer-input').fill('オフライン中に書いた返信');
    await page.getByTestId('composer-send').click();
    await page.getByTestId('message-outgoing').filter({ hasText: 'オフライン中に書いた返信' }).waitFor();

    const reply = waitFor(w, 'message', (m: { body: string }) => m.body === 'オフライン中に書いた返信', 20_000);
    await page.unroute('**/socket.io/**');
    await page.getByTestId('message').filter({ hasText: '切断中に届いたメッセージ' }).waitFor({ timeout: 20_000 });
    await reply;
    await page.getByTestId('message').filter({ hasText: 'オフライン中に書いた返信' }).waitFor();
    expect(await page.getByTestId('message-outgoing').count()).to.equal(0);
    expect(await page.getByTestId('offline').count()).to.equal(0);

    const stored = await ask(w, 'sync', { conversationId, afterSeq: 0 });
    expect(stored.messages.filter((m: { body: string }) => m.body === 'オフライン中に書いた返信')).to.have.length(1);
    const seqs = await page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
  });

  it("a contractor sees the customer's email masked, and the order's email only after giving a reason", async () => {
    const owner = await signedIn(server.url, shop.people.owner);
    const orderNumber = newOrderNumber();
    const put = await owner.put(`/api/shops/${shop.id}/orders/${orderNumber}`, anOrder({ customer: { ...anOrder().customer, email: 'hanako.order@example.jp' } }));
    expect(put.status).to.equal(201);
    const { w, conversationId } = await customer({ name: '鈴木 花子', email: 'hanako.secret@example.jp', orderNumber });
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: '返品したいです' });

    const page = await signInPage(shop.people.contractor);
    await page.getByTestId('inbox-row').filter({ hasText: '鈴木 花子' }).getByRole('link').click();
    const sidebar = page.getByTestId('customer-sidebar');
    await sidebar.getByTestId('customer-name').filter({ hasText: '鈴木 花子' }).waitFor();
    const email = (await sidebar.getByTestId('customer-email').textContent()) ?? '';
    expect(email).to.contain('*').and.not.contain('hanako.secret');
    expect(await page.content()).to.not.contain('hanako.secret@example.jp');

    const orderEmail = sidebar.getByTestId('order-email');
    await orderEmail.waitFor();
    expect(await orderEmail.textContent()).to.not.contain('hanako.order@example.jp');
    await sidebar.getByTestId('reveal-email').click();
    await sidebar.getByTestId('reveal-reason').fill('返品ラベルの送付先を確認するため');
    await sidebar.getByTestId('reveal-submit').click();
    await orderEmail.filter({ hasText: 'hanako.order@example.jp' }).waitFor();
  });
  it('an agent mentioned in a note by a colleague sees the count and a notice, and follows it to the note', async () => {
    const { w, conversationId } = await customer({ name: '森 三郎', email: 'saburo@example.jp' });
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: '請求書をください' });
    // The owner has no mentions yet in this suite's shop: the count starts at none.
    const owner = await signInPage(shop.people.owner);
    expect(await owner.getByTestId('mentions-unread').count()).to.equal(0);
    // The notice comes over the live connection: the note is written once the page has it.
    await owner.locator('.shell[data-live="connected"]').waitFor();
    const staff = await signedIn(server.url, shop.people.staff);
    const note = await staff.post(`/api/shops/${shop.id}/conversations/${conversationId}/messages`, { clientId: cid(), kind: 'note', body: '請求書の発行をお願いします', mentions: [shop.people.owner.id] });
    expect(note.status, note.text).to.equal(201);

    await owner.getByTestId('mention-toast').filter({ hasText: `${shop.people.staff.name}さんが #` }).waitFor();
    await owner.getByTestId('mentions-unread').filter({ hasText: '1' }).waitFor();
    await owner.getByTestId('nav-mentions').click();
    const item = owner.getByTestId('mention').filter({ hasText: '請求書の発行' });
    await item.getByTestId('mention-open').click();
    await owner.waitForURL(`${server.url}/console/shops/${shop.id}/conversations/${conversationId}#message-${note.body.message.id}`);
    await owner.locator(`[data-testid="message"][data-target][data-message-id="${note.body.message.id}"]`).waitFor();
    // Read on following it: the count goes.
    await owner.getByTestId('mentions-unread').waitFor({ state: 'detached' });
  });

  it('bulk: two conversations ticked in the inbox are resolved together, each said done', async () => {
    const a = await customer({ name: '一括 一郎', email: 'bulk1@example.jp' });
    const b = await customer({ name: '一括 二郎', email: 'bulk2@example.jp' });
    for (const x of [a, b]) await ask(x.w, 'message:send', { conversationId: x.conversationId, clientId: cid(), body: 'まとめて' });
    const page = await signInPage(shop.people.agent);
    for (const name of ['一括 一郎', '一括 二郎']) await page.getByTestId('inbox-row').filter({ hasText: name }).getByTestId('inbox-check').check();
    await page.getByTestId('bulk-count').filter({ hasText: '2件' }).waitFor();
    await page.getByTestId('bulk-resolve').click();
    await page.getByTestId('bulk-report').filter({ hasText: '2件を変更しました' }).waitFor();
    // Resolved ones leave the active list.
    await page.getByTestId('inbox-row').filter({ hasText: '一括' }).first().waitFor({ state: 'detached' });
    const http = await signedIn(server.url, shop.people.agent);
    for (const x of [a, b]) expect((await http.get(`/api/shops/${shop.id}/conversations/${x.conversationId}`)).body.status).to.equal('resolved');
  });

  it('a snooze preset puts "snoozed until" in the history for agents, never for the customer', async () => {
    const { w, conversationId } = await customer({ name: '鈴木 四郎', email: 'shiro.s@example.jp' });
    const received: string[] = [];
    w.on('message', (m) => received.push(m.kind));
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: '来週で大丈夫です' });
    const page = await signInPage(shop.people.agent);
    await page.goto(`${server.url}/console/shops/${shop.id}/conversations/${conversationId}`);
    await page.getByTestId('message').filter({ hasText: '来週で大丈夫です' }).waitFor();
    await page.getByTestId('snooze-tomorrow').click();
    await page.locator('[data-testid="conversation"][data-status="snoozed"]').waitFor();
    const event = page.locator('[data-testid="status-event"][data-action="snoozed"]');
    await event.filter({ hasText: `${shop.people.agent.name}さんが` }).filter({ hasText: 'までスヌーズしました' }).waitFor();
    const synced = await ask(w, 'sync', { conversationId, afterSeq: 0 });
    expect(synced.messages.map((m: { kind: string }) => m.kind)).to.deep.equal(['text']);
    expect(received.filter((k) => k === 'event')).to.deep.equal([]);
  });
});
