import { expect } from 'chai';
import { insertTermsVersion } from '../../../server/domains/returns/returns.terms.repository.ts';
import { returnsMessages } from '../../../server/domains/returns/returns.messages.ts';
import { returnTermsInput, type ReturnTerms } from '../../../server/domains/returns/returns.terms.schema.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { openDesk, previewReturn, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

/**
 * Customers read the terms: a non-returnable product (or one with a window of its own) is named
 * by a label the customer recognises (「セール品」), never by the shop's internal tag, on the
 * page, the snippet, the JSON and the portal's checks. Old versions without labels still read
 * sensibly. The editor's preview of a draft is the draft's version, never "statutory".
 */
for (const kind of dbKinds) {
  describe(`[${kind}] return terms: the labels customers read, and the editor’s preview`, () => {
    let server: TestServer;
    let anyone: TestClient;
    before(async () => {
      server = await startServer(kind);
      anyone = new TestClient(server.url);
    });
    after(() => server.close());

    const termsPath = (d: Desk) => `/api/shops/${d.shop.id}/return-terms`;
    const labelled = () =>
      someTerms({
        nonReturnableTags: ['sale'],
        windowDaysByTag: [{ tag: 'gift', days: 30 }],
        tagLabels: [
          { tag: 'sale', ja: 'セール品', en: 'Sale items' },
          { tag: 'gift', ja: 'ギフトセット', en: 'Gift sets' },
        ],
      });

    it('refuses a non-returnable tag or a tag window without a label, with the path and a message the editor can show in Japanese', async () => {
      const d = await openDesk(server);
      const r = await d.owner.put(termsPath(d), someTerms({ tagLabels: [], windowDaysByTag: [{ tag: 'gift', days: 30 }] }));
      expect(r.status, r.text).to.equal(400);
      const details = r.body.error.details as Array<{ path: string; message: string }>;
      expect(details.map((x) => [x.path, x.message])).to.deep.equal([
        ['nonReturnableTags.0', returnsMessages.labelMissing.en],
        ['windowDaysByTag.0.tag', returnsMessages.labelMissing.en],
      ]);
      const empty = await d.owner.put(termsPath(d), someTerms({ tagLabels: [{ tag: 'sale', ja: ' ', en: 'Sale' }] }));
      expect(empty.body.error.details.map((x: { path: string; message: string }) => [x.path, x.message])).to.deep.include(['tagLabels.0.ja', returnsMessages.label.en]);
      expect((await d.owner.get(termsPath(d))).body.versions).to.deep.equal([]);
    });

    it('names the products by their labels on the page, the snippet, the JSON and the portal’s checks, never as the raw tag', async () => {
      const d = await openDesk(server);
      await publish(d, labelled());
      const page = await anyone.get(`/shops/${d.shop.id}/return-terms`);
      expect(page.text).to.include('セール品は返品できません').and.include('ギフトセットは30日以内です');
      expect(page.text).not.to.include('「sale」').and.not.to.include('「gift」');
      const en = await anyone.get(`/api/public/shops/${d.shop.id}/return-terms/snippet?lang=en`);
      expect(en.text).to.include('Sale items cannot be returned').and.include('Gift sets: 30 days');
      const json = await anyone.get(`/api/public/shops/${d.shop.id}/return-terms`);
      expect(JSON.stringify(json.body.sections)).to.include('セール品').and.not.include('「sale」');
      expect(json.body.terms.tagLabels).to.deep.equal(labelled().tagLabels);

      const base = anOrder();
      const order = await pushOrder(d, { lines: [{ ...base.lines[0]!, tags: ['sale'] }, base.lines[1]!] });
      const preview = await previewReturn(d.owner, d.shop.id, { orderNumber: order.number });
      const check = preview.body.checks.find((c: { rule: string }) => c.rule === 'non_returnable');
      expect(check.ja).to.equal('「マグカップ」はセール品のため返品できません');
      expect(check.en).to.include('Sale items cannot be returned').and.not.include('sale');
    });

    it('still reads sensibly for a version published before labels existed', async () => {
      const d = await openDesk(server);
      // Stored as such a version was: the schema's output of the day, with no tagLabels at all.
      const { tagLabels: _none, ...old } = returnTermsInput.parse(labelled());
      await insertTermsVersion(server.database.db, d.shop.id, old as ReturnTerms, 'before labels');
      const page = await anyone.get(`/shops/${d.shop.id}/return-terms`);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('当店が返品不可とした区分（sale）の商品は返品できません').and.include('商品ページまたはお問い合わせでご確認ください');
      expect(page.text).not.to.include('「sale」の表示がある商品');
      const terms = await d.owner.get(termsPath(d));
      expect(terms.body.terms.tagLabels).to.deep.equal([]);
    });

    it('previews a draft as the version it would become, never as the statutory rule, for a shop with terms published', async () => {
      const d = await openDesk(server);
      const statutory = await d.owner.post(`${termsPath(d)}/preview`, labelled());
      expect(statutory.body.html).to.include('版: 1（公開前の下書き）').and.not.include('法定');
      await publish(d, labelled());
      const ja = await d.owner.post(`${termsPath(d)}/preview`, someTerms({ windowDays: 30 }));
      expect(ja.status, ja.text).to.equal(200);
      expect(ja.body.html).to.include('版: 2（公開前の下書き）').and.not.include('法定（返品特約なし）');
      const en = await d.owner.post(`${termsPath(d)}/preview?lang=en`, someTerms({ windowDays: 30 }));
      expect(en.body.html).to.include('version: 2 (draft, not published)').and.not.include('statutory (no terms published)');
      // The published page itself still says which version is in force.
      expect((await anyone.get(`/shops/${d.shop.id}/return-terms`)).text).to.include('版: 1');
    });

    it('gives every editor field’s failure a message the console shows in Japanese', async () => {
      const d = await openDesk(server);
      const r = await d.owner.put(
        termsPath(d),
        someTerms({ windowDays: 0, shipWithinDays: 1, agentRefundLimit: 99.5, deductions: { restockingPercent: 80 }, windowDaysByTag: [{ tag: '', days: 30 }] }),
      );
      expect(r.status).to.equal(400);
      const known = new Set<string>(Object.values(returnsMessages).map((m) => m.en));
      const details = r.body.error.details as Array<{ path: string; message: string }>;
      expect(details.map((x) => x.path).sort()).to.deep.equal(['agentRefundLimit', 'deductions.restockingPercent', 'shipWithinDays', 'windowDays', 'windowDaysByTag.0.tag'].sort());
      // A tag both windowed and non-returnable, once the rest is valid.
      const both = await d.owner.put(termsPath(d), someTerms({ windowDaysByTag: [{ tag: 'sale', days: 30 }] }));
      expect(both.body.error.details).to.deep.equal([{ in: 'body', path: 'windowDaysByTag.0.tag', message: returnsMessages.tagAlsoNonReturnable.en, ja: returnsMessages.tagAlsoNonReturnable.ja }]);
      for (const x of details) expect(known.has(x.message), `${x.path}: ${x.message}`).to.equal(true);
    });
  });
}
