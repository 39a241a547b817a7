import { expect } from 'chai';
import type pg from 'pg';
import type { Database } from '../../../server/core/db/client.ts';
import type { Actor } from '../../../server/core/actor.ts';
import { cursorFrom, inboxFilter, meOf, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { detailedJsonQuery, inboxQuery, listConversationPageJson, type InboxFilter, type JsonPageRow } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { driverClient, testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { seedYearOfInbox } from './inbox.keyset.fixture.ts';

/**
 * An inbox page of a view (not a search, not the SLA filter) is sent prepared by the name of its
 * text (preparedSql): PostgreSQL parses and plans it once per connection, and after five runs
 * may keep one generic plan for every shop, cursor and value. That plan must still read the
 * view's own index backwards, whatever the values.
 */
type Sent = { name?: string; text: string; values: unknown[] };
type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: Plan[] };
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

const views: Array<[string, Partial<InboxQuery>, RegExp]> = [
  ['every status', {}, /conversations_shop_updated_idx/],
  ['every status, page 2', { before: 'cursor' }, /conversations_shop_updated_idx/],
  ['resolved', { status: 'resolved' }, /conversations_shop_status_idx/],
  ['active', { status: 'active' }, /conversations_shop_active_idx/],
  ['mine', { assignee: 'me' }, /conversations_shop_assignee_updated_idx/],
  // Unassigned is most of this shop's rows: read along every status, or its own index.
  ['unassigned', { assignee: 'none' }, /conversations_shop_(assignee_)?updated_idx/],
  ['urgent', { priority: 'urgent' }, /conversations_shop_priority_idx/],
  ['tagged', { tag: '返品' }, /conversations_shop_updated_idx/],
];

for (const kind of dbKinds) {
  describe(`[${kind}] an inbox page sent prepared`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    const actor = (s: TestShop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people.agent.id, name: 'agent', role: 'agent' });

    before(async () => {
      database = await testDatabase(kind);
      [shop, other] = [await makeShop(database), await makeShop(database)];
      await seedYearOfInbox(database, [shop, other]);
    });
    after(() => database?.close());

    /** The page of `q` in `s` (its cursor, `before: 'cursor'`, after the view's first page), and what was sent for it. */
    async function pageOf(s: TestShop, q: Partial<InboxQuery>, limit = 30): Promise<{ rows: JsonPageRow[]; sent: Sent[]; f: InboxFilter }> {
      const filter = (before?: string) => inboxFilter(meOf(actor(s)), { ...q, before, limit });
      const before = q.before ? cursorFrom((await listConversationPageJson(database.db, s.id, filter())).at(limit - 1)!.key) : undefined;
      const client = driverClient(database);
      const query = client.query;
      const sent: Sent[] = [];
      client.query = function (this: unknown, ...a: unknown[]) {
        sent.push(typeof a[0] === 'string' ? { text: a[0], values: (a[1] as unknown[]) ?? [] } : (a[0] as Sent));
        return query.apply(this, a);
      };
      const f = filter(before);
      try {
        return { rows: await listConversationPageJson(database.db, s.id, f), sent, f };
      } finally {
        client.query = query;
      }
    }

    for (const [view, q] of views) {
      it(`answers ${view} as the same statement sent unprepared does, in both shops`, async () => {
        for (const s of [shop, other]) {
          const { rows, sent, f } = await pageOf(s, q);
          expect(sent.length).to.equal(1);
          expect(rows.length).to.be.greaterThan(0);
          const unprepared = (await database.db.execute(detailedJsonQuery(inboxQuery(database.db, s.id, f), f.now))) as unknown as { rows: JsonPageRow[] };
          expect(rows).to.deep.equal(unprepared.rows);
          expect(rows.every((r) => r.shop === s.id)).to.equal(true);
        }
      });
    }

    if (kind !== 'postgres') return;

    it("names each view's page by its text: one name whatever the shop, the cursor or the value; another for another view", async () => {
      const nameOf = async (s: TestShop, q: Partial<InboxQuery>) => {
        const { sent } = await pageOf(s, q);
        expect(sent.length, JSON.stringify(sent.map((x) => x.text.slice(0, 60)))).to.equal(1);
        return sent[0]!.name;
      };
      const names = new Map<string, string | undefined>();
      for (const [view, q] of views) {
        const name = await nameOf(shop, q);
        expect(name, view).to.match(/^shape_[\w-]{27}$/);
        expect(await nameOf(other, q), `${view}, the other shop`).to.equal(name);
        names.set(view, name);
      }
      expect(new Set(names.values()).size).to.equal(views.length);
      expect(await nameOf(shop, { tag: 'ほかのタグ' })).to.equal(names.get('tagged'));
      expect(await nameOf(shop, { limit: 10 } as Partial<InboxQuery>)).to.equal(names.get('every status'));
      // A search and the SLA filter are planned for their values at every request.
      const { sent } = await pageOf(shop, { q: '返品' });
      expect(sent.filter((x) => /row_to_json/.test(x.text)).map((x) => x.name)).to.deep.equal([undefined]);
      expect((await pageOf(shop, { sla: 'at_risk' })).sent.map((x) => x.name)).to.deep.equal([undefined]);
    });

    for (const [view, q, index] of views) {
      it(`reads ${view} through its own index in the generic plan PostgreSQL may keep, with no sequential scan`, async () => {
        const { sent } = await pageOf(shop, q);
        const { text, values } = sent[0]!;
        const client = await (driverClient(database) as unknown as pg.Pool).connect();
        try {
          await client.query('set plan_cache_mode = force_generic_plan');
          await client.query(`prepare generic_page as ${text}`);
          const args = values.map((v) => client.escapeLiteral(v instanceof Date ? v.toISOString() : String(v))).join(', ');
          const { rows } = await client.query(`explain (format json) execute generic_page(${args})`);
          const plan = nodes((rows[0]['QUERY PLAN'] as Array<{ Plan: Plan }>)[0]!.Plan);
          const types = plan.map((p) => `${p['Node Type']} ${p['Scan Direction'] ?? ''} ${p['Relation Name'] ?? ''} ${p['Index Name'] ?? ''}`.replace(/ +/g, ' ').trim());
          // The view's index read backwards, in the page's order: no sort, no other scan of the shop's conversations.
          expect(types.filter((t) => /^Seq Scan|^Sort|^Incremental Sort|^Bitmap/.test(t)), types.join(' | ')).to.deep.equal([]);
          expect(types.filter((t) => / conversations /.test(t)), types.join(' | ')).to.have.length(1);
          expect(types.some((t) => /^Index Scan Backward conversations /.test(t) && index.test(t)), types.join(' | ')).to.equal(true);
        } finally {
          await client.query('deallocate generic_page; reset plan_cache_mode').catch(() => undefined);
          client.release();
        }
      });
    }
  });
}
