import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/csv/${name}`, import.meta.url));
const header =
  'order_number,ordered_at,customer_name,customer_email,customer_phone,postcode,prefecture,address,sku,item_name,quantity,unit_price,tax_rate,shipping_fee,cod_fee,coupon_code,coupon_discount,payment_method,carrier,tracking_number,shipped_at,delivered_at';
const row = (n: string, sku: string, extra: Partial<Record<'qty' | 'email' | 'price' | 'tax', string>> = {}) =>
  `${n},2026-11-25 14:03,山田 太郎,${extra.email ?? 'taro@example.jp'},03-1234-5678,1500001,東京都,渋谷区1-2-3,${sku},商品${sku},${extra.qty ?? '1'},${extra.price ?? '1980'},${extra.tax ?? '10'},500,,,,クレジットカード,ヤマト運輸,,,`;

for (const kind of dbKinds) {
  describe(`[${kind}] CSV import of orders`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind, { config: { IMPORT_LIMIT_MB: '1' } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    const upload = (c: TestClient, body: BodyInit, type = 'text/csv', query = '') =>
      c.request('POST', `/api/shops/${shop.id}/orders/import${query}`, { body, headers: { 'content-type': type } });

    it('imports a Shift_JIS export with Japanese headers, detected without a hint', async () => {
      const r = await upload(owner, fixture('orders-sjis.csv'));
      expect(r.status).to.equal(200);
      expect(r.body.encoding).to.equal('shift_jis');
      // The fixture's first order has 〒なし for a postcode: reported on its line and column, in Japanese as written.
      expect(r.body.errors).to.have.length(1);
      expect(r.body.errors[0]).to.include({ line: 2, orderNumber: 'C-3001', column: '郵便番号' });
      expect(r.body.orders).to.deep.equal({ created: 1, updated: 0, unchanged: 0, rejected: 1 });
      const order = await owner.get(`/api/shops/${shop.id}/orders/C-3002`);
      expect(order.body.customer.name).to.equal('伊藤 健');
      expect(order.body.lines[0]).to.include({ name: '白みそ', unitPrice: 640, taxRate: 8, quantity: 2 });
      expect(order.body.paymentMethod).to.equal('bank_transfer');
    });

    it('imports the good orders, reports each bad row with its line and reason, and leaves bad orders out', async () => {
      const csv = [header, row('GOOD-1', 'A'), row('BAD-1', 'A', { qty: 'two' }), row('GOOD-2', 'B'), row('BAD-2', 'A', { email: 'not-an-email' }), row('BAD-2', 'B'), ''].join('\n');
      const r = await upload(owner, csv);
      expect(r.status).to.equal(200);
      expect(r.body.rows).to.equal(5);
      expect(r.body.orders).to.deep.equal({ created: 2, updated: 0, unchanged: 0, rejected: 2 });
      const byLine = Object.fromEntries(r.body.errors.map((e: { line: number; column: string; orderNumber: string }) => [e.line, e]));
      expect(byLine[3]).to.include({ orderNumber: 'BAD-1', column: 'quantity' });
      expect(byLine[5]).to.include({ orderNumber: 'BAD-2', column: 'customer_email' });
      expect(byLine[6]).to.include({ orderNumber: 'BAD-2' });
      expect((await owner.get(`/api/shops/${shop.id}/orders/GOOD-2`)).status).to.equal(200);
      expect((await owner.get(`/api/shops/${shop.id}/orders/BAD-1`)).status).to.equal(404);
      expect((await owner.get(`/api/shops/${shop.id}/orders/BAD-2`)).status).to.equal(404);
    });

    it('reads an order\'s origin prefecture (発送元都道府県) for route-targeted notices, and refuses one that is no prefecture at its column', async () => {
      const csv = [`${header},発送元都道府県`, `${row('ORIG-1', 'A')},北海道`, `${row('ORIG-2', 'A')},ほっかいどう`, `${row('ORIG-3', 'A')},`].join('\n');
      const r = await upload(owner, csv);
      expect(r.status).to.equal(200);
      expect(r.body.orders).to.deep.equal({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
      expect(r.body.errors[0]).to.include({ line: 3, orderNumber: 'ORIG-2', column: '発送元都道府県' });
      const [one] = await server.database.db.select({ origin: orders.originPrefecture }).from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, 'ORIG-1')));
      expect(one!.origin).to.equal('北海道');
      const [three] = await server.database.db.select({ origin: orders.originPrefecture }).from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, 'ORIG-3')));
      expect(three!.origin).to.equal(null);
    });

    it('importing the same file twice changes nothing the second time', async () => {
      const csv = [header, row('DUP-1', 'A'), row('DUP-1', 'B'), row('DUP-2', 'A')].join('\r\n');
      const first = await upload(owner, csv);
      expect(first.body.orders).to.deep.include({ created: 2, unchanged: 0 });
      const second = await upload(owner, csv);
      expect(second.body.orders).to.deep.equal({ created: 0, updated: 0, unchanged: 2, rejected: 0 });
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=orders.imported&limit=2`);
      expect(audit.body.events[0].summary).to.include({ created: 0, unchanged: 2 });
      const dup = await owner.get(`/api/shops/${shop.id}/orders/DUP-1`);
      expect(dup.body.lines).to.have.length(2);
      expect(dup.body.source).to.equal('csv');
    });

    it('refuses bytes that are neither UTF-8 nor Shift_JIS with 400 and imports nothing', async () => {
      const garbage = Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0x41, 0x2c, 0xff, 0xfe, 0x80, 0x0a])]);
      const r = await upload(owner, garbage);
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('invalid_input');
      expect(r.body.error.message).to.match(/UTF-8|Shift_JIS/);
    });

    it('refuses a UTF-16 file (NUL characters) with 400, and reports an order too large to store as a row error', async () => {
      const utf16 = Buffer.from(`\ufeff${header}\n${row('W-1', 'A')}\n`, 'utf16le');
      const r = await upload(owner, utf16);
      expect(r.status).to.equal(400);
      // A list of details like every 400, in both languages, for the console to show in the merchant's.
      expect(r.body.error.details).to.be.an('array').with.length(1);
      expect(r.body.error.details[0]).to.include({ path: 'file', message: r.body.error.message });
      expect(r.body.error.details[0].ja).to.match(/^UTF-8 でも Shift_JIS でもないファイルです/);
      const huge = await upload(owner, [header, row('HUGE-1', 'A', { qty: '10000', price: '100,000,000' }), row('FINE-1', 'A')].join('\n'));
      expect(huge.status).to.equal(200);
      expect(huge.body.orders).to.deep.include({ created: 1, rejected: 1 });
      expect(huge.body.errors[0]).to.include({ line: 2, orderNumber: 'HUGE-1' });
    });

    it('refuses a file without the required columns with 400 naming them', async () => {
      const r = await upload(owner, 'order_number,sku\nX-1,A\n');
      expect(r.status).to.equal(400);
      expect(r.body.error.message).to.include('customer_email');
    });

    it('honours an explicit charset and refuses an unknown one with 415', async () => {
      const sjis = fixture('orders-sjis.csv');
      expect((await upload(owner, sjis, 'text/csv; charset=Shift_JIS')).status).to.equal(200);
      expect((await upload(owner, sjis, 'text/csv', '?encoding=shift_jis')).status).to.equal(200);
      const eucJp = await upload(owner, sjis, 'text/csv; charset=euc-jp');
      expect(eucJp.status).to.equal(415);
      expect(eucJp.body.error.details[0]).to.include({ path: 'charset', ja: '文字コード「eucjp」には対応していません。UTF-8 か Shift_JIS で送ってください' });
      expect((await upload(owner, sjis, 'text/csv', '?encoding=latin1')).status).to.equal(400);
    });

    it('refuses a non-CSV content type with 415 and an oversize file with 413', async () => {
      expect((await upload(owner, '{"a":1}', 'application/json')).status).to.equal(415);
      const big = `${header}\n${row('BIG-1', 'A')}\n`.repeat(1 + Math.ceil((1024 * 1024) / 300));
      const r = await upload(owner, big);
      expect(r.status).to.equal(413);
      expect(r.body.error.code).to.equal('payload_too_large');
      expect((await owner.get(`/api/shops/${shop.id}/orders/BIG-1`)).status).to.equal(404);
    });

    it('when two imports of the same orders in opposite order run at once, both succeed', async () => {
      const numbers = Array.from({ length: 600 }, (_, i) => `PAR-${String(i).padStart(4, '0')}`);
      const up = [header, ...numbers.map((x) => row(x, 'A'))].join('\n');
      const down = [header, ...[...numbers].reverse().map((x) => row(x, 'A', { qty: '2' }))].join('\n');
      const [a, b] = await Promise.all([upload(owner, up), upload(owner, down)]);
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      const total = (r: typeof a) => r.body.orders.created + r.body.orders.updated;
      expect(total(a) + total(b)).to.equal(1200);
    });

    it('is for the merchant and the platform: agents and contractors get 403', async () => {
      for (const role of ['agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        const r = await upload(c, [header, row(`NOPE-${role}`, 'A')].join('\n'));
        expect(r.status, role).to.equal(403);
      }
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'import' });
      const platform = new TestClient(server.url).withKey(key.body.key);
      const r = await upload(platform, [header, row('KEY-1', 'A')].join('\n'));
      expect(r.status).to.equal(200);
      expect(r.body.orders.created).to.equal(1);
    });
  });
}
