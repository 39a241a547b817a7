import { expect } from 'chai';
import { activeNoticesView } from '../../../server/domains/notices/notices.campaigns.schema.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { campaignBody, campaignPath, createAndPublish, seedOrders, uniq } from './notices.helpers.ts';

for (const kind of oneDbKind()) {
  describe(`[${kind}] notices: audience, banner, public page, embed and seasonal drafts`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let contractor: TestClient;
    const tag = uniq();

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      contractor = await signedIn(server.url, shop.people.contractor);
      await seedOrders(server.database, shop.id, [
        { orderNumber: `A${tag}-1`, email: `hana-${tag}@example.jp`, prefecture: '北海道', carrier: 'ヤマト運輸', postcode: '060-0001' },
        { orderNumber: `A${tag}-2`, email: `HANA-${tag}@example.jp`, prefecture: '北海道', carrier: '佐川急便', postcode: '060-0002' },
        { orderNumber: `A${tag}-3`, email: `ken-${tag}@example.jp`, prefecture: '大阪府', carrier: 'ヤマト運輸', postcode: '530-0001', originPrefecture: '福岡県' },
        { orderNumber: `A${tag}-4`, email: `yui-${tag}@example.jp`, prefecture: '大阪府', carrier: '日本郵便', postcode: '530-0002', shipped: false },
      ]);
    });
    after(() => server?.close());

    const audience = (c: TestClient, target: Record<string, unknown>) => c.post(`/api/shops/${shop.id}/notice-audience`, { target });

    it('counts orders and distinct customers by prefecture and carrier, masks the sample for contractors, and reports unknown order numbers by line', async () => {
      const mine = [`A${tag}-1`, `A${tag}-2`, `A${tag}-3`, `A${tag}-4`];
      const all = await audience(owner, { orderNumbers: [mine[0], '', 'NOPE-1', mine[1], mine[2], mine[3], 'NOPE-2'] });
      expect(all.status).to.equal(200);
      expect(all.body).to.include({ orders: 4, customers: 3 });
      expect(all.body.byPrefecture).to.deep.include({ prefecture: '北海道', orders: 2 });
      expect(all.body.byCarrier).to.deep.include({ carrier: 'ヤマト運輸', orders: 2 });
      expect(all.body.unknownOrderNumbers).to.deep.equal([
        { line: 3, value: 'NOPE-1' },
        { line: 7, value: 'NOPE-2' },
      ]);
      expect(all.body.sample.map((s: { email: string }) => s.email)).to.include(`ken-${tag}@example.jp`);
      const masked = await audience(contractor, { orderNumbers: mine });
      expect(masked.body.sample.every((s: { email: string }) => s.email.includes('***'))).to.equal(true);
      // Prefectures as people type them; postcode prefixes; not yet shipped.
      expect((await audience(owner, { orderNumbers: mine, prefectures: ['Hokkaido'] })).body.orders).to.equal(2);
      expect((await audience(owner, { orderNumbers: mine, prefectures: ['大阪'] })).body.orders).to.equal(2);
      expect((await audience(owner, { orderNumbers: mine, postcodePrefixes: ['53'] })).body.orders).to.equal(2);
      expect((await audience(owner, { orderNumbers: mine, shipment: 'not_shipped' })).body.orders).to.equal(1);
      expect((await audience(owner, { prefectures: ['Atlantis'] })).status).to.equal(400);
    });

    it('targets routes by the order’s origin, else the shop’s', async () => {
      const mine = [`A${tag}-1`, `A${tag}-2`, `A${tag}-3`, `A${tag}-4`];
      expect((await audience(owner, { orderNumbers: mine, routes: [{ from: '東京都', to: '大阪府' }] })).body.orders).to.equal(0);
      expect((await owner.patch(`/api/shops/${shop.id}`, { originPrefecture: '東京都' })).status).to.equal(200);
      expect((await audience(owner, { orderNumbers: mine, routes: [{ from: 'Tokyo', to: 'Osaka' }] })).body.orders).to.equal(1);
      expect((await audience(owner, { orderNumbers: mine, routes: [{ from: '福岡県', to: '大阪府' }] })).body.orders).to.equal(1);
    });

    it('reads an uploaded list of order numbers (CSV, header skipped) and says which lines are unknown', async () => {
      const csv = `注文番号\r\nA${tag}-1\r\nNOPE-9\r\nA${tag}-3,extra\r\n`;
      const r = await owner.request('POST', `/api/shops/${shop.id}/notice-audience/upload`, { body: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ orders: 2, customers: 2 });
      expect(r.body.unknownOrderNumbers).to.deep.equal([{ line: 3, value: 'NOPE-9' }]);
      expect(r.body.orderNumbers).to.deep.equal([`A${tag}-1`, 'NOPE-9', `A${tag}-3`]);
    });

    it('serves the active banners as JSON with ETag (304), Cache-Control and CORS for the shop’s origins, and the public page', async () => {
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { channels: { banner: true, mail: false, chat: false } }));
      expect(c.status).to.equal('sent');
      const path = `/shops/${shop.id}/notices/active`;
      const a = await owner.get(path, { headers: { origin: 'https://shop.example.jp' } });
      expect(a.status).to.equal(200);
      expect(a.headers.get('cache-control')).to.equal('public, max-age=60');
      // The answer is what the API reference says, field for field (activeNoticesView).
      expect(activeNoticesView.safeParse(a.body).error?.issues ?? []).to.deep.equal([]);
      expect(a.headers.get('access-control-allow-origin')).to.equal('https://shop.example.jp');
      const n = a.body.notices.find((x: { id: string }) => x.id === c.id);
      expect(n.ja.headline).to.be.a('string').and.not.equal('');
      expect(n.en.html).to.include('<article');
      const etag = a.headers.get('etag')!;
      const again = await owner.get(path, { headers: { 'if-none-match': etag } });
      expect(again.status, `${etag} ${again.headers.get('etag')} ${again.text.slice(0, 300)} ${a.text.slice(0, 300)}`).to.equal(304);
      const foreign = await owner.get(path, { headers: { origin: 'https://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
      const page = await owner.get(`/shops/${shop.id}/notices`, { headers: { accept: 'text/html' } });
      expect(page.status).to.equal(200);
      expect(page.text).to.include(n.ja.headline.replace(/&/g, '&amp;').slice(0, 10));
      const js = await owner.get(`/notices.js?shop=${shop.id}`);
      expect(js.status).to.equal(200);
      expect(js.headers.get('cross-origin-resource-policy')).to.equal('cross-origin');
      expect(js.text).to.include('attachShadow');
      // Cancelled: gone from the banner (this process drops its copy at once).
      const got = await owner.get(campaignPath(shop.id, c.id));
      expect((await owner.post(`${campaignPath(shop.id, c.id)}/cancel`, { version: got.body.version })).status).to.equal(409);
    });

    it('offers prepared seasonal drafts with the coming dates filled in (Tokyo), which save as they are', async () => {
      const r = await owner.get(`/api/shops/${shop.id}/notice-seasons`);
      expect(r.status).to.equal(200);
      const by = Object.fromEntries(r.body.seasons.map((s: { season: string }) => [s.season, s]));
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
      for (const s of r.body.seasons) expect(s.to >= today).to.equal(true);
      expect(by.nenmatsu.from.slice(5)).to.equal('12-28');
      expect(by.ochugen.from.slice(5)).to.equal('07-01');
      const saved = await owner.post(campaignPath(shop.id), by.oseibo.draft);
      expect(saved.status).to.equal(201);
      expect(saved.body.variables.season).to.equal('oseibo');
      const pub = await owner.post(`${campaignPath(shop.id, saved.body.id)}/publish`, { version: saved.body.version });
      expect(pub.status, pub.text).to.equal(200);
      expect(['scheduled', 'sent']).to.include(pub.body.status);
    });
  });
}
