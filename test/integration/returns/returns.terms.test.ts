import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { publicTermsAnswer, returnTermsAnswer } from '../../../server/domains/returns/returns.answers.schema.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

const roles = ['owner', 'staff', 'agent', 'contractor'] as const;
const others = ['staff', 'agent', 'contractor'] as const;

for (const kind of dbKinds) {
  describe(`[${kind}] return terms: versions, who publishes, the public page`, () => {
    let server: TestServer;
    let anyone: TestClient;

    before(async () => {
      server = await startServer(kind);
      anyone = new TestClient(server.url);
    });
    after(() => server.close());

    const termsPath = (d: Desk) => `/api/shops/${d.shop.id}/return-terms`;

    it('publishes what the page states and none of the shop’s internal controls, and takes any extra query on the page', async () => {
      const d = await openDesk(server);
      await d.owner.put(`/api/shops/${d.shop.id}/return-terms`, someTerms());
      const pub = await fetch(`${server.url}/api/public/shops/${d.shop.id}/return-terms`).then((r) => r.json() as Promise<{ terms: Record<string, unknown> }>);
      expect(pub.terms).to.include.keys('windowDays', 'deductions', 'returnShippingPaidBy');
      for (const k of ['autoApprove', 'agentRefundLimit', 'keepItemThreshold']) expect(pub.terms, k).not.to.have.property(k);
      const page = await fetch(`${server.url}/shops/${d.shop.id}/return-terms?lang=en&utm_source=mail&gclid=x`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('Return period');
    });

    it('lets the owner publish version 1 and then 2, and lists both, newest first, with who published them', async () => {
      const d = await openDesk(server);
      const first = await d.owner.put(termsPath(d), someTerms());
      expect(first.status, first.text).to.equal(200);
      expect(first.body).to.include({ version: 1, statutory: false });
      const second = await d.owner.put(termsPath(d), someTerms({ windowDays: 30 }));
      expect(second.body.version).to.equal(2);
      const current = await d.owner.get(termsPath(d));
      expect(current.body.version).to.equal(2);
      expect(current.body.terms.windowDays).to.equal(30);
      expect(current.body.versions.map((v: { version: number }) => v.version)).to.deep.equal([2, 1]);
      expect(current.body.versions[0].publishedBy).to.equal(d.shop.people.owner.name);
      // The API reference's schema is the answer's shape, strictly.
      expect(returnTermsAnswer.safeParse(current.body).error?.issues ?? []).to.deep.equal([]);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?action=return_terms.published`);
      expect(audit.body.events.map((e: { objectId: string }) => e.objectId)).to.deep.equal(['2', '1']);
    });

    it('when the owner publishes twice at once, no version number is given twice', async () => {
      const d = await openDesk(server);
      const [a, b] = await Promise.all([d.owner.put(termsPath(d), someTerms({ windowDays: 10 })), d.owner.put(termsPath(d), someTerms({ windowDays: 20 }))]);
      const statuses = [a.status, b.status].sort();
      // Taking turns, both publish (1 and 2); racing for the same number, the loser gets 409.
      expect([[200, 200], [200, 409]], `${a.text} ${b.text}`).to.deep.include(statuses);
      const versions = (await d.owner.get(termsPath(d))).body.versions.map((v: { version: number }) => v.version);
      expect(versions).to.deep.equal(statuses[1] === 409 ? [1] : [2, 1]);
    });

    it('refuses staff, agents and contractors publishing or previewing terms (403), and publishes nothing', async () => {
      const d = await openDesk(server);
      for (const role of others) {
        const put = await d.as[role].put(termsPath(d), someTerms());
        expect(put.status, role).to.equal(403);
        expect(put.body.error.code, role).to.equal('forbidden');
        const preview = await d.as[role].post(`${termsPath(d)}/preview`, someTerms());
        expect(preview.status, `${role} preview`).to.equal(403);
      }
      const current = await d.owner.get(termsPath(d));
      expect(current.body).to.include({ version: null, statutory: true });
      expect(current.body.versions).to.deep.equal([]);
    });

    it('lets every role of the shop, and the shop platform’s API key, read the terms in force; the key may not publish', async () => {
      const d = await openDesk(server);
      await publish(d, someTerms({ windowDays: 21 }));
      for (const [who, c] of [...roles.map((role) => [role, d.as[role]] as const), ['api key', d.platform] as const]) {
        const r = await c.get(termsPath(d));
        expect(r.status, `${who}: ${r.text}`).to.equal(200);
        expect(r.body.terms.windowDays, who).to.equal(21);
      }
      expect((await d.platform.put(termsPath(d), someTerms())).status).to.equal(401);
      expect((await d.owner.get(termsPath(d))).body.versions).to.have.length(1);
    });

    it('escapes what the owner wrote when the page shows it', async () => {
      const d = await openDesk(server);
      await publish(
        d,
        someTerms({ nonReturnableTags: ['<b>sale</b>'], tagLabels: [{ tag: '<b>sale</b>', ja: '<b>セール品</b>', en: '<b>Sale</b>' }], note: { ja: '<img src=x onerror=alert(1)>', en: '<script>alert(1)</script>' } }),
      );
      const ja = await new TestClient(server.url).get(`/shops/${d.shop.id}/return-terms`);
      expect(ja.text).to.include('&lt;img src').and.not.include('<img');
      const en = await new TestClient(server.url).get(`/api/public/shops/${d.shop.id}/return-terms/snippet?lang=en`);
      expect(en.text).to.include('&lt;script&gt;').and.not.include('<script>').and.not.include('<b>');
    });

    it('shows the owner a preview of a draft without publishing it', async () => {
      const d = await openDesk(server);
      const r = await d.owner.post(`${termsPath(d)}/preview?lang=en`, someTerms({ windowDays: 45 }));
      expect(r.status, r.text).to.equal(200);
      expect(r.body.html).to.include('Preview (not published)').and.include('45 days');
      expect((await d.owner.get(termsPath(d))).body.statutory).to.equal(true);
    });

    it('states the statutory 8 days in the public JSON, the snippet and the page until terms are published, then the shop’s window', async () => {
      const d = await openDesk(server);
      const pub = `/api/public/shops/${d.shop.id}/return-terms`;
      const page = `/shops/${d.shop.id}/return-terms`;

      const json = await anyone.get(pub);
      expect(json.status).to.equal(200);
      expect(json.body).to.include({ statutory: true, version: null });
      expect(json.body.shop.name).to.equal(d.shop.name);
      expect(JSON.stringify(json.body.sections.ja)).to.include('8日以内');
      expect(JSON.stringify(json.body.sections.en)).to.include('8 days');
      // The API reference's schemas are the answers' shapes, strictly: the public JSON and the console's, statutory.
      expect(publicTermsAnswer.safeParse(json.body).error?.issues ?? []).to.deep.equal([]);
      expect(returnTermsAnswer.safeParse((await d.owner.get(`/api/shops/${d.shop.id}/return-terms`)).body).error?.issues ?? []).to.deep.equal([]);
      const snippet = await anyone.get(`${pub}/snippet?lang=en`);
      expect(snippet.status).to.equal(200);
      expect(snippet.headers.get('content-type')).to.match(/^text\/html/);
      expect(snippet.text).to.include('8 days').and.include('data-statutory="true"');
      const ja = await anyone.get(page);
      expect(ja.headers.get('content-type')).to.match(/^text\/html/);
      expect(ja.text).to.include('8日以内').and.include('法定（返品特約なし）');
      expect((await anyone.get(`${page}?lang=en`)).text).to.include('8 days');

      await publish(d, someTerms({ windowDays: 14 }));
      const after = await anyone.get(pub);
      expect(after.body).to.include({ statutory: false, version: 1 });
      expect(JSON.stringify(after.body.sections.ja)).to.include('14日以内').and.not.include('8日以内');
      expect(JSON.stringify(after.body.sections.en)).to.include('14 days');
      expect(publicTermsAnswer.safeParse(after.body).error?.issues ?? []).to.deep.equal([]);
      const snippetAfter = await anyone.get(`${pub}/snippet?lang=en`);
      expect(snippetAfter.text).to.include('14 days').and.not.include('8 days');
      expect((await anyone.get(page)).text).to.include('商品到着日を1日目として14日以内');
      expect((await anyone.get(`${page}?lang=en`)).text).to.include('Apply within 14 days of delivery');
    });

    it('refuses invalid terms with 400 and the paths at fault, and publishes nothing', async () => {
      const d = await openDesk(server);
      const { returnShippingPaidBy: _, ...noShipping } = someTerms();
      const cases: Array<[string, unknown, string]> = [
        ['a zero-day window', someTerms({ windowDays: 0 }), 'windowDays'],
        ['fractional yen', someTerms({ agentRefundLimit: 99.5 }), 'agentRefundLimit'],
        ['who pays return shipping missing', noShipping, 'returnShippingPaidBy'],
        ['a tag with a window that is also non-returnable', someTerms({ windowDaysByTag: [{ tag: 'sale', days: 30 }] }), 'windowDaysByTag.0.tag'],
        ['an unknown field', { ...someTerms(), refundsInPoints: true }, ''],
        ['a restocking fee above 50%', someTerms({ deductions: { restockingPercent: 80 } }), 'deductions.restockingPercent'],
      ];
      for (const [name, body, path] of cases) {
        const r = await d.owner.put(termsPath(d), body);
        expect(r.status, name).to.equal(400);
        expect(r.body.error.code, name).to.equal('invalid_input');
        expect(r.body.error.details.map((x: { path: string }) => x.path), name).to.include(path);
      }
      expect((await d.owner.get(termsPath(d))).body.versions).to.deep.equal([]);
    });

    it('answers an unknown shop with 404 on the public JSON, the snippet and the page', async () => {
      const id = randomUUID();
      for (const path of [`/api/public/shops/${id}/return-terms`, `/api/public/shops/${id}/return-terms/snippet`, `/shops/${id}/return-terms`]) {
        const r = await anyone.get(path);
        expect(r.status, path).to.equal(404);
      }
      const d = await openDesk(server);
      expect((await d.owner.put(`/api/shops/${id}/return-terms`, someTerms())).status).to.equal(404);
    });

    it('answers a version published by older code as today’s terms: a payer for late delivery dropped, the tags’ labels filled in', async () => {
      const d = await openDesk(server);
      await publish(d, someTerms({ windowDays: 14 }));
      // Version 2 as an older release stored it (versions are never rewritten).
      await server.database.db.execute(sql`insert into return_terms_versions (shop_id, version, terms, published_by)
        select shop_id, 2, jsonb_set(terms, '{returnShippingPaidBy,late_delivery}', '"shop"') - 'tagLabels', published_by
        from return_terms_versions where shop_id = ${d.shop.id} and version = 1`);
      const current = await d.owner.get(termsPath(d));
      expect(current.body.version).to.equal(2);
      expect(current.body.terms.returnShippingPaidBy).to.deep.equal({ size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' });
      expect(current.body.terms.tagLabels).to.deep.equal([]);
      expect(returnTermsAnswer.safeParse(current.body).error?.issues ?? []).to.deep.equal([]);
      const json = await anyone.get(`/api/public/shops/${d.shop.id}/return-terms`);
      expect(publicTermsAnswer.safeParse(json.body).error?.issues ?? []).to.deep.equal([]);
    });

    it('has the database refuse to change a published version (append-only trigger)', async () => {
      const d = await openDesk(server);
      await publish(d, someTerms({ windowDays: 14 }));
      const refused = await server.database.db
        .execute(sql`update return_terms_versions set terms = jsonb_set(terms, '{windowDays}', '365') where shop_id = ${d.shop.id}`)
        .then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: Error },
        );
      expect(refused, 'the update went through').to.be.instanceOf(Error);
      expect(`${refused!.message} ${refused!.cause?.message ?? ''}`).to.match(/append-only/);
      expect((await d.owner.get(termsPath(d))).body.terms.windowDays).to.equal(14);
    });
  });

  describe(`[${kind}] return terms: a return is judged by the version in force when its order was placed`, () => {
    let server: TestServer;
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
    });
    after(() => server.close());

    it('judges an order placed before any terms by the statutory rule, even after terms are published, and one placed after by the terms', async () => {
      const before = await pushOrder(d);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      const after = await pushOrder(d);

      const old = await filed(d.owner, d.shop.id, { orderNumber: before.number });
      expect(old).to.include({ legalBasis: 'statutory', termsVersion: null, status: 'needs_review' });
      expect(old.reviewReasons).to.include('no_published_terms');
      expect(old.policy.checks.find((c: { rule: string }) => c.rule === 'window').ja).to.include('特定商取引法の8日間');

      const current = await filed(d.owner, d.shop.id, { orderNumber: after.number });
      expect(current).to.include({ legalBasis: 'terms', termsVersion: 1 });
      expect(current.reviewReasons).to.deep.equal(['auto_approve_off']);
    });

    it('keeps judging an order by its version after a newer one is published', async () => {
      const v = await publish(d, someTerms({ windowDays: 20, autoApprove: { enabled: false, maxAmount: 0 } }));
      const order = await pushOrder(d);
      await publish(d, someTerms({ windowDays: 3, autoApprove: { enabled: true, maxAmount: 100_000 } }));
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      expect(r.termsVersion).to.equal(v);
      expect(r.status).to.equal('needs_review');
      expect(r.policy.checks.find((c: { rule: string }) => c.rule === 'window').en).to.include('20-day window');
    });
  });
}
