import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { listChangesWithSession } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { driverClient, sentDuring } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * The orders list's first page, kept in the process like the inbox's (migration 0040): read
 * again, it costs the console's request its session's read and its audit row, and no read of
 * the orders; every change committed since is shown, each viewer is answered their own masking,
 * and every answer, kept or not, is in the audit trail with the orders it showed.
 */
type Listed = { orders: Array<{ orderNumber: string; customer: { email: string; name: string }; lines: Array<{ name: string }> }>; nextCursor: string | null };

/** The list's own statement (orders.repository.ts, listOrders); the server's jobs may read orders meanwhile. */
const LIST = /from "orders" where .* order by "orders"."ordered_at" desc/s;

for (const kind of dbKinds) {
  describe(`[${kind}] the orders list's first page, kept`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let contractor: TestClient;
    const list = (query = '') => `/api/shops/${shop.id}/orders${query}`;

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      contractor = await signedIn(server.url, shop.people.contractor);
    });
    after(() => server.close());

    /** An order placed, shipped and delivered now. */
    const now = (overrides: Parameters<typeof anOrder>[0] = {}) => {
      const at = new Date().toISOString();
      return anOrder({ orderedAt: at, shippedAt: at, deliveredAt: at, ...overrides });
    };

    async function placed(overrides: Parameters<typeof anOrder>[0] = {}): Promise<string> {
      const n = newOrderNumber();
      const r = await owner.put(`/api/shops/${shop.id}/orders/${n}`, now(overrides));
      expect(r.status, r.text).to.equal(201);
      return n;
    }

    /** The answer to `path` and the statements of its own the request sent. */
    async function sentFor(c: TestClient, path: string) {
      const { value: r, sent } = await sentDuring(server.database, () => c.get(path));
      expect(r.status, r.text).to.equal(200);
      return { body: r.body as Listed, sent };
    }

    const listed = async (c: TestClient, query = '') => {
      const r = await c.get(list(query));
      expect(r.status, r.text).to.equal(200);
      return r.body as Listed;
    };

    const listedRows = async () =>
      Number(((await server.database.db.execute(sql`select count(*)::int as n from audit_events where shop_id = ${shop.id} and action = 'orders.listed'`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n);

    it("answers the page read again without reading the orders, writes the audit row of each answer, and shows what changed since", async () => {
      const first = await placed();
      const before = await listed(owner);
      expect(before.orders[0]!.orderNumber).to.equal(first);
      const rows = await listedRows();

      const again = await sentFor(owner, list());
      expect(again.body).to.deep.equal(before);
      expect(again.sent.filter((t) => LIST.test(t)), again.sent.join('\n')).to.have.length(0);
      // Checked in the session's statement alone: no check of its own.
      const checks = again.sent.filter((t) => /list_changes/.test(t));
      expect(checks, checks.join('\n')).to.have.length(1);
      expect(checks[0]).to.match(/from sessions s/).and.match(/from list_changes c where .* c.list = 'orders'/);
      // The kept answer's audit row names the orders it showed, as a read one does.
      expect(await listedRows()).to.equal(rows + 1);
      const trail = (await owner.get(`/api/shops/${shop.id}/audit?limit=1&action=orders.listed`)).body.events as Array<{ summary: { orderNumbers: string[] } }>;
      expect(trail[0]!.summary.orderNumbers).to.deep.equal(before.orders.map((o) => o.orderNumber));

      const second = await placed();
      expect((await listed(owner)).orders.map((o) => o.orderNumber).slice(0, 2)).to.deep.equal([second, first]);

      // The platform sends the order again with another line name (an upsert of the order and its lines).
      const renamed = now();
      renamed.lines[0]!.name = '名入れマグカップ（青）';
      expect((await owner.put(`/api/shops/${shop.id}/orders/${first}`, renamed)).status).to.be.oneOf([200, 201]);
      expect((await listed(owner)).orders.find((o) => o.orderNumber === first)!.lines[0]!.name).to.equal('名入れマグカップ（青）');

      await server.database.db.execute(sql`update order_lines set name = '返品不可の品' where shop_id = ${shop.id} and line_no = 1 and order_id = (select id from orders where shop_id = ${shop.id} and order_number = ${second})`);
      expect((await listed(owner)).orders.find((o) => o.orderNumber === second)!.lines[0]!.name).to.equal('返品不可の品');

      await server.database.db.execute(sql`delete from orders where shop_id = ${shop.id} and order_number = ${second}`);
      expect((await listed(owner)).orders.map((o) => o.orderNumber)).to.not.include(second);
    });

    it("answers each viewer their own masking, keeps each filter apart, and reads a search, a period and a later page anew", async () => {
      await placed({ customer: { ...anOrder().customer, email: 'kept-page@example.jp' } });
      const shown = await listed(owner);
      expect(shown.orders[0]!.customer.email).to.equal('kept-page@example.jp');
      const rows = await listedRows();
      for (let i = 0; i < 2; i++) expect((await listed(contractor)).orders[0]!.customer.email).to.not.include('kept-page');
      expect((await listed(owner)).orders[0]!.customer.email).to.equal('kept-page@example.jp');
      // The contractor's kept answer is in the trail too, by them.
      expect(await listedRows()).to.equal(rows + 3);
      const trail = (await owner.get(`/api/shops/${shop.id}/audit?limit=3&action=orders.listed`)).body.events as Array<{ actorId: string }>;
      expect(trail.map((e) => e.actorId)).to.deep.equal([shop.people.owner.id, shop.people.contractor.id, shop.people.contractor.id]);
      // Their role is read at each request: made an agent, they are answered unmasked, and masked again once a contractor.
      for (const [role, shown] of [['agent', true], ['contractor', false]] as const) {
        await server.database.db.execute(sql`update memberships set role = ${role} where shop_id = ${shop.id} and user_id = ${shop.people.contractor.id}`);
        expect((await listed(contractor)).orders[0]!.customer.email === 'kept-page@example.jp', role).to.equal(shown);
      }

      expect((await listed(owner, '?status=unshipped')).orders).to.deep.equal([]);
      expect((await listed(owner, '?limit=1')).orders).to.have.length(1);
      expect((await listed(owner, '?status=delivered')).orders.length).to.be.above(0);
      expect((await listed(owner, '?prefecture=北海道')).orders).to.deep.equal([]);
      // A conversation of the shop changed: the inbox's pages are read again, not the orders list.
      await aConversation(server.database.db, shop.id, (await aCustomer(server.database.db, shop.id)).id);
      const still = await sentFor(owner, list('?status=delivered'));
      expect(still.sent.filter((t) => LIST.test(t))).to.have.length(0);

      const cursor = (await listed(owner, '?limit=1')).nextCursor!;
      const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
      for (const query of ['?q=田中', `?from=${today}`, '?carrier=ヤマト運輸', `?cursor=${encodeURIComponent(cursor)}&limit=1`]) {
        await listed(owner, query);
        const again = await sentFor(owner, list(query));
        expect(again.sent.filter((t) => LIST.test(t)), query).to.have.length(1);
      }
    });

    it("answers the shop's API key the same page as its owner, and refuses a person who left the shop though the page is kept", async () => {
      await placed();
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: '連携' });
      const platform = (await import('../../helpers/client.ts')).TestClient;
      const byKey = new platform(server.url).withKey(key.body.key as string);
      const first = await sentFor(byKey, list());
      const again = await sentFor(byKey, list());
      expect(again.body).to.deep.equal(first.body);
      expect(again.sent.filter((t) => LIST.test(t))).to.have.length(0);
      expect(again.body).to.deep.equal(await listed(owner));

      const masked = await listed(contractor);
      await server.database.db.execute(sql`delete from memberships where shop_id = ${shop.id} and user_id = ${shop.people.contractor.id}`);
      expect(masked.orders.length).to.be.above(0);
      expect((await contractor.get(list())).status).to.equal(404);
    });

    it("keeps the shop's inbox pages when an order is written", async () => {
      const inbox = `/api/shops/${shop.id}/conversations?limit=20`;
      expect((await owner.get(inbox)).status).to.equal(200);
      await placed();
      const again = await sentFor(owner, inbox);
      expect(again.sent.filter((t) => /row_to_json\(d\)/.test(t)), again.sent.join('\n')).to.have.length(0);
    });

    if (kind === 'postgres') {
      it('shows a change committed by a transaction that was still running when the page was read', async () => {
        const n = await placed();
        const pool = driverClient(server.database) as unknown as import('pg').Pool;
        const writer = await pool.connect();
        const nameOf = (p: Listed) => p.orders.find((o) => o.orderNumber === n)!.customer.name;
        try {
          await writer.query('begin');
          await writer.query(`update orders set customer_name = '途中 三郎' where shop_id = $1 and order_number = $2`, [shop.id, n]);
          // A later transaction that ends first: the writer is then below the page's snapshot's xmax, listed as running in it.
          await aCustomer(server.database.db, shop.id);
          expect(nameOf(await listed(owner))).to.not.equal('途中 三郎');
          await writer.query('commit');
        } finally {
          writer.release();
        }
        expect(nameOf(await listed(owner))).to.equal('途中 三郎');
      });
    }

    if (kind === 'postgres') {
      it("checks by list_changes' key in the plan kept for any snapshot (the generic one), beside a busy shop's changes and a hundred other shops'", async () => {
        const client = await (driverClient(server.database) as unknown as import('pg').Pool).connect();
        // Changes from long ago (below any snapshot's xmin: up to 20,000), of this shop's two lists, and of a hundred other shops.
        const old = `generate_series(3, least(20002, pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1)) g`;
        try {
          await client.query(`do $$ begin while pg_snapshot_xmin(pg_current_snapshot())::text::bigint <= 20002 loop perform pg_current_xact_id(); commit; end loop; end $$`);
          await client.query(`insert into list_changes (shop_id, list, xid) select $1, v.l, g::text::xid8 from ${old} cross join (values ('orders'), ('returns')) v(l) on conflict do nothing`, [shop.id]);
          await client.query(`insert into list_changes (shop_id, list, xid) select ('7d0e2f7a-1111-4c5e-9a11-' || lpad((g % 100)::text, 12, '0'))::uuid, 'orders', g::text::xid8 from ${old} on conflict do nothing`);
          await client.query('analyze list_changes');
          await client.query('set plan_cache_mode = force_generic_plan');
          const session = (await client.query('select id from sessions where user_id = $1 limit 1', [shop.people.owner.id])).rows[0].id as string;
          for (const kept of ['orders', 'returns'] as const) {
            await client.query(`prepare generic_list_check(text, uuid, text) as ${listChangesWithSession[kept].text}`);
            try {
              const args = [session, shop.id, '{20000,20001}'].map((v) => client.escapeLiteral(v)).join(', ');
              const { rows } = await client.query(`explain (format json) execute generic_list_check(${args})`);
              const scans: string[] = [];
              const walk = (n: Record<string, unknown>) => {
                if (n['Relation Name'] === 'list_changes') scans.push(n['Node Type'] as string);
                for (const c of (n['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
              };
              walk((rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
              // The shop's newest change, every shop's, and the running transactions asked about: each by the key.
              expect(scans, kept).to.deep.equal(['Index Only Scan', 'Index Only Scan', 'Index Only Scan']);
            } finally {
              await client.query('deallocate generic_list_check');
            }
          }
        } finally {
          await client.query('reset plan_cache_mode').catch(() => undefined);
          await client.query(`delete from list_changes where xid < '20003'::xid8 and xid < pg_snapshot_xmin(pg_current_snapshot())`);
          client.release();
        }
      });
    }

    it('reads every page again after a TRUNCATE of order lines', async () => {
      expect((await listed(owner)).orders.some((o) => o.lines.length > 0)).to.equal(true);
      await server.database.db.execute(sql`truncate order_lines cascade`);
      expect((await listed(owner)).orders.every((o) => o.lines.length === 0)).to.equal(true);
    });
  });
}
