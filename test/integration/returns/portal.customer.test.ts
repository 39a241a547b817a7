import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { shops } from '../../../server/domains/shops/shops.tables.ts';
import { recordSighting } from '../../../server/domains/shops/shops.sightings.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { daysAgo, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';
import { csrfOf, png, signInToPortal, Visitor } from './portal.visitor.ts';

/** What the portal tells the customer around a request: the deadline, the reply time, the way on after a refusal, their photos, the shop's look. */
for (const kind of oneDbKind()) {
  describe(`[${kind}] the returns portal tells the customer where they stand`, () => {
    let server: TestServer;
    let d: Desk;
    const portal = () => `/returns/${d.shop.id}`;
    before(async () => {
      server = await startServer(kind, { config: { INBOUND_EMAIL_DOMAIN: 'in.madoguchi.test', INBOUND_EMAIL_SECRET: 'x'.repeat(32) } });
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      await server.database.db.update(shops).set({ widgetColor: '#ffd700', replyTime: 'hours' }).where(eq(shops.id, d.shop.id));
    });
    after(() => server.close());

    it('shows the deadline for a change of mind (delivery day is day 1, to 23:59 Tokyo), that a defect is not bound by it, and starts with no reason and no quantity chosen', async () => {
      // Ordered before the shop published its terms: the statutory 8 days, delivery day + 7 the last.
      const delivered = daysAgo(3);
      const order = await pushOrder(d, { orderedAt: daysAgo(5), shippedAt: daysAgo(4), deliveredAt: delivered });
      const v = await signInToPortal(server, d.shop.id, order);
      const page = (await v.get(`${portal()}/order`)).html;
      const last = new Date(new Date(delivered).getTime() + 7 * 86_400_000);
      const jaDay = last.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', weekday: 'short' });
      const deadline = /<div class="deadline" data-testid="deadline">([\s\S]*?)<\/div>/.exec(page)![1]!;
      expect(deadline).to.include(`お客様都合の返品期限：${jaDay} 23:59 まで`).and.include('Deadline for a change of mind');
      // What madoguchi knows (no terms registered here), not what the shop's checkout showed.
      expect(deadline).to.include('このショップは返品条件を登録していないため、法律の定め（特定商取引法第15条の3）に従い、商品到着日を含めて8日以内であれば返品できます。返送料はお客様のご負担です。');
      expect(deadline).to.include('has not registered return terms').and.not.include('返品特約の表示がない');
      expect(deadline).to.include('契約不適合').and.include('1年以内').and.include('民法562条');
      expect(deadline).to.include('追完').and.include('損害賠償').and.include('重大な過失').and.include('民法566条').and.include('gross negligence');
      // No reason preselected: the placeholder is the selected option; no quantity filled in.
      const reason = /<select id="reason"[\s\S]*?<\/select>/.exec(page)![0];
      expect(reason).to.match(/<option value="" selected>選択してください/);
      expect(reason).not.to.match(/<option value="[a-z_]+" selected>/);
      expect(page).to.match(/name="qty_1" min="0" max="2" value=""/);
    });

    it('says the deadline has passed for an order delivered long ago, and still offers a defect claim', async () => {
      const order = await pushOrder(d, { orderedAt: daysAgo(40), shippedAt: daysAgo(39), deliveredAt: daysAgo(38) });
      const v = await signInToPortal(server, d.shop.id, order);
      const page = (await v.get(`${portal()}/order`)).html;
      expect(page).to.include('を過ぎています').and.include('has passed').and.include('契約不適合');
    });

    it('tells the tries left after a wrong code, in Japanese and English', async () => {
      const order = await pushOrder(d);
      const v = new Visitor(server.url);
      const started = await v.post(`${portal()}/code`, { orderNumber: order.number, contact: order.email });
      const challenge = new URL(started.location, server.url).searchParams.get('c')!;
      const wrong = await v.post(`${portal()}/verify`, { challenge, code: '000000' });
      expect(wrong.status).to.equal(400);
      expect(wrong.html).to.include('あと4回').and.include('4 tries left');
    });

    it('on a refused request shows the usual reply time, the shop’s chat (where the widget runs) and mail address, and that a defect can still be claimed', async () => {
      await recordSighting(server.database.db, d.shop.id, 'https://shop.example.jp', true);
      await server.database.db.update(shops).set({ allowedOrigins: ['https://shop.example.jp'] }).where(eq(shops.id, d.shop.id));
      const order = await pushOrder(d);
      const v = await signInToPortal(server, d.shop.id, order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const filed = await v.post(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'return', reason: 'size' });
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      const before = (await v.get(`${portal()}/requests/${id}`)).html;
      expect(before).to.include('通常、数時間以内にお返事します。').and.include('We typically reply within a few hours.');
      expect(before).not.to.include('data-testid="refusal-help"');
      await moved(d.owner, d.shop.id, id, { event: 'reject', reasonCode: 'condition_not_met', note: '開封済みのため' });
      const page = (await v.get(`${portal()}/requests/${id}`)).html;
      expect(page).to.include('href="https://shop.example.jp"').and.include(`mailto:shop+${d.shop.id}@in.madoguchi.test`);
      const defect = /data-testid="refusal-defect">([\s\S]*?)<\/p>/.exec(page)![1]!;
      expect(defect).to.include('契約不適合').and.include('1年以内').and.include('追完、代金の減額、損害賠償、契約の解除').and.include('民法562条〜564条');
      expect(defect).to.include('知っていた、または重大な過失で知らなかった場合は、この1年の期限はありません（民法566条）');
      // The shop's colour, with dark text on gold (chosen by contrast).
      expect(page).to.include('background: #ffd700; color: #1f2933;');
    });

    it('shows the customer their own photos, served to their portal session only', async () => {
      const order = await pushOrder(d);
      const v = await signInToPortal(server, d.shop.id, order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const filed = await v.postFiles(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'return', reason: 'defective' }, [{ bytes: png, type: 'image/png', name: '破損.png' }]);
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      const page = (await v.get(`${portal()}/requests/${id}`)).html;
      const src = new RegExp(`<img src="(${portal()}/requests/${id}/photos/[0-9a-f-]{36})"`).exec(page)?.[1];
      expect(src, 'the photo on the status page').to.be.a('string');
      const mine = await fetch(`${server.url}${src}`, { headers: { cookie: v.cookieHeader } });
      expect(mine.status).to.equal(200);
      expect(mine.headers.get('cache-control')).to.equal('private, no-store');
      expect(Buffer.from(await mine.arrayBuffer()).equals(png)).to.equal(true);
      // Another customer of the shop, signed in for their own order, does not get it; nor does anyone without a session.
      const other = await signInToPortal(server, d.shop.id, await pushOrder(d));
      const theirs = await other.get(src!);
      expect(theirs.status).to.equal(404);
      expect(theirs.html).not.to.include('PNG');
      const nobody = await new Visitor(server.url).get(src!);
      expect(nobody.status).to.equal(302);
    });

    /** A request of this order filed and refused by the shop: its page's address. */
    const refused = async (v: Visitor) => {
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const filed = await v.post(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'return', reason: 'size' });
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      await moved(d.owner, d.shop.id, id, { event: 'reject', reasonCode: 'condition_not_met', note: '開封済みのため' });
      return `${portal()}/requests/${id}`;
    };

    it('links the refusal page to the chat on a public https origin only, never a local or staging one seen later', async () => {
      const db = server.database.db;
      await db.update(shops).set({ allowedOrigins: ['https://shop.example.jp', 'http://localhost:3000', 'https://staging.shop.example.jp'] }).where(eq(shops.id, d.shop.id));
      await recordSighting(db, d.shop.id, 'https://shop.example.jp', true);
      const v = await signInToPortal(server, d.shop.id, await pushOrder(d));
      const at = await refused(v);
      await recordSighting(db, d.shop.id, 'https://staging.shop.example.jp', true);
      await recordSighting(db, d.shop.id, 'http://localhost:3000', true);
      const chat = (html: string) => /href="([^"]*)" rel="noopener" data-testid="refusal-chat"/.exec(html)?.[1] ?? null;
      expect(chat((await v.get(at)).html)).to.equal('https://shop.example.jp');
      // Only local and staging origins left allowed: no chat link rather than one that leads nowhere.
      await db.update(shops).set({ allowedOrigins: ['http://localhost:3000', 'https://staging.shop.example.jp'] }).where(eq(shops.id, d.shop.id));
      const page = (await v.get(at)).html;
      expect(chat(page)).to.equal(null);
      expect(page).to.include('data-testid="refusal-mail"');
    });

    it('when only the ship date is known, never says the deadline has passed: it counts from the delivery day, and a person checks', async () => {
      const order = await pushOrder(d, { orderedAt: daysAgo(40), shippedAt: daysAgo(39), deliveredAt: null });
      const v = await signInToPortal(server, d.shop.id, order);
      const deadline = /<div class="deadline" data-testid="deadline">([\s\S]*?)<\/div>/.exec((await v.get(`${portal()}/order`)).html)![1]!;
      expect(deadline).not.to.include('を過ぎています').and.not.include('has passed');
      expect(deadline).to.include('商品の到着日から8日間・到着日を含む').and.include('担当者がお届け日を確かめます').and.include('a person checks it');
    });

    it('keeps the reason, the comment and the kind the customer entered when the form comes back with an error', async () => {
      const v = await signInToPortal(server, d.shop.id, await pushOrder(d));
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const back = await v.post(`${portal()}/confirm`, { csrf, kind: 'exchange', reason: 'size', comment: 'サイズが小さすぎました <b>', qty_1: '' });
      expect(back.status).to.equal(400);
      expect(back.html).to.include('返品・交換する商品の数量を入力してください。');
      expect(back.html).to.match(/<option value="size" selected>/);
      expect(back.html).to.match(/<option value="exchange" selected>/);
      expect(back.html).to.include('>サイズが小さすぎました &lt;b&gt;</textarea>');
    });

    it('asks for a reason in plain words, once, when none was chosen, never with zod’s developer English', async () => {
      const v = await signInToPortal(server, d.shop.id, await pushOrder(d));
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const back = await v.post(`${portal()}/confirm`, { csrf, kind: 'return', reason: '', comment: 'よろしく', qty_1: '1' });
      expect(back.status).to.equal(400);
      expect(back.html.split('理由を選んでください。')).to.have.length(2);
      expect(back.html.split('入力内容をご確認ください。')).to.have.length(2);
      expect(back.html).to.include('choose a reason').and.not.include('Invalid option');
      expect(back.html).to.match(/name="qty_1" min="0" max="2" value="1"/);
      expect(back.html).to.include('>よろしく</textarea>');
    });

    // Last: publishes terms that the earlier tests' orders would otherwise fall under.
    it('shows a deadline per period when the order\'s lines have different windows (a 3-day outlet item beside a 14-day one)', async () => {
      await publish(d, someTerms({ windowDaysByTag: [{ tag: 'outlet', days: 3 }], tagLabels: [{ tag: 'sale', ja: 'セール品', en: 'Sale items' }, { tag: 'outlet', ja: 'アウトレット品', en: 'Outlet items' }] }));
      const now = new Date().toISOString();
      const order = await pushOrder(d, {
        orderedAt: now,
        shippedAt: now,
        deliveredAt: now,
        lines: [
          { sku: 'MUG-001', name: 'マグカップ', quantity: 1, unitPrice: 2750, taxRate: 10, tags: ['outlet'] },
          { sku: 'SNK-100', name: 'クッキー', quantity: 1, unitPrice: 864, taxRate: 8 },
        ],
      });
      const v = await signInToPortal(server, d.shop.id, order);
      const deadline = /<div class="deadline" data-testid="deadline">([\s\S]*?)<\/div>/.exec((await v.get(`${portal()}/order`)).html)![1]!;
      const day = (days: number) => new Date(Date.now() + (days - 1) * 86_400_000).toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', weekday: 'short' });
      expect(deadline).to.include(`「マグカップ」：お客様都合の返品期限：${day(3)} 23:59 まで（ショップの返品特約により商品の到着日から3日間`);
      expect(deadline).to.include(`「クッキー」：お客様都合の返品期限：${day(14)} 23:59 まで（ショップの返品特約により商品の到着日から14日間`);
      expect(deadline).to.include('“マグカップ”: deadline for a change of mind: ').and.include('“クッキー”: deadline for a change of mind: ');
    });
  });
}
