import { expect } from 'chai';
import { loadWording, samplesOn } from '../../../server/domains/notices/notices.templates.service.ts';
import { renderNotice } from '../../../server/domains/notices/notices.render.ts';
import { noticeTypesView } from '../../../server/domains/notices/notices.templates.schema.ts';
import { noticeSampleAsOf, noticeSamples } from '../../../server/domains/notices/notices.types.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';

const sampleAsOf = noticeSampleAsOf.toISOString();

for (const kind of dbKinds) {
  describe(`[${kind}] notice templates and preview`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let staff: TestClient;
    let agent: TestClient;
    let contractor: TestClient;
    let n = 0;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database, '手しごと雑貨 こもれび');
      [owner, staff, agent, contractor] = await Promise.all([
        signedIn(server.url, shop.people.owner),
        signedIn(server.url, shop.people.staff),
        signedIn(server.url, shop.people.agent),
        signedIn(server.url, shop.people.contractor),
      ]);
    });
    after(() => server.close());

    const base = (s = shop) => `/api/shops/${s.id}/notice-templates`;
    const preview = (s = shop) => `/api/shops/${s.id}/notice-preview`;
    const aCopy = async (type = 'weather', who = owner) => {
      const r = await who.post(base(), { type, name: `コピー ${++n}` });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      return r.body as { id: string; type: string; versions: { id: string; version: number }[]; wording: Record<string, Record<string, string>> };
    };

    it('lists the six types with variables, labels in both languages and samples', async () => {
      const r = await contractor.get('/api/notice-types');
      expect(r.status).to.equal(200);
      // The answer is what the API reference says, field for field (noticeTypesView).
      expect(noticeTypesView.safeParse(r.body).error?.issues ?? []).to.deep.equal([]);
      expect(r.body.types.map((t: { type: string }) => t.type)).to.deep.equal(['seasonal', 'weather', 'lead_time', 'shop_delay', 'shipment_exception', 'returned_to_sender']);
      const weather = r.body.types[1];
      expect(weather.variables.find((v: { name: string }) => v.name === 'next_update_at')).to.deep.include({ kind: 'datetime', required: true, label: { ja: '次回のお知らせ予定', en: 'Next update at' } });
      expect(weather.sample.event).to.deep.equal({ ja: '大雪', en: 'heavy snow' });
      // The samples as of today (samplesOn): their dates move with the day.
      const today = samplesOn(new Date());
      expect(r.body.sampleAsOf).to.equal(today.asOf.toISOString());
      expect(r.body.types[3].sample).to.deep.equal(today.samples.shop_delay);
    });

    it('copies a type (version 1 = built-in), saves a new version from the latest, and loadWording returns each version', async () => {
      const copy = await aCopy();
      expect(copy.versions.map((v) => v.version)).to.deep.equal([1]);
      const wording = { ...copy.wording, subject: { ...copy.wording.subject!, ja: '【重要】{{event}}のため配送が遅れています｜{{shop_name}}' } };
      const saved = await staff.post(`${base()}/${copy.id}/versions`, { wording, baseVersion: 1 });
      expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
      expect(saved.body.version).to.equal(2);
      const got = await agent.get(`${base()}/${copy.id}`);
      expect(got.body.versions.map((v: { version: number }) => v.version)).to.deep.equal([2, 1]);
      expect(got.body.wording.subject.ja).to.include('のため配送が遅れています');
      const listed = await contractor.get(base());
      expect(listed.body.templates.find((t: { id: string }) => t.id === copy.id).latestVersion).to.include({ id: saved.body.id, version: 2 });

      const v2 = await loadWording(server.database.db, shop.id, 'weather', saved.body.id);
      const v1 = await loadWording(server.database.db, shop.id, 'weather', copy.versions[0]!.id);
      const ctx = { shop: { name: shop.name }, asOf: noticeSampleAsOf };
      expect(renderNotice(v2, 'ja', noticeSamples.weather, ctx).subject).to.equal('【重要】大雪のため配送が遅れています｜手しごと雑貨 こもれび');
      expect(renderNotice(v1, 'ja', noticeSamples.weather, ctx).subject).to.include('大雪による配送遅延のお知らせ');
      expect((await loadWording(server.database.db, shop.id, 'weather', null)).body.ja).to.include('{{event}}');
    });

    it('answers 409 for a version saved from one that is no longer the latest, and keeps one version 2', async () => {
      const copy = await aCopy('seasonal');
      const [a, b] = await Promise.all([
        owner.post(`${base()}/${copy.id}/versions`, { wording: copy.wording, baseVersion: 1 }),
        staff.post(`${base()}/${copy.id}/versions`, { wording: copy.wording, baseVersion: 1 }),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
      const lost = a.status === 409 ? a : b;
      expect(lost.body.error.code).to.equal('conflict');
      expect(lost.body.error.details[0]).to.include({ path: 'baseVersion' });
      expect(lost.body.error.details[0].ja).to.include('最新の版');
      const stale = await owner.post(`${base()}/${copy.id}/versions`, { wording: copy.wording, baseVersion: 1 });
      expect(stale.status).to.equal(409);
      expect((await owner.get(`${base()}/${copy.id}`)).body.versions.map((v: { version: number }) => v.version)).to.deep.equal([2, 1]);
    });

    it('refuses wording that does not render with the samples at wording.<part>.<lang>, in ja and en, and saves nothing', async () => {
      const copy = await aCopy('shop_delay');
      const wording = { ...copy.wording, body: { ja: 'いつも\n{{#if reply_by}}ご注文', en: copy.wording.body!.en }, chat: { ja: copy.wording.chat!.ja, en: '{{unknown_thing}}' } };
      const r = await owner.post(`${base()}/${copy.id}/versions`, { wording, baseVersion: 1 });
      expect(r.status).to.equal(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['wording.body.ja', 'wording.chat.en']);
      expect(r.body.error.details[0]).to.include({ line: 2 });
      for (const d of r.body.error.details) expect(d.ja).to.match(/[ぁ-ん]/);
      const big = await owner.post(`${base()}/${copy.id}/versions`, { wording: { ...copy.wording, body: { ja: 'あ'.repeat(8001), en: 'x' } }, baseVersion: 1 });
      expect(big.status).to.equal(400);
      expect(big.body.error.details[0]).to.include({ path: 'wording.body.ja' });
      expect((await owner.get(`${base()}/${copy.id}`)).body.versions).to.have.length(1);
    });

    it('lets only owners and staff copy and save (403 for agents and contractors), and keeps shops apart (404; a version of another shop named in a body: 400 at its field)', async () => {
      const copy = await aCopy('lead_time', staff);
      expect((await agent.post(base(), { type: 'weather', name: 'x' })).status).to.equal(403);
      expect((await contractor.post(`${base()}/${copy.id}/versions`, { wording: copy.wording, baseVersion: 1 })).status).to.equal(403);
      const other = await makeShop(server.database);
      const theirs = await signedIn(server.url, other.people.owner);
      expect((await theirs.get(`${base(other)}/${copy.id}`)).status).to.equal(404);
      const r = await theirs.post(preview(other), { type: 'lead_time', templateVersionId: copy.versions[0]!.id, variables: noticeSamples.lead_time, asOf: sampleAsOf });
      // A field naming nothing of this shop: 400 at it, the same as for an id that never existed.
      expect(r.status).to.equal(400);
      expect(r.body.error.details[0].path).to.equal('templateVersionId');
      const copyOf = await theirs.post(base(other), { type: 'lead_time', name: 'x', copyOf: copy.versions[0]!.id });
      expect(copyOf.status).to.equal(400);
      expect(copyOf.body.error.details[0].path).to.equal('copyOf');
      expect((await owner.post(base(), { type: 'lead_time', name: `コピー ${n}` })).status).to.equal(409);
    });

    it('copies from a version of another copy of the same type, and refuses one of another type at copyOf', async () => {
      const first = await aCopy('weather');
      const wording = { ...first.wording, banner: { ja: '【重要】{{event}}の影響が出ています（{{as_of}}現在）', en: first.wording.banner!.en } };
      const v2 = await owner.post(`${base()}/${first.id}/versions`, { wording, baseVersion: 1 });
      const second = await owner.post(base(), { type: 'weather', name: `コピー ${++n}`, copyOf: v2.body.id });
      expect(second.status).to.equal(201);
      expect(second.body.wording.banner.ja).to.equal(wording.banner.ja);
      const wrong = await owner.post(base(), { type: 'seasonal', name: `コピー ${++n}`, copyOf: v2.body.id });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.details[0].path).to.equal('copyOf');
    });

    it('previews both languages with the sample values: mail subject and text, banner HTML, chat', async () => {
      const r = await agent.post(preview(), { type: 'seasonal', variables: noticeSamples.seasonal, asOf: sampleAsOf });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.ja.subject).to.equal('【重要】お歳暮期間の配送遅延について｜手しごと雑貨 こもれび');
      expect(r.body.ja.text).to.include('山田 花子 様').and.include('12月3日 21時現在');
      expect(r.body.en.html).to.include('<h2>[Important] Deliveries to Hokkaido, Tohoku, Okinawa');
      expect(r.body.en.chat).to.include('as of Dec 3, 21:00 JST');
    });

    it('previews an unsaved draft, escaping a <script> variable in the HTML', async () => {
      const { body: types } = await owner.get('/api/notice-types');
      const wording = types.types[1].wording;
      const r = await owner.post(preview(), { type: 'weather', wording, variables: { ...noticeSamples.weather, event: '<script>alert(1)</script>' }, asOf: sampleAsOf });
      expect(r.status).to.equal(200);
      expect(r.body.ja.html).not.to.include('<script>');
      expect(r.body.ja.html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it("previews with a real order: its customer's name and number fill the mail, masked for a contractor", async () => {
      const orderNumber = newOrderNumber();
      expect((await owner.put(`/api/shops/${shop.id}/orders/${orderNumber}`, anOrder({ customer: { ...anOrder().customer, name: '佐藤 美咲' } }))).status).to.equal(201);
      const body = { type: 'shipment_exception', variables: noticeSamples.shipment_exception, orderNumber, asOf: sampleAsOf };
      const byAgent = await agent.post(preview(), body);
      expect(byAgent.status, JSON.stringify(byAgent.body)).to.equal(200);
      expect(byAgent.body.ja.text).to.match(/^佐藤 美咲 様/).and.include(`ご注文番号 ${orderNumber}（11月20日（金）ご注文）`);
      expect(byAgent.body.en.text).to.match(/^Dear 佐藤 美咲,/);
      const byContractor = await contractor.post(preview(), body);
      expect(byContractor.status).to.equal(200);
      expect(byContractor.body.ja.text).to.match(/^佐＊＊ 様/).and.include(orderNumber);
      expect(JSON.stringify(byContractor.body)).not.to.include('美咲');
      const missing = await agent.post(preview(), { ...body, orderNumber: 'NO-SUCH' });
      expect(missing.status).to.equal(400);
      expect(missing.body.error.details[0]).to.include({ path: 'orderNumber', ja: 'このショップにその注文番号の注文はありません。' });
    });

    it('answers bad variables with 400 at variables.<name> with Japanese and English messages', async () => {
      const { extra_days: _x, ...noDays } = noticeSamples.seasonal;
      const r = await agent.post(preview(), { type: 'seasonal', variables: { ...noDays, extra_dayz: 3, period_from: '2026-13-01' }, asOf: sampleAsOf });
      expect(r.status).to.equal(400);
      const byPath = Object.fromEntries(r.body.error.details.map((d: { path: string; message: string; ja: string }) => [d.path, d]));
      expect(Object.keys(byPath).sort()).to.deep.equal(['variables.extra_days', 'variables.extra_dayz', 'variables.period_from']);
      expect(byPath['variables.period_from'].ja).to.include('2026-12-04 の形式');
      expect(byPath['variables.extra_dayz'].message).to.equal('unknown variable "extra_dayz"');
      const order = await agent.post(preview(), { type: 'lead_time', variables: { ...noticeSamples.lead_time, new_lead_time: 1 }, asOf: sampleAsOf });
      expect(order.body.error.details).to.deep.equal([{ in: 'body', path: 'variables.new_lead_time', message: 'the new lead time must be longer than the old one', ja: '変更後のお届け日数は変更前より長くしてください。' }]);
      const type = await agent.post(preview(), { type: 'typhoon', variables: {} });
      expect(type.status).to.equal(400);
      expect(type.body.error.details[0]).to.include({ path: 'type', ja: 'お知らせの種類を選んでください。' });
    });
  });
}
