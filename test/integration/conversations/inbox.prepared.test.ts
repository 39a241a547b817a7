import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Actor } from '../../../server/core/actor.ts';
import { openPostgres, type Database } from '../../../server/core/db/client.ts';
import { inboxFilter, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { detailedJsonQuery, inboxQuery, listConversationPageJson, samePlanInEveryShop } from '../../../server/domains/conversations/conversations.repository.ts';
import { testPostgresUrl } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * The inbox's plain views are prepared once per connection (runNamed), and PostgreSQL may then
 * keep one plan for every shop and cursor (a generic plan). That plan must read the page
 * backwards along the view's index in a shop with a year of history as in a new one: here it
 * is forced (plan_cache_mode = force_generic_plan) and read for every such view, with a big
 * shop and many small ones in the table. The views whose best plan depends on the shop (a
 * search, a tag, an SLA state, several statuses) are not prepared.
 */
type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: Plan[] };
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

const PLAIN: Array<[string, Partial<InboxQuery>]> = [
  ['every status', {}],
  ['every status, page 2', { before: 'cursor' }],
  ['one status', { status: 'open' }],
  ['one status, page 2', { status: 'resolved', before: 'cursor' }],
  ['mine', { assignee: 'me' }],
  ['unassigned', { assignee: 'none' }],
  ['a priority', { priority: 'urgent' }],
];

if (dbKinds.includes('postgres')) {
  describe('[postgres] the inbox page prepared once per connection, planned once for every shop', function () {
    this.timeout(60_000);
    let database: Database;
    let client: pg.Client;
    let big: TestShop;
    const small: TestShop[] = [];
    const actor = (s: TestShop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people.agent.id, name: 'agent', role: 'agent' });
    const dialect = new PgDialect();

    before(async () => {
      const url = await testPostgresUrl();
      database = await openPostgres(url, { max: 1 });
      client = new pg.Client({ connectionString: url });
      await client.connect();
      big = await makeShop(database);
      for (let i = 0; i < 8; i++) small.push(await makeShop(database));
      for (const [s, n] of [[big, 4000], ...small.map((s) => [s, 12] as const)] as Array<[TestShop, number]>) {
        const customer = await aCustomer(database.db, s.id);
        await database.db.execute(sql`
          insert into conversations (shop_id, number, customer_id, channel, status, priority, assignee_id, updated_at)
          select ${s.id}, n, ${customer.id}, 'chat', case when n % 40 = 0 then 'open' else 'resolved' end,
                 case when n % 97 = 0 then 'urgent' else 'normal' end, case when n % 3 = 0 then ${s.people.agent.id}::uuid end,
                 timestamptz '2026-01-01 00:00:00+09' + n * interval '2 hours 13 minutes'
          from generate_series(1, ${n}) n`);
      }
      await database.db.execute(sql`analyze conversations`);
    });
    after(async () => {
      await client?.end();
      await database?.close();
    });

    const filterFor = async (s: TestShop, q: Partial<InboxQuery>) => {
      let before: string | undefined;
      if (q.before) {
        const rows = await listConversationPageJson(database.db, s.id, inboxFilter(actor(s), { ...q, before: undefined, limit: 5 }));
        before = Buffer.from(rows[4]!.key).toString('base64url');
      }
      return inboxFilter(actor(s), { limit: 50, ...q, before });
    };

    const prepared = async () =>
      ((await database.db.execute(sql`select count(*)::int as n from pg_prepared_statements where name like 'inbox_page_%'`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;

    it('prepares the plain views under a name, and not a search, a tag, an SLA state or several statuses', async () => {
      const start = await prepared();
      for (const [view, q] of PLAIN) {
        const f = await filterFor(big, q);
        expect(samePlanInEveryShop(f), view).to.equal(true);
        await listConversationPageJson(database.db, big.id, f);
      }
      // One statement per shape, the same name for every shop, cursor and limit.
      const shapes = await prepared();
      expect(shapes - start).to.equal(new Set(PLAIN.map(([, q]) => JSON.stringify({ ...q, status: q.status ? 'one' : undefined }))).size);
      await listConversationPageJson(database.db, small[0]!.id, await filterFor(small[0]!, { status: 'resolved', before: 'cursor' }));
      await listConversationPageJson(database.db, small[1]!.id, inboxFilter(actor(small[1]!), { limit: 7 }));
      expect(await prepared()).to.equal(shapes);
      for (const q of [{ q: '田中' }, { tag: '返品' }, { sla: 'breached' }, { status: 'active' }] as Array<Partial<InboxQuery>>) {
        const f = inboxFilter(actor(big), { limit: 50, ...q });
        expect(samePlanInEveryShop(f), JSON.stringify(q)).to.equal(false);
        await listConversationPageJson(database.db, big.id, f);
      }
      expect(await prepared()).to.equal(shapes);
    });

    for (const [view, q] of PLAIN) {
      it(`keeps for ${view} one plan that reads the page backwards along the view's index, with no sort, in a big shop and a small one`, async () => {
        const f = await filterFor(big, q);
        const { sql: text, params } = dialect.sqlToQuery(detailedJsonQuery(inboxQuery(database.db, big.id, f), f.now));
        const name = `generic_${view.replace(/\W+/g, '_')}`;
        await client.query('set plan_cache_mode = force_generic_plan');
        try {
          await client.query({ name, text, values: params });
          for (const s of [big, small[2]!]) {
            const values = s === big ? params : dialect.sqlToQuery(detailedJsonQuery(inboxQuery(database.db, s.id, await filterFor(s, q)), f.now)).params;
            const literals = values.map((v) => client.escapeLiteral(v instanceof Date ? v.toISOString() : String(v))).join(', ');
            const r = await client.query<{ 'QUERY PLAN': Array<{ Plan: Plan }> }>(`explain (format json) execute ${name}(${literals})`);
            const types = nodes(r.rows[0]!['QUERY PLAN'][0]!.Plan).map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''} ${p['Index Name'] ?? ''} ${p['Scan Direction'] ?? ''}`.trim());
            expect(types.filter((t) => /^Sort|^Incremental Sort|^Seq Scan conversations|^Bitmap Heap Scan conversations/.test(t)), types.join(' | ')).to.deep.equal([]);
            expect(types.some((t) => /^Index Scan conversations conversations_shop_\w+ Backward/.test(t)), types.join(' | ')).to.equal(true);
            // The kept plan answers what the statement answers when planned for its values.
            const generic = (await client.query({ name, text, values })).rows;
            await client.query('set plan_cache_mode = force_custom_plan');
            const custom = (await client.query({ text, values })).rows;
            await client.query('set plan_cache_mode = force_generic_plan');
            if (s === big) expect(generic.length).to.be.greaterThan(0);
            expect(generic).to.deep.equal(custom);
          }
        } finally {
          await client.query(`deallocate ${name}`).catch(() => undefined);
          await client.query('reset plan_cache_mode');
        }
      });
    }
  });
}
