import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { noticeSamples } from '../../../server/domains/notices/notices.types.ts';
import { REFUSED_MARK } from '../../helpers/smtp.ts';
import { campaignBody, campaignPath, createAndPublish, seedOrders, uniq, untilStatus } from './notices.helpers.ts';

/** Odd input and odd timing: every answer a 4xx with its reason, never a 500; moved starts still start; a cancel shows at once. */
for (const kind of oneDbKind()) {
  describe(`[${kind}] notices: odd input and odd timing`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    const tag = uniq();

    before(async () => {
      server = await startServer(kind, { notices: { sweepMs: 1000, lockMs: 4000 } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server?.close());

    it('answers odd bodies (prototype keys, huge values, null, arrays) with a 4xx, never a 500', async () => {
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
      expect(out.filter((l) => / 5\d\d$/.test(l))).to.deep.equal([]);
    });

    it('starts a scheduled notice whose start was moved later and then back to the first time', async () => {
      await seedOrders(server.database, shop.id, [{ orderNumber: `T${tag}-1`, email: `t1-${tag}@example.jp` }]);
      const t1 = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000).toISOString();
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`T${tag}-1`] }, { startsAt: t1 }));
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.body.status).to.equal('scheduled');
      const later = await owner.patch(campaignPath(shop.id, made.body.id), { version: pub.body.version, startsAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(later.status, later.text).to.equal(200);
      await new Promise((r) => setTimeout(r, 7000));
      const back = await owner.patch(campaignPath(shop.id, made.body.id), { version: later.body.version, startsAt: t1 });
      expect(back.status, back.text).to.equal(200);
      await untilStatus(server.database, made.body.id, 'sent', 20_000);
    });

    it('answers odd uploads and requests with a 4xx, never a 500; a template version the shop does not have is a 400 at templateVersionId', async () => {
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
      expect(odd[3]!.status).to.equal(400);
      expect(odd[3]!.body.error.details[0].path).to.equal('templateVersionId');
      expect(out.filter((l) => / 5\d\d /.test(l))).to.deep.equal([]);
    });

    it('drops a cancelled campaign from the banner JSON at once (the server cache), and refuses to resume one whose window is over', async () => {
      await server.database.db.execute(sql`update shops set notice_mails_per_minute = 1 where id = ${shop.id}`);
      await seedOrders(server.database, shop.id, [{ orderNumber: `C${tag}-1`, email: `c1-${tag}@example.jp` }, { orderNumber: `C${tag}-2`, email: `c2-${tag}@example.jp` }, { orderNumber: `C${tag}-3`, email: `c3-${tag}@example.jp` }]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`C${tag}-1`, `C${tag}-2`, `C${tag}-3`] }, { channels: { banner: true, mail: true, chat: false } }));
      const before = await owner.get(`/shops/${shop.id}/notices/active`);
      expect(before.body.notices.map((n: { id: string }) => n.id)).to.include(c.id);
      const now = await owner.get(campaignPath(shop.id, c.id));
      const cancel = await owner.post(`${campaignPath(shop.id, c.id)}/cancel`, { version: now.body.version });
      expect(cancel.status, cancel.text).to.equal(200);
      const after = await owner.get(`/shops/${shop.id}/notices/active`, { headers: { 'if-none-match': before.headers.get('etag')! } });
      expect(after.status).to.equal(200);
      expect(after.body.notices.map((n: { id: string }) => n.id)).not.to.include(c.id);
    
      const paused = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`C${tag}-1`, `C${tag}-2`, `C${tag}-3`] }));
      const p = await owner.post(`${campaignPath(shop.id, paused.id)}/pause`, { version: (await owner.get(campaignPath(shop.id, paused.id))).body.version });
      expect(p.status, p.text).to.equal(200);
      await server.database.db.execute(sql`update notice_campaigns set starts_at = now() - interval '2 days', ends_at = now() - interval '1 minute' where id = ${paused.id}`);
      const resumed = await owner.post(`${campaignPath(shop.id, paused.id)}/resume`, { version: p.body.version });
      expect(resumed.status).to.equal(409);
      expect(resumed.body.error.details.ja).to.include('掲載期間');
    });

    it('refuses to retry the failed recipients of a notice whose window is over (409), as it refuses a resume, and mails nobody again', async () => {
      await server.database.db.execute(sql`update shops set notice_mails_per_minute = 0 where id = ${shop.id}`);
      const refused = `gone-${tag}${REFUSED_MARK}@example.jp`;
      await seedOrders(server.database, shop.id, [{ orderNumber: `W${tag}-1`, email: refused }, { orderNumber: `W${tag}-2`, email: `w2-${tag}@example.jp` }]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`W${tag}-1`, `W${tag}-2`] }));
      await untilStatus(server.database, c.id, 'sent');
      const sent = await owner.get(campaignPath(shop.id, c.id));
      expect(sent.body.counts).to.include({ sent: 1, failed: 1 });
      await server.database.db.execute(sql`update notice_campaigns set starts_at = now() - interval '2 days', ends_at = now() - interval '1 minute' where id = ${c.id}`);
      const attemptsBefore = server.smtp.mails.length;
      const retried = await owner.post(`${campaignPath(shop.id, c.id)}/retry-failed`, { version: sent.body.version });
      expect(retried.status, retried.text).to.equal(409);
      expect(retried.body.error.details.ja).to.include('掲載期間');
      const after = await owner.get(campaignPath(shop.id, c.id));
      expect(after.body.status).to.equal('sent');
      expect(after.body.counts).to.include({ sent: 1, failed: 1, queued: 0 });
      expect(server.smtp.mails.length).to.equal(attemptsBefore);
    });
  });
}
