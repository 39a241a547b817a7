import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { eq } from 'drizzle-orm';
import Koa from 'koa';
import type { Page } from 'playwright-core';
import { serveWidget } from '../../server/core/widget.ts';
import { csatRatings } from '../../server/domains/conversations/conversations.tables.ts';
import { shops } from '../../server/domains/shops/shops.tables.ts';
import { makeShop } from '../fixtures/builders.ts';
import { rooms } from '../../server/domains/conversations/conversations.rooms.ts';
import { signIdentity } from '../../server/domains/conversations/widget.identity.ts';
import type { TestServer } from '../helpers/app.ts';
import { ask, cid, connected, waitFor, widgetClient } from '../helpers/sockets.ts';
import { signedIn } from '../fixtures/builders.ts';
import { customerEmail, joinWhenWritten, openShop as openShopOf, widget, widgetSuite, type ShopSite } from './widget.page.ts';

/**
 * The chat widget on a shop's page (another origin, one <script> tag) in a real Chromium,
 * against the real app (PGlite, real Redis); the agent is a real Socket.IO client with the
 * agent's session cookie. Needs `npm run build` (both the console and the widget).
 */
describe('chat widget on a shop page in the browser', function () {
  this.timeout(40_000);
  const suite = widgetSuite();
  let server: TestServer;
  let site: ShopSite;
  let page: Page;
  before(() => ({ server, site } = suite));
  beforeEach(() => ({ page } = suite));

  /** A shop of its own whose page origin is allowed, open around the clock, with an agent online. */
  const openShop = (open = true) => openShopOf(suite, open);
  const email = customerEmail;
  /** The page's window with the widget's command function. */
  type Stubbed = { madoguchi?: ((command: string) => void) & { loaded?: boolean } };

  it('GET /widget.js is a cacheable script any origin may load', async () => {
    const res = await fetch(`${server.url}/widget.js`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/javascript/);
    expect(res.headers.get('cross-origin-resource-policy')).to.equal('cross-origin');
    expect(res.headers.get('cache-control')).to.equal('public, max-age=300');
    expect((await res.text()).length).to.be.greaterThan(1000);
    // node:http, since fetch adds "Cache-Control: no-cache" to conditional requests.
    const status = await new Promise<number>((done, fail) =>
      get(`${server.url}/widget.js`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } }, (r) => {
        r.resume();
        done(r.statusCode ?? 0);
      }).on('error', fail),
    );
    expect(status).to.equal(304);
  });

  it('the launcher opens the shop-named panel with a bilingual pre-chat form, and neither page nor widget styles cross over', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.id('shop-name').filter({ hasText: shop.name }).waitFor();
    const form = await w.id('prechat').innerText();
    for (const label of ['お名前', 'Name', 'メールアドレス', 'Email', 'ご注文番号（任意）', 'Order number (optional)']) expect(form).to.contain(label);
    const launcherColor = await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(launcherColor).to.not.equal('rgb(255, 0, 0)');
    expect(await w.id('prechat-submit').evaluate((el) => getComputedStyle(el).fontSize)).to.not.equal('30px');
    // The page's own .launcher keeps its page style: the widget's .launcher rule stays inside.
    expect(await page.locator('#page-launcher').evaluate((el) => getComputedStyle(el).borderTopColor)).to.equal('rgb(0, 0, 255)');
  });

  it('a visitor who fills the form chats with an agent: typing, the reply and the read mark show in the widget', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('山田 花子', email(), 'A-1001');
    const c = await joinWhenWritten(agent, '山田 花子', w, '注文した商品がまだ届きません');
    expect(c.orderNumber).to.equal('A-1001');
    await w.stored('注文した商品がまだ届きません').waitFor();
    const sync = await ask(agent, 'sync', { conversationId: c.id, afterSeq: 0 });
    expect(sync.messages.map((m: any) => m.body)).to.deep.equal(['注文した商品がまだ届きません']);

    agent.emit('typing', { conversationId: c.id, typing: true });
    await w.id('typing').filter({ hasText: '担当者が入力中…' }).waitFor();
    await ask(agent, 'read', { conversationId: c.id, seq: 1 });
    await w.stored('注文した商品がまだ届きません').getByTestId('read-receipt').filter({ hasText: '既読' }).waitFor();
    await ask(agent, 'message:send', { conversationId: c.id, clientId: cid(), body: 'ご不便をおかけしております。確認いたします。' });
    await w.stored('ご不便をおかけしております。確認いたします。').waitFor();
    await w.id('typing').waitFor({ state: 'hidden' });
    expect(await w.bodies.allInnerTexts()).to.deep.equal(['注文した商品がまだ届きません', 'ご不便をおかけしております。確認いたします。']);
  });

  it('a pre-chat form the server refuses says which field to check, in the page\'s language first, never the server\'s developer text', async () => {
    const { shop } = await openShop();
    // The browser takes an address without a dot after the @; the server does not.
    for (const [locale, expected] of [
      ['ja', 'メールアドレスをご確認ください（例: hanako@example.jp）。 / Please check your email address (for example hanako@example.jp).'],
      ['en', 'Please check your email address (for example hanako@example.jp). / メールアドレスをご確認ください（例: hanako@example.jp）。'],
    ] as const) {
      await page.goto(site.url(shop.id, { locale }));
      const w = widget(page);
      await w.open();
      await w.id('prechat-name').fill('山田 花子');
      await w.id('prechat-email').fill('hanako@example');
      await w.id('prechat-submit').click();
      const error = w.id('prechat-error');
      await error.filter({ hasText: expected }).waitFor();
      expect(await error.innerText()).to.equal(expected).and.not.match(/input is not valid|expected an email/);
      // Corrected, the chat starts.
      await w.id('prechat-email').fill(email());
      await w.id('prechat-submit').click();
      await w.composer.waitFor();
      await page.evaluate(() => localStorage.clear());
    }
  });

  it('markup in messages from either side is shown as text and never runs', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('<b>悪い名前</b>', email());
    const evil = '<img src=x onerror="window.__pwned=1">こんにちは';
    const c = await joinWhenWritten(agent, '<b>悪い名前</b>', w, evil);
    await ask(agent, 'message:send', { conversationId: c.id, clientId: cid(), body: '<script>window.__pwned=2</script><img src=y onerror="window.__pwned=3">' });
    await w.stored(evil).waitFor();
    await w.stored('<script>window.__pwned=2</script><img src=y onerror="window.__pwned=3">').waitFor();
    expect(await w.id('messages').locator('img, script, b').count()).to.equal(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
  });

  it('a reload continues the same conversation with its history', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('鈴木 一郎', email());
    const c = await joinWhenWritten(agent, '鈴木 一郎', w, '一通目です');
    await ask(agent, 'message:send', { conversationId: c.id, clientId: cid(), body: '承知しました' });
    await w.stored('承知しました').waitFor();

    await page.reload();
    await w.open();
    await w.stored('承知しました').waitFor();
    expect(await w.id('prechat').count()).to.equal(0);
    const next = waitFor(agent, 'message', (m: any) => m.body === '二通目です');
    await w.send('二通目です');
    expect((await next).conversationId).to.equal(c.id);
    await w.stored('二通目です').waitFor();
    expect(await w.bodies.allInnerTexts()).to.deep.equal(['一通目です', '承知しました', '二通目です']);
  });

  it('after a lost page, unacknowledged messages are synced or resent with the same client ids, each stored and shown once', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('高橋 健', email());
    const c = await joinWhenWritten(agent, '高橋 健', w, '最初');
    const saved = await w.saved(shop.id);
    // One message reached the server but its ack was lost; another never left the page.
    const reached = cid();
    const other = widgetClient(server.url, shop.id, saved!.session.token);
    await connected(other);
    expect((await ask(other, 'message:send', { conversationId: c.id, clientId: reached, body: '届いていた' })).ok).to.equal(true);
    other.disconnect();
    const outbox = [reached, cid()].map((clientId, i) => ({ clientId, body: i === 0 ? '届いていた' : '未送信だった', attachments: [], createdAt: new Date().toISOString() }));
    await page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [`madoguchi:v1:${shop.id}:outbox`, JSON.stringify(outbox)]);

    await page.reload();
    await w.open();
    await w.stored('未送信だった').waitFor();
    expect(await w.bodies.allInnerTexts()).to.deep.equal(['最初', '届いていた', '未送信だった']);
    const sync = await ask(agent, 'sync', { conversationId: c.id, afterSeq: 0 });
    expect(sync.messages.map((m: any) => [m.seq, m.body])).to.deep.equal([[1, '最初'], [2, '届いていた'], [3, '未送信だった']]);
    expect(await page.evaluate((key) => localStorage.getItem(key), `madoguchi:v1:${shop.id}:outbox`)).to.equal('[]');
  });

  it('a customer signed in on the shop (signed identity token) skips the form and chats as verified', async () => {
    const { shop, agent } = await openShop();
    const owner = await signedIn(server.url, shop.people.owner);
    const rotated = await owner.post(`/api/shops/${shop.id}/widget-secret`);
    expect(rotated.status).to.equal(201);
    const token = signIdentity(rotated.body.secret, { sub: 'cust-42', email: 'taro@example.jp', name: '佐藤 太郎', iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
    await page.goto(site.url(shop.id, { identityToken: token }));
    const w = widget(page);
    await w.open();
    await w.composer.waitFor();
    expect(await w.id('prechat').count()).to.equal(0);
    const c = await joinWhenWritten(agent, '佐藤 太郎', w, 'ログインしています');
    expect(c.customer.verified).to.equal(true);
    await w.stored('ログインしています').waitFor();
  });

  it('a forged identity token shows an error instead of the chat', async () => {
    const { shop } = await openShop();
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.post(`/api/shops/${shop.id}/widget-secret`)).status).to.equal(201);
    const forged = signIdentity('not-the-shop-secret', { sub: 'cust-42', name: '偽者', iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
    await page.goto(site.url(shop.id, { identityToken: forged }));
    const w = widget(page);
    await w.open();
    await w.id('verify-error').filter({ hasText: 'ご本人確認ができませんでした' }).waitFor();
    expect(await w.composer.count()).to.equal(0);
    expect(await w.id('prechat').count()).to.equal(0);
    // The server's reason is for developers: the customer is not shown it.
    expect(await w.panel.innerText()).to.not.match(/token|signature|HMAC|identity/i);
  });

  it('a refused file is explained in the reader\'s language (Japanese, then English), never by a Content-Type; an image is attached, delivered and shown', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('伊藤 美咲', email());
    await joinWhenWritten(agent, '伊藤 美咲', w, '写真を送ります');
    // Claims to be a PNG; the server finds text in it.
    await w.id('file-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
    const mismatch = w.id('upload-status').filter({ hasText: 'ファイルの中身が画像や PDF ではないか、壊れています。' });
    await mismatch.waitFor();
    expect(await mismatch.innerText()).to.contain(' / The file could not be attached: its contents are not an image or a PDF').and.not.match(/Content-Type|image\/png|text\/plain/);
    // A type the widget does not send at all.
    await w.id('file-input').setInputFiles({ name: 'memo.txt', mimeType: 'text/plain', buffer: Buffer.from('メモ') });
    const wrongType = w.id('upload-status').filter({ hasText: '画像（JPEG・PNG・GIF・WebP）または PDF のみ送れます。' });
    await wrongType.waitFor();
    expect(await wrongType.innerText()).to.contain('only images (JPEG, PNG, GIF, WebP) and PDF files can be sent').and.not.match(/Content-Type|text\/plain/);

    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    await w.id('file-input').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
    await w.id('attachment-chip').filter({ hasText: 'dot.png' }).waitFor();
    const arrives = waitFor(agent, 'message', (m: any) => m.attachments.length === 1);
    await w.send('こちらです');
    expect((await arrives).attachments[0].filename).to.equal('dot.png');
    await w.stored('こちらです').locator('img[alt="dot.png"]').waitFor();
    // After a reload the stored message shows the photo again, not a bare file chip: it links
    // the widget's address of the file, which the customer's token opens.
    await page.reload();
    const again = widget(page);
    await again.open();
    await again.stored('こちらです').locator('img[alt="dot.png"]').waitFor();
  });

  it('on an origin the shop has not allowed the widget stays hidden, warns the developer, and the console\'s sightings list shows where it was seen', async () => {
    const shop = await makeShop(server.database);
    const warned = page.waitForEvent('console', (m) => m.type() === 'warning' && m.text().includes('[madoguchi]'));
    await page.goto(site.url(shop.id));
    const warning = (await warned).text();
    expect(warning).to.contain(site.origin).and.to.contain('許可するオリジン');
    expect(await page.locator('madoguchi-chat').count()).to.equal(0);
    const owner = await signedIn(server.url, shop.people.owner);
    const seen = await owner.get(`/api/shops/${shop.id}/widget-sightings`);
    expect(seen.body).to.have.length(1);
    expect(seen.body[0]).to.include({ origin: site.origin, allowed: false });
  });

  it('commands called while the config loads wait for it, and a config that never comes shows the plain widget after the timeout', async () => {
    const { shop } = await openShop();
    await server.database.db.update(shops).set({ widgetColor: '#ffd700' }).where(eq(shops.id, shop.id));
    const w = widget(page);
    // The config is held until the page has asked to open the chat.
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    await page.route('**/widget/config', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(site.url(shop.id));
    await page.waitForFunction(() => (window as unknown as Stubbed).madoguchi?.loaded === true);
    await page.evaluate(() => (window as unknown as Stubbed).madoguchi!('open'));
    release();
    await w.panel.waitFor();
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal('rgb(255, 215, 0)');

    // Never answered: after the timeout the widget shows as it did before it had a config, and the queued open runs.
    await page.unroute('**/widget/config');
    await page.route('**/widget/config', () => undefined);
    await page.goto(site.url(shop.id));
    await page.waitForFunction(() => (window as unknown as Stubbed).madoguchi?.loaded === true);
    await page.evaluate(() => (window as unknown as Stubbed).madoguchi!('open'));
    expect(await page.locator('madoguchi-chat').count()).to.equal(0);
    await w.panel.waitFor({ timeout: 8000 });
    await w.id('shop-name').filter({ hasText: shop.name }).waitFor();
  });

  it('before the form it shows the shop\'s colour, greeting, closed-until time, usual reply time and the privacy notice beside the email field', async () => {
    const { shop } = await openShop(false);
    await server.database.db
      .update(shops)
      .set({ widgetColor: '#ffd700', widgetGreetingJa: 'ようこそ', replyTime: 'hours', privacyUrl: 'https://shop.example.jp/privacy' })
      .where(eq(shops.id, shop.id));
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.id('prechat-greeting').filter({ hasText: 'ようこそ' }).waitFor();
    expect(await w.id('prechat-hours').innerText()).to.match(/^ただいま営業時間外です。.+から対応します。$/);
    expect(await w.id('prechat-reply-time').innerText()).to.equal('通常、数時間以内にお返事します。');
    const privacy = w.id('prechat-privacy');
    expect(await privacy.getAttribute('href')).to.equal('https://shop.example.jp/privacy');
    // Beside the email field: in the same field block as the email input.
    expect(await privacy.evaluate((a) => !!a.closest('.field')?.querySelector('[data-testid="prechat-email"]'))).to.equal(true);
    // Gold with dark text, chosen by contrast.
    expect(await w.launcher.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])).to.deep.equal(['rgb(255, 215, 0)', 'rgb(31, 41, 51)']);
  });

  it('out of business hours the widget says so and still takes the message', async () => {
    const { shop, agent } = await openShop(false);
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('中村 優', email());
    await w.id('offline-notice').filter({ hasText: 'ただいま営業時間外です。メッセージを残していただければ、メールでご返信します。' }).waitFor();
    expect(await w.id('offline-notice').innerText()).to.contain('We are outside business hours');
    const c = await joinWhenWritten(agent, '中村 優', w, '営業時間外ですが失礼します');
    await w.stored('営業時間外ですが失礼します').waitFor();
    expect(c.id).to.be.a('string');
  });

  it('when the agent resolves the conversation the customer rates it 1–5 with a comment', async () => {
    const { shop, agent } = await openShop();
    const agentHttp = await signedIn(server.url, shop.people.agent);
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('小林 さくら', email());
    const c = await joinWhenWritten(agent, '小林 さくら', w, '解決しました');
    expect(await w.id('rating').count()).to.equal(0);
    const resolved = await agentHttp.patch(`/api/shops/${shop.id}/conversations/${c.id}`, { status: 'resolved' });
    expect(resolved.status, resolved.text).to.equal(200);
    await w.id('rate-4').click();
    await w.id('rate-comment').fill('丁寧でした');
    await w.id('rate-send').click();
    await w.id('rate-status').filter({ hasText: 'ご評価ありがとうございました。' }).waitFor();
    const rows = await server.database.db.select().from(csatRatings).where(eq(csatRatings.conversationId, c.id));
    expect(rows.map((r) => [r.rating, r.comment])).to.deep.equal([[4, '丁寧でした']]);
  });

  it('a rating the server refuses is explained in the page\'s language first, never by the server\'s text', async () => {
    const { shop, agent } = await openShop();
    const agentHttp = await signedIn(server.url, shop.people.agent);
    await page.goto(site.url(shop.id, { locale: 'en' }));
    const w = widget(page);
    await w.open();
    await w.fillForm('Emma Suzuki', email());
    const c = await joinWhenWritten(agent, 'Emma Suzuki', w, 'Thanks, solved');
    const path = `/api/shops/${shop.id}/conversations/${c.id}`;
    expect((await agentHttp.patch(path, { status: 'resolved' })).status).to.equal(200);
    await w.id('rate-5').click();
    // The agent reopens it, and the widget does not hear of it (the broadcast is lost): the server refuses the rating.
    const room = rooms.widgetConversation(c.id);
    for (const s of server.service.realtime.io.of('/widget').sockets.values()) if (s.rooms.has(room)) await s.leave(room);
    expect((await agentHttp.patch(path, { status: 'open' })).status).to.equal(200);
    await w.id('rate-send').click();
    const expected = 'This conversation is not resolved yet, so it cannot be rated. / このお問い合わせはまだ解決していないため、評価できません。';
    const status = w.id('rate-status');
    await status.filter({ hasText: expected }).waitFor();
    expect(await status.innerText()).to.equal(expected);
    expect(await server.database.db.select().from(csatRatings).where(eq(csatRatings.conversationId, c.id))).to.deep.equal([]);
  });
});

describe('GET /widget.js before the widget is built', () => {
  it('answers 503 with how to build it, and is not cached', async () => {
    const http = new Koa().use(serveWidget('/nonexistent/dist-widget/widget.js')).listen(0, '127.0.0.1');
    await new Promise((done) => http.once('listening', done));
    try {
      const res = await fetch(`http://127.0.0.1:${(http.address() as { port: number }).port}/widget.js`);
      expect(res.status).to.equal(503);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(await res.text()).to.contain('npm run build');
    } finally {
      http.close();
    }
  });
});
