import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { latestSightings, recordSighting, WIDGET_SIGHTINGS_CAP } from '../../../server/domains/shops/shops.sightings.repository.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the widget's look, its config and where it was seen`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let anon: TestClient;
    const config = (origin?: string) => anon.get(`/api/public/shops/${shop.id}/widget/config`, origin ? { headers: { origin } } : {});

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      anon = new TestClient(server.url);
      expect((await owner.patch(`/api/shops/${shop.id}`, { allowedOrigins: ['https://shop.example.jp'] })).status).to.equal(200);
    });
    after(() => server.close());

    it('refuses a bad colour, greeting, privacy address and reply time with a detail for each field, and changes nothing', async () => {
      const bad = await owner.patch(`/api/shops/${shop.id}`, {
        widgetColor: 'green',
        widgetGreetingJa: 'いらっしゃいませ\n二行目',
        privacyUrl: 'http://shop.example.jp/privacy',
        replyTime: 'weeks',
        name: 'changed?',
      });
      expect(bad.status).to.equal(400);
      const paths = bad.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).to.include.members(['widgetColor', 'widgetGreetingJa', 'privacyUrl', 'replyTime']);
      const privacy = bad.body.error.details.find((d: { path: string }) => d.path === 'privacyUrl');
      expect(privacy.message).to.match(/https/);
      expect(privacy.ja).to.equal('プライバシーポリシーの URL は https:// で始まる500文字以内のアドレスで入力してください。');
      expect(bad.body.error.details.find((d: { path: string }) => d.path === 'widgetColor').ja).to.include('#1a7f5a');
      expect((await owner.get(`/api/shops/${shop.id}`)).body.name).not.to.equal('changed?');
      expect((await owner.patch(`/api/shops/${shop.id}`, { privacyUrl: 'javascript:alert(1)' })).status).to.equal(400);
    });

    it('saves the look for the owner, shows it in the shop view, audits it, and keeps it from staff', async () => {
      const staff = await signedIn(server.url, shop.people.staff);
      expect((await staff.patch(`/api/shops/${shop.id}`, { widgetColor: '#112233' })).status).to.equal(403);
      const ok = await owner.patch(`/api/shops/${shop.id}`, {
        widgetColor: '#FFD700',
        widgetGreetingJa: 'お気軽にどうぞ',
        widgetGreetingEn: '',
        privacyUrl: 'https://shop.example.jp/privacy',
        replyTime: 'hours',
      });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.body).to.include({ widgetColor: '#ffd700', widgetGreetingJa: 'お気軽にどうぞ', widgetGreetingEn: null, privacyUrl: 'https://shop.example.jp/privacy', replyTime: 'hours' });
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated`);
      expect(audit.body.events[0].summary.replyTime).to.deep.equal({ from: null, to: 'hours' });
    });

    it('gives an allowed page the look with a legible text colour, and a page on another origin only { allowed: false }', async () => {
      const mine = await config('https://shop.example.jp');
      expect(mine.status).to.equal(200);
      expect(mine.headers.get('access-control-allow-origin')).to.equal('*');
      // Gold is too light for white text: dark text is chosen.
      expect(mine.body).to.include({ allowed: true, color: '#ffd700', textColor: '#1f2933', privacyUrl: 'https://shop.example.jp/privacy', replyTime: 'hours' });
      expect(mine.body.greeting).to.deep.equal({ ja: 'お気軽にどうぞ', en: null });
      expect(mine.body.hours).to.equal(null); // no hours set: nothing claimed
      const other = await config('https://evil.example.com');
      expect(other.status).to.equal(200);
      expect(other.body).to.deep.equal({ allowed: false });
    });

    it('tells open now or when it opens from the shop’s business hours', async () => {
      const always = { '0': [['00:00', '24:00']], '1': [['00:00', '24:00']], '2': [['00:00', '24:00']], '3': [['00:00', '24:00']], '4': [['00:00', '24:00']], '5': [['00:00', '24:00']], '6': [['00:00', '24:00']] };
      const put = await owner.put(`/api/shops/${shop.id}/business-hours`, { weekly: always, observeJpHolidays: false, closedDates: [] });
      expect(put.status, put.text).to.equal(200);
      expect((await config('https://shop.example.jp')).body.hours).to.deep.equal({ open: true, nextOpenAt: null });
      // Closed today (in Tokyo) and tomorrow: it opens at the start of the day after.
      const day = (n: number) => new Date(Date.now() + 9 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);
      await owner.put(`/api/shops/${shop.id}/business-hours`, { weekly: always, observeJpHolidays: false, closedDates: [day(0), day(1)] });
      const closed = (await config('https://shop.example.jp')).body.hours;
      expect(closed.open).to.equal(false);
      expect(new Date(closed.nextOpenAt).toISOString()).to.equal(new Date(`${day(2)}T00:00:00+09:00`).toISOString());
    });

    it('records where the widget was seen, allowed or not, by the Origin header only; owner and staff read it, agents do not', async () => {
      await config('https://shop.example.jp');
      await config('https://evil.example.com');
      await config('not an origin');
      await config(); // no Origin (a server or curl): answered, not recorded
      const staff = await signedIn(server.url, shop.people.staff);
      const seen = await staff.get(`/api/shops/${shop.id}/widget-sightings`);
      expect(seen.status).to.equal(200);
      const byOrigin = new Map(seen.body.map((s: { origin: string }) => [s.origin, s]));
      expect([...byOrigin.keys()].sort()).to.deep.equal(['https://evil.example.com', 'https://shop.example.jp']);
      expect(byOrigin.get('https://evil.example.com')).to.include({ allowed: false, allowedWhenSeen: false });
      expect(byOrigin.get('https://shop.example.jp')).to.include({ allowed: true, allowedWhenSeen: true });
      const agent = await signedIn(server.url, shop.people.agent);
      expect((await agent.get(`/api/shops/${shop.id}/widget-sightings`)).status).to.equal(403);
      // Allowing the origin shows at once, before the widget loads there again.
      await owner.patch(`/api/shops/${shop.id}`, { allowedOrigins: ['https://shop.example.jp', 'https://evil.example.com'] });
      const after = await latestSightings(server.database.db, shop.id);
      expect(after.find((s) => s.origin === 'https://evil.example.com')).to.include({ allowed: true, allowedWhenSeen: false });
    });

    it(`keeps at most ${WIDGET_SIGHTINGS_CAP} origins not allowed per shop, the oldest making room, and always records the allowed origin`, async () => {
      const flooded = await makeShop(server.database);
      const db = server.database.db;
      const floodOwner = await signedIn(server.url, flooded.people.owner);
      expect((await floodOwner.patch(`/api/shops/${flooded.id}`, { allowedOrigins: ['https://real.example.jp'] })).status).to.equal(200);
      // 55 invented origins, more than the cap, sent like a hostile page would.
      for (let i = 0; i < WIDGET_SIGHTINGS_CAP + 5; i++) {
        const res = await anon.get(`/api/public/shops/${flooded.id}/widget/config`, { headers: { origin: `https://n${i}.example.com` } });
        expect(res.body).to.deep.equal({ allowed: false });
      }
      let rows = await latestSightings(db, flooded.id);
      expect(rows).to.have.length(WIDGET_SIGHTINGS_CAP);
      // The newest stayed, the oldest made room.
      expect(rows.map((r) => r.origin)).to.include(`https://n${WIDGET_SIGHTINGS_CAP + 4}.example.com`).and.not.to.include('https://n0.example.com');
      // The shop's real page is still recorded, outside the cap, and evicts nothing.
      const real = await anon.get(`/api/public/shops/${flooded.id}/widget/config`, { headers: { origin: 'https://real.example.jp' } });
      expect(real.body.allowed).to.equal(true);
      rows = await latestSightings(db, flooded.id);
      expect(rows).to.have.length(WIDGET_SIGHTINGS_CAP + 1);
      expect(rows.find((r) => r.origin === 'https://real.example.jp')).to.include({ allowed: true, allowedWhenSeen: true });
      // Another flood keeps the real origin and the cap.
      await recordSighting(db, flooded.id, 'https://again.example.com', false);
      rows = await latestSightings(db, flooded.id);
      expect(rows.filter((r) => !r.allowedWhenSeen)).to.have.length(WIDGET_SIGHTINGS_CAP);
      expect(rows.map((r) => r.origin)).to.include.members(['https://real.example.jp', 'https://again.example.com']);
      // The other shop's rows are its own: scoping by shop.
      expect((await latestSightings(db, shop.id)).map((r) => r.origin)).not.to.include('https://n0.example.com');
    });
  });

  describe(`[${kind}] the widget config's limit per client address`, () => {
    let server: TestServer;
    before(async () => (server = await startServer(kind, { widgetConfigsPerAddress: 3 })));
    after(() => server.close());

    it('answers 429 with Retry-After once one address has read the config too often', async () => {
      const shop = await makeShop(server.database);
      const anon = new TestClient(server.url);
      const url = `/api/public/shops/${shop.id}/widget/config`;
      for (let i = 0; i < 3; i++) expect((await anon.get(url, { headers: { origin: `https://x${i}.example.com` } })).status).to.equal(200);
      const refused = await anon.get(url, { headers: { origin: 'https://x3.example.com' } });
      expect(refused.status).to.equal(429);
      expect(refused.body.error.code).to.equal('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).to.be.greaterThan(0);
      // A refused read records nothing.
      expect((await latestSightings(server.database.db, shop.id)).map((r) => r.origin)).not.to.include('https://x3.example.com');
    });
  });
}
