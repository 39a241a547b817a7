import { expect } from 'chai';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { Actor } from '../../../server/core/actor.ts';
import { cursorOf, inboxFilter, meOf, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { inboxQueryAcross } from '../../../server/domains/conversations/conversations.across.repository.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * Several shops' inboxes as one (inboxQueryAcross, all my shops): each shop is first asked for
 * its newest few rows, and the page's bound taken from those limits what each shop reads after.
 * Whatever the bound, the pages are the shops' rows merged, newest first: a shop with many rows,
 * shops with few or none, rows of several shops in one millisecond, rows merged away; for every
 * view, page size and page, through the cursor.
 */
type Plan = { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; 'Scan Direction'?: string; Plans?: Plan[] };
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

for (const kind of dbKinds) {
  describe(`[${kind}] several shops' inboxes as one, bounded by their newest rows`, function () {
    this.timeout(120_000);
    let database: Database;
    let shops: TestShop[];
    let me: string;
    const actor = (): Actor => ({ kind: 'user', shopId: shops[0]!.id, userId: me, name: 'agent', role: 'agent' });

    // Rows per shop: one large, a few small, one empty, one with a single row; two shops whose rows share a few milliseconds.
    const sizes = [4000, 60, 3, 0, 1, 25, 30];

    before(async () => {
      database = await testDatabase(kind);
      shops = [];
      for (const _ of sizes) shops.push(await makeShop(database));
      me = shops[0]!.people.agent.id;
      for (const [i, size] of sizes.entries()) {
        if (!size) continue;
        const s = shops[i]!;
        const customer = await aCustomer(database.db, s.id);
        // Shops 5 and 6: every row in one of three milliseconds, which the big shop's rows also hold.
        const at = i >= 5 ? sql`timestamptz '2026-06-01 12:00:00.500+09' + (n % 3) * interval '1 hour'` : sql`timestamptz '2026-01-01 00:00:00+09' + n * ${`${37 + i * 11} minutes`}::interval`;
        await database.db.execute(sql`
          insert into conversations (shop_id, number, customer_id, channel, status, priority, assignee_id, tags, updated_at)
          select ${s.id}, n, ${customer.id}, 'chat',
                 case when n % 4 = 0 then 'open' when n % 4 = 1 then 'pending' when n % 9 = 0 then 'waiting_merchant' when n % 5 = 0 then 'closed' else 'resolved' end,
                 case when n % 13 = 0 then 'urgent' else 'normal' end,
                 case when n % 3 = 0 then ${me}::uuid end,
                 case when n % 11 = 0 then array['返品'] else '{}' end,
                 ${at}
          from generate_series(1, ${size}) n`);
      }
      // The big shop's rows at the others' milliseconds, and rows merged away (never listed) among its newest.
      await database.db.execute(sql`update conversations set updated_at = timestamptz '2026-06-01 12:00:00.500+09' + (number % 3) * interval '1 hour' where shop_id = ${shops[0]!.id} and number % 17 = 0`);
      await database.db.execute(sql`
        update conversations c set merged_into_id = t.id from conversations t
        where c.shop_id = ${shops[0]!.id} and t.shop_id = c.shop_id and t.number = 1 and c.number > 3980 and c.number % 2 = 0`);
      // SLA badges kept on the rows (migration 0036): breached, at risk, running; the others have none.
      await database.db.execute(sql`
        update conversations set sla_open = true, sla_due_at = now() + interval '1 hour',
          sla_at_risk_from = case when number % 6 in (0, 1) then now() - interval '1 hour' else now() + interval '30 minutes' end,
          sla_breached_from = case when number % 6 = 0 then now() - interval '10 minutes' else now() + interval '1 hour' end
        where shop_id = any(${sql.param(shops.map((s) => s.id))}::uuid[]) and number % 6 in (0, 1, 2)`);
      await database.db.execute(sql`analyze conversations`);
    });
    after(() => database?.close());

    /** The shops' rows of a view merged, newest first, read with no bound: what every page must show. */
    async function expected(ids: string[], where: SQL): Promise<string[]> {
      const r = (await database.db.execute(sql`
        select id from conversations where shop_id = any(${sql.param(ids)}::uuid[]) and merged_into_id is null and ${where}
        order by updated_at desc, id desc`)) as unknown as { rows: Array<{ id: string }> };
      return r.rows.map((x) => x.id);
    }

    const views: Array<[string, Partial<InboxQuery>, () => SQL]> = [
      ['every status', {}, () => sql`true`],
      ['active', { status: 'active' }, () => sql`status in ('open', 'pending', 'waiting_merchant')`],
      ['resolved', { status: 'resolved' }, () => sql`status = 'resolved'`],
      ['mine', { assignee: 'me' }, () => sql`assignee_id = ${me}::uuid`],
      ['unassigned', { assignee: 'none' }, () => sql`assignee_id is null`],
      ['SLA breached', { sla: 'breached' }, () => sql`sla_breached_from <= now()`],
      ['SLA at risk', { sla: 'at_risk' }, () => sql`sla_at_risk_from <= now() and not sla_breached_from <= now()`],
      ['tagged', { tag: '返品' }, () => sql`tags @> array['返品']`],
      ['urgent', { priority: 'urgent' }, () => sql`priority = 'urgent'`],
    ];

    for (const [view, q, where] of views) {
      it(`pages through ${view} over seven shops, one to fifty rows a page: every page is the next of the shops' rows merged`, async () => {
        const ids = shops.map((s) => s.id);
        const all = await expected(ids, where());
        expect(all.length, view).to.be.greaterThan(3);
        for (const limit of [1, 4, 10, 50]) {
          const paged: string[] = [];
          let before: string | undefined;
          // Every page for 50 a page; the first pages (past the shops with few rows) for the smaller.
          for (let i = 0; i < (limit === 50 ? Infinity : 12) && paged.length < all.length; i++) {
            const rows = await inboxQueryAcross(database.db, ids, inboxFilter(meOf(actor()), { ...q, limit, before }));
            const page = rows.slice(0, limit);
            expect(page.map((r) => r.id), `${view}, ${limit} a page, page ${i + 1}`).to.deep.equal(all.slice(paged.length, paged.length + limit));
            // One more than the page when another follows.
            expect(rows.length, `${view}, ${limit} a page, page ${i + 1}`).to.equal(Math.min(limit + 1, all.length - paged.length));
            paged.push(...page.map((r) => r.id));
            before = cursorOf(page.at(-1)!);
          }
          if (limit === 50) expect(paged).to.deep.equal(all);
        }
      });
    }

    it('bounds the page the same way over any of the shops: a few, with and without the big one', async () => {
      for (const pick of [[0, 5, 6], [1, 2, 3, 4], [2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6]]) {
        const ids = pick.map((i) => shops[i]!.id);
        for (const [view, q, where] of views) {
          const all = await expected(ids, where());
          const rows = await inboxQueryAcross(database.db, ids, inboxFilter(meOf(actor()), { ...q, limit: 7 }));
          expect(rows.map((r) => r.id), `${view} over shops ${pick.join(',')}`).to.deep.equal(all.slice(0, 8));
        }
      }
    });

    it('reads the active view through its own index in every shop, in its order, with no sequential scan', async () => {
      const plan = async (x: SQLWrapper) => {
        const r = (await database.db.execute(sql`explain (format json) ${x}`)) as unknown as { rows: Array<Record<string, unknown>> };
        const cell = Object.values(r.rows[0]!)[0];
        return nodes(((typeof cell === 'string' ? JSON.parse(cell) : cell) as Array<{ Plan: Plan }>)[0]!.Plan);
      };
      const ids = shops.map((s) => s.id);
      const active = await plan(inboxQueryAcross(database.db, ids, inboxFilter(meOf(actor()), { status: 'active', limit: 50 })));
      const types = active.map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''} ${p['Index Name'] ?? ''}`.trim());
      expect(types.filter((t) => /^Seq Scan conversations/.test(t)), types.join(' | ')).to.deep.equal([]);
      // Both reads of each shop (the first rows, and again down to the bound) walk the index backwards, in its order: no sort of a shop's rows.
      const reads = active.filter((p) => p['Index Name'] === 'conversations_shop_active_idx');
      expect(reads.map((p) => `${p['Node Type']} ${p['Scan Direction']}`), types.join(' | ')).to.deep.equal(['Index Only Scan Backward', 'Index Only Scan Backward']);
      // No other index of the conversations: the page's rows are then fetched by key.
      const indexes = new Set(active.map((p) => p['Index Name']).filter((n): n is string => !!n));
      expect([...indexes].filter((n) => !['conversations_pkey', 'conversations_shop_active_idx', 'shops_pkey'].includes(n)), types.join(' | ')).to.deep.equal([]);
      expect(types.some((t) => t.endsWith('conversations_pkey')), types.join(' | ')).to.equal(true);
    });
  });
}
