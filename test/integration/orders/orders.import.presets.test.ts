import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

const exportFile = (name: string) => readFileSync(new URL(`../../fixtures/exports/${name}`, import.meta.url));

/** A file no platform writes: a shop's own spreadsheet. */
const ownSheet = [
  '受注番号,受注日時,お客様,メール,電話,〒,品番,品名,個数,税込単価,決済,備考',
  'R-1,2026/11/25 14:03,山田 太郎,taro@example.jp,090-1234-5678,150-0001,A-1,抹茶,2,1980,クレジットカード決済,',
  'R-1,,,,,,B-2,湯呑み,1,3300,,',
  'R-2,2026/11/26 09:00,佐藤 花子,hanako@example.jp,,,A-1,抹茶,1,1980,代金引換,急ぎ',
].join('\r\n');
const ownMapping = {
  name: '自社の表',
  columns: {
    order_number: '受注番号',
    ordered_at: '受注日時',
    customer_name: 'お客様',
    customer_email: 'メール',
    customer_phone: '電話',
    postcode: '〒',
    sku: '品番',
    item_name: '品名',
    quantity: '個数',
    unit_price: '税込単価',
    payment_method: '決済',
  },
  defaults: { taxRate: 8 },
};

for (const kind of dbKinds) {
  describe(`[${kind}] importing the platforms' own order exports`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    const upload = (c: TestClient, body: BodyInit, query = '') =>
      c.request('POST', `/api/shops/${shop.id}/orders/import${query}`, { body, headers: { 'content-type': 'text/csv' } });

    const cases = [
      { file: 'shopify-orders_export.csv', preset: 'shopify', encoding: 'utf-8', orders: 3, check: '#1001' },
      { file: 'base-orders.csv', preset: 'base', encoding: 'shift_jis', orders: 2, check: '154D88A39E454289' },
      { file: 'colorme-sales_all.csv', preset: 'colorme', encoding: 'shift_jis', orders: 2, check: '123456789' },
      { file: 'makeshop-orders.csv', preset: 'makeshop', encoding: 'shift_jis', orders: 2, check: 'P171323551145213731' },
      { file: 'stores-orders.csv', preset: 'stores', encoding: 'utf-8', orders: 1, check: '2611250001' },
    ];
    for (const c of cases) {
      it(`imports a ${c.preset} export as it is (${c.encoding}), says which preset read it, and a second import changes nothing`, async () => {
        const first = await upload(owner, exportFile(c.file));
        expect(first.status, first.text).to.equal(200);
        expect(first.body).to.deep.include({ preset: c.preset, encoding: c.encoding, errors: [] });
        expect(first.body.orders).to.deep.equal({ created: c.orders, updated: 0, unchanged: 0, rejected: 0 });

        const order = await owner.get(`/api/shops/${shop.id}/orders/${encodeURIComponent(c.check)}`);
        expect(order.status).to.equal(200);
        expect(order.body.customer).to.include({ name: c.preset === 'makeshop' ? '山田太郎' : '山田 太郎', email: 'taro@example.jp', prefecture: '東京都' });
        expect(order.body.lines[0]).to.include({ name: c.preset === 'base' || c.preset === 'stores' ? '抹茶 100g（缶入り）' : '抹茶 100g', unitPrice: 1980, quantity: 2 });
        expect(order.body.source).to.equal('csv');

        const again = await upload(owner, exportFile(c.file));
        expect(again.body.orders).to.deep.equal({ created: 0, updated: 0, unchanged: c.orders, rejected: 0 });
      });
    }

    it('keeps Shopify\'s #1001 as the order number and its 8% and 10% lines apart', async () => {
      const order = await owner.get(`/api/shops/${shop.id}/orders/${encodeURIComponent('#1001')}`);
      expect(order.body.orderNumber).to.equal('#1001');
      expect(order.body.lines.map((l: { sku: string; taxRate: number }) => [l.sku, l.taxRate])).to.deep.equal([
        ['TEA-01', 8],
        ['CUP-02', 10],
      ]);
      expect(order.body).to.include({ paymentMethod: 'credit_card', shippingFee: 500, total: 7760 });
      expect(order.body.shippedAt).to.equal('2026-11-26T01:00:00.000Z');
      const cancelled = await owner.get(`/api/shops/${shop.id}/orders/${encodeURIComponent('#1003')}`);
      expect(cancelled.body.cancelledAt).to.equal('2026-11-28T03:30:00.000Z');
    });

    it('records which preset an import used in the audit', async () => {
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=orders.imported&limit=1`);
      expect(audit.body.events[0].summary).to.include({ preset: 'stores' });
    });

    it('refuses a Shopify export with a renamed column with a 400 naming Shopify\'s column, writing nothing', async () => {
      const text = exportFile('shopify-orders_export.csv').toString('utf8').replace('Lineitem sku', 'SKU code').replace(/#100(\d)/g, '#200$1');
      const r = await upload(owner, text);
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('invalid_input');
      expect(r.body.error.details[0]).to.deep.include({ path: 'file', preset: 'shopify', missing: ['Lineitem sku'] });
      expect(r.body.error.details[0].ja).to.include('「Lineitem sku」');
      expect((await owner.get(`/api/shops/${shop.id}/orders/${encodeURIComponent('#2001')}`)).status).to.equal(404);
    });

    it('reports a bad cell of a BASE export at BASE\'s own column (価格), in Japanese too', async () => {
      const text = new TextDecoder('shift_jis').decode(exportFile('base-orders.csv')).replace(',2200,', ',2200円くらい,').replace(/2B7C11D0E9F84A31/g, '2B7C11D0E9F84A99');
      const r = await upload(owner, text);
      expect(r.status).to.equal(200);
      expect(r.body.errors).to.have.length(1);
      expect(r.body.errors[0]).to.include({ line: 4, orderNumber: '2B7C11D0E9F84A99', column: '価格' });
      expect(r.body.errors[0].ja).to.include('円単位の整数');
    });

    describe('the column-mapping step for any other file', () => {
      it('previews a file: its headers, no preset, suggestions, masked sample rows and the required fields still missing', async () => {
        const r = await owner.request('POST', `/api/shops/${shop.id}/orders/import/preview`, { body: ownSheet, headers: { 'content-type': 'text/csv' } });
        expect(r.status, r.text).to.equal(200);
        expect(r.body).to.deep.include({ encoding: 'utf-8', preset: null, savedMapping: false });
        expect(r.body.headers).to.deep.equal(['受注番号', '受注日時', 'お客様', 'メール', '電話', '〒', '品番', '品名', '個数', '税込単価', '決済', '備考']);
        expect(r.body.suggested).to.have.all.keys(
          'order_number', 'ordered_at', 'customer_name', 'customer_email', 'customer_phone', 'postcode', 'prefecture', 'address', 'sku', 'item_name', 'quantity',
          'unit_price', 'tax_rate', 'tags', 'shipping_fee', 'cod_fee', 'coupon_code', 'coupon_discount', 'payment_method', 'carrier', 'tracking_number',
          'shipped_at', 'delivered_at', 'origin_prefecture', 'cancelled_at',
        );
        expect(r.body.missing).to.include.members(['order_number', 'customer_email', 'tax_rate']);
        expect(r.body.sampleRows).to.have.length(3);
        expect(r.body.sampleRows[0][3]).to.equal('t***@e***.jp');
        expect(r.body.sampleRows[0][4]).to.equal('***-****-5678');
        expect(r.body.sampleRows[0][5]).to.equal('150-****');
        expect(r.body.sampleRows[0][2]).to.equal('山田 太郎');
      });

      it('previews a platform export with its preset and suggestions', async () => {
        const r = await owner.request('POST', `/api/shops/${shop.id}/orders/import/preview`, { body: exportFile('base-orders.csv'), headers: { 'content-type': 'text/csv' } });
        expect(r.body).to.deep.include({ encoding: 'shift_jis', preset: 'base', missing: [] });
        expect(r.body.suggested).to.include({ order_number: '注文ID', unit_price: '価格', customer_email: 'メールアドレス(請求先)', customer_name: '氏(請求先)' });
      });

      it('refuses a mapping that uses a column twice, names a column not in the file, or leaves a required field out, with each problem in ja and en', async () => {
        const headers = ownSheet.split('\r\n')[0]!.split(',');
        const r = await owner.put(`/api/shops/${shop.id}/orders/import/mapping`, {
          columns: { ...ownMapping.columns, item_name: '品番', customer_email: 'Eメール', payment_method: undefined },
          headers,
        });
        expect(r.status).to.equal(400);
        const byPath = Object.fromEntries(r.body.error.details.map((d: { path: string }) => [d.path, d]));
        expect(byPath['columns.item_name'].message).to.include('"品番"').and.include('sku').and.include('item_name');
        expect(byPath['columns.item_name'].ja).to.include('列「品番」');
        expect(byPath['columns.customer_email']).to.include({ message: 'the file has no column "Eメール"', ja: 'ファイルに列「Eメール」がありません' });
        expect(byPath.columns.missing).to.deep.equal(['tax_rate', 'payment_method']);
        expect(byPath.columns.ja).to.include('税率');
        expect((await owner.get(`/api/shops/${shop.id}/orders/import/mapping`)).body.mapping).to.equal(null);
      });

      it('refuses an unknown field and a tax rate that is not 10 or 8', async () => {
        const r = await owner.put(`/api/shops/${shop.id}/orders/import/mapping`, { columns: { ...ownMapping.columns, colour: '色' }, defaults: { taxRate: 5 } });
        expect(r.status).to.equal(400);
        const paths = r.body.error.details.map((d: { path: string }) => d.path);
        expect(paths).to.include.members(['defaults.taxRate']);
        expect(paths.some((p: string) => p.startsWith('columns'))).to.equal(true);
      });

      it('saves a mapping, shows it back, and imports the file with it (reporting the file\'s own column); again changes nothing', async () => {
        const saved = await owner.put(`/api/shops/${shop.id}/orders/import/mapping`, { ...ownMapping, headers: ownSheet.split('\r\n')[0]!.split(',') });
        expect(saved.status, saved.text).to.equal(200);
        expect(saved.body.mapping).to.deep.include({ name: '自社の表', columns: ownMapping.columns, defaults: { taxRate: 8 } });
        const read = await owner.get(`/api/shops/${shop.id}/orders/import/mapping`);
        expect(read.body.mapping.columns).to.deep.equal(ownMapping.columns);
        expect(read.body.fields.find((f: { field: string }) => f.field === 'tax_rate')).to.deep.equal({ field: 'tax_rate', required: true, level: 'line', ja: '税率', en: 'tax rate' });

        const preview = await owner.request('POST', `/api/shops/${shop.id}/orders/import/preview`, { body: ownSheet, headers: { 'content-type': 'text/csv' } });
        expect(preview.body).to.deep.include({ savedMapping: true, missing: [] });

        const first = await upload(owner, ownSheet);
        expect(first.status, first.text).to.equal(200);
        expect(first.body).to.deep.include({ preset: 'custom', errors: [] });
        expect(first.body.orders).to.deep.equal({ created: 2, updated: 0, unchanged: 0, rejected: 0 });
        const r1 = await owner.get(`/api/shops/${shop.id}/orders/R-1`);
        expect(r1.body.lines.map((l: { sku: string; taxRate: number }) => [l.sku, l.taxRate])).to.deep.equal([
          ['A-1', 8],
          ['B-2', 8],
        ]);
        expect(r1.body.paymentMethod).to.equal('credit_card');
        expect((await owner.get(`/api/shops/${shop.id}/orders/R-2`)).body.paymentMethod).to.equal('cod');

        const again = await upload(owner, ownSheet);
        expect(again.body.orders).to.deep.equal({ created: 0, updated: 0, unchanged: 2, rejected: 0 });

        const bad = await upload(owner, ownSheet.replace('R-2,2026/11/26 09:00', 'R-3,2026/11/31 09:00'));
        expect(bad.body.errors[0]).to.include({ orderNumber: 'R-3', column: '受注日時' });
      });

      it('with ?mapping=saved, a file missing a mapped column is a 400 naming it', async () => {
        const r = await upload(owner, ownSheet.replace('税込単価', '単価（税抜）'), '?mapping=saved');
        expect(r.status).to.equal(400);
        expect(r.body.error.details[0]).to.deep.include({ path: 'file', missing: ['税込単価'] });
      });

      it('is for owners and staff: agents and contractors get 403', async () => {
        const staff = await signedIn(server.url, shop.people.staff);
        expect((await staff.get(`/api/shops/${shop.id}/orders/import/mapping`)).status).to.equal(200);
        for (const role of ['agent', 'contractor'] as const) {
          const c = await signedIn(server.url, shop.people[role]);
          expect((await c.get(`/api/shops/${shop.id}/orders/import/mapping`)).status).to.equal(403);
          expect((await c.put(`/api/shops/${shop.id}/orders/import/mapping`, ownMapping)).status).to.equal(403);
          expect((await c.request('POST', `/api/shops/${shop.id}/orders/import/preview`, { body: ownSheet, headers: { 'content-type': 'text/csv' } })).status).to.equal(403);
        }
      });

      it('forgets the mapping on DELETE; the file is then refused with the missing columns', async () => {
        expect((await owner.delete(`/api/shops/${shop.id}/orders/import/mapping`)).status).to.equal(204);
        expect((await owner.get(`/api/shops/${shop.id}/orders/import/mapping`)).body.mapping).to.equal(null);
        const r = await upload(owner, ownSheet);
        expect(r.status).to.equal(400);
        expect(r.body.error.message).to.match(/^missing required columns/);
        const none = await upload(owner, ownSheet, '?mapping=saved');
        expect(none.status).to.equal(400);
        expect(none.body.error.details[0].path).to.equal('mapping');
      });
    });
  });
}
