import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { sentDuring } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { TestClient } from '../../helpers/client.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

/**
 * The returns list's first page, kept in the process like the inbox's (migration 0040): read
 * again, it costs the console's request its session's read alone, which says whether anything
 * the page shows changed; every change committed since is shown, and who may see the list is
 * as of the request.
 */
/** The list's own statement (returns.repository.ts, listReturns); the server's jobs read returns by id meanwhile. */
const LIST = /order by "return_requests"."number" desc/;

type Listed = { returns: Array<{ id: string; number: number; status: string; customerName: string }>; nextBefore: number | null };

for (const kind of dbKinds) {
  describe(`[${kind}] the returns list's first page, kept`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let d: Desk;
    const list = (query = '') => `/api/shops/${d.shop.id}/returns${query}`;

    before(async () => {
      // No jobs: the statements a request sends are counted.
      server = await startServer(kind, { config: { JOBS: 'off' } });
      d = await openDesk(server);
      // Every return waits for a person here.
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    after(() => server.close());

    /** A return of one mug, waiting for review. */
    async function inReview() {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      expect(r.status).to.equal('needs_review');
      return { id: r.id as string, number: r.number as number, order };
    }

    /** The answer to `path` and the statements of its own the request sent (the server's jobs may send theirs meanwhile, on the same pool). */
    async function sentFor(c: TestClient, path: string) {
      const { value: r, sent } = await sentDuring(server.database, () => c.get(path));
      expect(r.status, r.text).to.equal(200);
      return { body: r.body as Listed, own: sent.filter((t) => /from sessions|list_changes|api_keys/.test(t) || LIST.test(t)) };
    }

    /** How many requests /metrics counts as answered with a kept page of the returns list. */
    const keptAnswers = async () => {
      const series = 'inbox_page_cache_requests_total{result="hit",list="returns"} ';
      const line = (await new TestClient(server.url).get('/metrics')).text.split('\n').find((l) => l.startsWith(series));
      return line ? Number(line.slice(series.length)) : 0;
    };

    const listed = async (c: TestClient, query = '') => {
      const r = await c.get(list(query));
      expect(r.status, r.text).to.equal(200);
      return r.body as Listed;
    };

    it("answers the page read again with the session's read alone, and shows what was filed, moved, renamed and deleted since", async () => {
      const first = await inReview();
      const before = await listed(d.as.agent);
      expect(before.returns[0]!.id).to.equal(first.id);

      const hits = await keptAnswers();
      const again = await sentFor(d.as.agent, list());
      expect(again.body).to.deep.equal(before);
      // /metrics counts it, as the returns list's.
      expect(await keptAnswers()).to.equal(hits + 1);
      expect(again.own, again.own.join('\n')).to.have.length(1);
      expect(again.own[0]).to.match(/from sessions s/).and.match(/from list_changes c where .* c.list = 'returns'/);

      // A conversation of the shop changed: the inbox's pages are read again, not the returns list.
      await aConversation(server.database.db, d.shop.id, (await aCustomer(server.database.db, d.shop.id)).id);
      const still = await sentFor(d.as.agent, list());
      expect(still.body).to.deep.equal(before);
      expect(still.own.filter((t) => LIST.test(t))).to.have.length(0);

      const second = await inReview();
      expect((await listed(d.as.agent)).returns.map((r) => r.id).slice(0, 2)).to.deep.equal([second.id, first.id]);

      await moved(d.as.agent, d.shop.id, first.id, { event: 'approve', expectedStatus: 'needs_review' });
      expect((await listed(d.as.agent)).returns.find((r) => r.id === first.id)!.status).to.equal('awaiting_shipment');

      // The order's customer, as the shop platform renamed them (an UPDATE of orders).
      await server.database.db.execute(sql`update orders set customer_name = '佐藤 次郎' where id = ${first.order.id}`);
      expect((await listed(d.as.agent)).returns.find((r) => r.id === first.id)!.customerName).to.equal('佐藤 次郎');

      await server.database.db.execute(sql`delete from return_requests where id = ${second.id}`);
      expect((await listed(d.as.agent)).returns.map((r) => r.id)).to.not.include(second.id);
    });

    it('keeps each filter and size apart, and reads every later page anew', async () => {
      const r = await inReview();
      const newer = await inReview();
      await moved(d.as.staff, d.shop.id, newer.id, { event: 'approve', expectedStatus: 'needs_review' });
      const waiting = await listed(d.as.staff, '?status=needs_review&limit=1');
      expect(waiting.returns.map((x) => x.id)).to.deep.equal([r.id]);
      expect(waiting.nextBefore).to.equal(r.number);
      expect((await listed(d.as.staff, '?limit=1')).returns.map((x) => x.id)).to.deep.equal([newer.id]);
      expect((await listed(d.as.staff, '?limit=2')).returns.map((x) => x.id)).to.deep.equal([newer.id, r.id]);
      expect((await listed(d.as.staff, '?status=closed')).returns).to.deep.equal([]);
      // The same statuses in another order, or twice, are the same page.
      const both = await listed(d.as.staff, '?status=needs_review,awaiting_shipment&limit=2');
      expect(both.returns.map((x) => x.id)).to.deep.equal([newer.id, r.id]);
      const reordered = await sentFor(d.as.staff, list('?status=awaiting_shipment,needs_review,needs_review&limit=2'));
      expect(reordered.body).to.deep.equal(both);
      expect(reordered.own.filter((t) => LIST.test(t))).to.have.length(0);

      await moved(d.as.staff, d.shop.id, r.id, { event: 'approve', expectedStatus: 'needs_review' });
      expect((await listed(d.as.staff, '?status=needs_review&limit=1')).returns.map((x) => x.id)).to.not.include(r.id);

      // A later page is read again at each request, with the session's read and its own.
      const path = list(`?before=${r.number + 1}&limit=1`);
      await d.as.staff.get(path);
      const later = await sentFor(d.as.staff, path);
      expect(later.body.returns.map((x) => x.id)).to.deep.equal([r.id]);
      expect(later.own.filter((t) => LIST.test(t)), later.own.join('\n')).to.have.length(1);
    });

    it("answers the shop's API key the same page, checked by a statement of its own, and refuses a person who left the shop though the page is kept", async () => {
      await inReview();
      const byKey = await sentFor(d.platform, list());
      const again = await sentFor(d.platform, list());
      expect(again.body).to.deep.equal(byKey.body);
      expect(again.own.filter((t) => LIST.test(t)), again.own.join('\n')).to.have.length(0);
      expect(again.own.some((t) => /list_changes/.test(t))).to.equal(true);
      expect(await listed(d.as.contractor)).to.deep.equal(byKey.body);

      await server.database.db.execute(sql`delete from memberships where shop_id = ${d.shop.id} and user_id = ${d.shop.people.contractor.id}`);
      expect((await d.as.contractor.get(list())).status).to.equal(404);
    });
  });
}
