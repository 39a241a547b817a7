import { expect } from 'chai';
import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { Actor } from '../../../server/core/actor.ts';
import { conversationDtos, cursorOf, inboxFilter, meOf, toDto, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import type { ConversationDto } from '../../../server/domains/conversations/conversations.dto.ts';
import { type ConversationRow } from '../../../server/domains/conversations/conversations.repository.ts';
import { conversationDetails, detailedJsonQuery, inboxQuery, listConversationPageJson, listConversations } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { inboxQueryAcross, listConversationPageAcross } from '../../../server/domains/conversations/conversations.across.repository.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * The inbox pages on conversations.updated_at itself (milliseconds, migration 0033) through an
 * index per view: a page costs the same in a shop with a year of history as in a new one. Rows
 * in the same millisecond, and rows whose time came from the database's clock (microseconds,
 * rounded to the column's milliseconds), are each listed exactly once across pages.
 */
type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: Plan[] };
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

async function planOf(database: Database, q: SQLWrapper): Promise<Plan[]> {
  const r = (await database.db.execute(sql`explain (format json) ${q}`)) as unknown as { rows: Array<Record<string, unknown>> };
  const cell = Object.values(r.rows[0]!)[0];
  const json = (typeof cell === 'string' ? JSON.parse(cell) : cell) as Array<{ Plan: Plan }>;
  return nodes(json[0]!.Plan);
}

for (const kind of dbKinds) {
  describe(`[${kind}] the inbox's order and cursor on an indexed column`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    const actor = (s: TestShop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people.agent.id, name: 'agent', role: 'agent' });

    before(async () => {
      database = await testDatabase(kind);
      [shop, other] = [await makeShop(database), await makeShop(database)];
      for (const s of [shop, other]) {
        const customer = await aCustomer(database.db, s.id);
        // 3,000 conversations over a year, a few still going; then five in one millisecond and
        // three stamped by the database's clock.
        await database.db.execute(sql`
          insert into conversations (shop_id, number, customer_id, channel, status, priority, assignee_id, tags, updated_at, created_at)
          select ${s.id}, n, ${customer.id}, 'chat',
                 case when n % 50 = 0 then 'open' when n % 7 = 0 then 'closed' else 'resolved' end,
                 case when n % 97 = 0 then 'urgent' else 'normal' end,
                 case when n % 3 = 0 then ${s.people.agent.id}::uuid end,
                 case when n % 11 = 0 then array['返品'] else '{}' end,
                 timestamptz '2026-01-01 00:00:00+09' + n * interval '2 hours 13 minutes 7.123 seconds',
                 timestamptz '2026-01-01 00:00:00+09'
          from generate_series(1, 3000) n`);
        await database.db.execute(sql`
          insert into conversations (shop_id, number, customer_id, channel, updated_at)
          select ${s.id}, 3000 + n, ${customer.id}, 'chat', timestamptz '2027-01-01 09:00:00.250+09' from generate_series(1, 5) n`);
        await database.db.execute(sql`
          insert into conversations (shop_id, number, customer_id, channel) select ${s.id}, 3005 + n, ${customer.id}, 'chat' from generate_series(1, 3) n`);
      }
      // The newest conversations of each shop have messages (the last one a customer can see is
      // the preview: not a note, not a status event) and some have SLA clocks.
      await database.db.execute(sql`
        update conversations set last_seq = case when number % 5 = 0 then 4 else 3 end where shop_id in (${shop.id}, ${other.id}) and number > 2980`);
      await database.db.execute(sql`
        insert into messages (shop_id, conversation_id, seq, client_id, author_kind, author_name, kind, body, status_event)
        select c.shop_id, c.id, m.seq, 'k' || m.seq, m.author, 'someone', m.kind, m.body || ' ' || c.number, m.event
        from conversations c
        cross join lateral (values
          (1, 'customer', 'text', 'はじめまして', null::jsonb),
          (2, 'agent', 'text', '返信', null),
          (3, 'agent', case when c.number % 2 = 0 then 'note' else 'event' end, 'うちわの話', case when c.number % 2 = 0 then null else '{"to":"resolved"}'::jsonb end),
          (4, 'customer', 'text', 'また', null)) as m(seq, author, kind, body, event)
        where c.shop_id in (${shop.id}, ${other.id}) and c.number > 2980 and m.seq <= c.last_seq`);
      await database.db.execute(sql`
        insert into sla_clocks (conversation_id, metric, shop_id, target_ms, at_risk_percent, started_at, running_since, at_risk_at, due_at)
        select c.id, 'first_response', c.shop_id, 3600000, 80, now() - interval '50 minutes', now() - interval '50 minutes', now() - interval '2 minutes', now() + interval '10 minutes'
        from conversations c where c.shop_id in (${shop.id}, ${other.id}) and c.number > 2990 and c.number % 3 = 0`);
      await database.db.execute(sql`analyze conversations`);
    });
    after(() => database?.close());

    it('keeps milliseconds in updated_at, also for a time set by the database', async () => {
      const r = (await database.db.execute(sql`select count(*)::int as n from conversations where shop_id = ${shop.id} and updated_at <> date_trunc('milliseconds', updated_at)`)) as unknown as { rows: Array<{ n: number }> };
      expect(r.rows[0]!.n).to.equal(0);
    });

    for (const [view, q] of [
      ['every status', {}],
      ['resolved', { status: 'resolved' }],
      ['mine', { assignee: 'me' }],
      ['unassigned and open', { assignee: 'none', status: 'open' }],
      ['urgent', { priority: 'urgent' }],
      ['tagged', { tag: '返品' }],
    ] as Array<[string, Partial<InboxQuery>]>) {
      it(`pages through ${view} 97 at a time: each conversation once, in the order of the whole list, none of another shop`, async () => {
        const f = inboxFilter(meOf(actor(shop)), { ...q, limit: 10_000 });
        const whole = (await listConversations(database.db, shop.id, f)).map((c) => c.id);
        expect(whole.length).to.be.greaterThan(0);
        const seen: string[] = [];
        let before: string | undefined;
        for (;;) {
          const rows: ConversationRow[] = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { ...q, limit: 97, before }));
          const page = rows.slice(0, 97);
          expect(page.every((c) => c.shopId === shop.id)).to.equal(true);
          seen.push(...page.map((c) => c.id));
          if (rows.length <= 97) break;
          before = cursorOf(page.at(-1)!);
        }
        expect(seen).to.deep.equal(whole);
        // The same order as the database's own sort of the whole shop.
        const sorted = [...(await listConversations(database.db, shop.id, f))].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : -1));
        expect(sorted.map((c) => c.id)).to.deep.equal(whole);
      });
    }

    it('pages two at a time through rows of one millisecond and rows stamped by the database, in the database’s own order', async () => {
      const expected = ((await database.db.execute(sql`select id from conversations where shop_id = ${shop.id} and merged_into_id is null
        order by updated_at desc, id desc limit 20`)) as unknown as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
      const seen: string[] = [];
      let before: string | undefined;
      while (seen.length < 20) {
        const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { limit: 2, before }));
        seen.push(...rows.slice(0, 2).map((c) => c.id));
        before = cursorOf(rows[1]!);
      }
      expect(seen).to.deep.equal(expected);
    });

    // Views whose rows are many read their index in order; a view of a few rows (31 urgent ones)
    // may fetch them by index and sort them, which the planner rightly finds cheaper.
    for (const [view, q, sorts] of [
      ['every status', {}, false],
      ['every status, page 2', { before: 'cursor' }, false],
      ['resolved', { status: 'resolved' }, false],
      ['mine', { assignee: 'me' }, false],
      // Through its own index (migration 0039); the planners may sort this shop's 68 active rows, read through it as a bitmap
      // (inbox.across.test.ts reads 2,000 in its order).
      ['active', { status: 'active' }, true],
      ['urgent', { priority: 'urgent' }, true],
    ] as Array<[string, Partial<InboxQuery>, boolean]>) {
      it(`reads a page of ${view} through an index${sorts ? '' : ', backwards, with no sort'} and no sequential scan`, async () => {
        const first = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { limit: 50 }));
        const before = q.before ? cursorOf(first.at(-1)!) : undefined;
        const plan = await planOf(database, inboxQuery(database.db, shop.id, inboxFilter(meOf(actor(shop)), { ...q, before, limit: 51 })));
        const types = plan.map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''} ${p['Index Name'] ?? ''}`.trim());
        expect(types.filter((t) => (sorts ? /^Seq Scan/ : /^Seq Scan|^Sort|^Incremental Sort/).test(t)), types.join(' | ')).to.deep.equal([]);
        expect(types.some((t) => /^(Bitmap )?Index Scan .*conversations_shop_/.test(t)), types.join(' | ')).to.equal(true);
        if (view === 'active') expect(types.some((t) => /conversations_shop_active_idx/.test(t)), types.join(' | ')).to.equal(true);
      });
    }

    for (const [view, q] of [
      ['every status', {}],
      ['every status, page 2', { before: 'cursor' }],
      ['open', { status: 'open' }],
      ['tagged', { tag: '返品' }],
    ] as Array<[string, Partial<InboxQuery>]>) {
      it(`answers a page of ${view} with its details in one statement: the rows and details of the page read apart, through the same index`, async () => {
        const first = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { limit: 30 }));
        const f = inboxFilter(meOf(actor(shop)), { ...q, before: q.before ? cursorOf(first.at(-1)!) : undefined, limit: 31 });
        const rows = await listConversations(database.db, shop.id, f);
        const page = await listConversationPageJson(database.db, shop.id, f);
        expect(rows.length).to.be.greaterThan(0);
        // Each row as the DTO the process shapes from the rows and their details, and its cursor.
        expect(page.map((r) => JSON.parse(r.dto) as ConversationDto)).to.deep.equal(await conversationDtos(database.db, shop.id, rows, 'owner'));
        expect(page.map((r) => r.key)).to.deep.equal(rows.map((r) => `${r.updatedAt.toISOString()}|${r.id}`));
        const typesOf = async (x: SQLWrapper) => (await planOf(database, x)).map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''}`.trim());
        const sorts = (types: string[]) => types.filter((t) => /^Sort|^Incremental Sort/.test(t)).length;
        const alone = await typesOf(inboxQuery(database.db, shop.id, f));
        const types = await typesOf(detailedJsonQuery(inboxQuery(database.db, shop.id, f)));
        expect(types.filter((t) => t === 'Seq Scan conversations'), types.join(' | ')).to.deep.equal([]);
        // The view's plan as it is alone, inside; on top at most a sort of the page's own rows
        // (PostgreSQL sees that the page already comes in order and leaves it out).
        expect(types.join(' | '), `alone: ${alone.join(' | ')}`).to.include(alone.join(' | '));
        expect(sorts(types) - sorts(alone), types.join(' | ')).to.be.within(0, 1);
      });
    }

    it("shows as each row's preview the last message its customer can see, and its SLA clocks", async () => {
      const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { limit: 40 }));
      const details = await conversationDetails(database.db, rows);
      const byNumber = new Map(rows.map((r) => [r.number, r]));
      const preview = (n: number) => details.previews.get(byNumber.get(n)!.id);
      expect(preview(2995)).to.equal('また 2995');
      expect(preview(2996)).to.equal('返信 2996'); // a note last
      expect(preview(2997)).to.equal('返信 2997'); // a status event last
      expect(preview(2900 + 79)).to.equal(undefined); // no messages
      // Its clock started 50 minutes ago: at risk 2 minutes ago, due in 10.
      const sla = details.sla.get(byNumber.get(2997)!.id)!;
      expect(sla.state).to.equal('at_risk');
      expect(new Date(sla.dueAt!).getTime() - Date.now()).to.be.within(8 * 60_000, 10 * 60_000);
      expect(details.sla.get(byNumber.get(2998)!.id)).to.deep.equal({ state: 'none', dueAt: null });
      expect(details.customers.get(byNumber.get(2998)!.customerId)!.shopId).to.equal(shop.id);
      // The page the inbox answers shows the same.
      const page = (await listConversationPageJson(database.db, shop.id, inboxFilter(meOf(actor(shop)), { limit: 40 }))).map((r) => JSON.parse(r.dto) as ConversationDto);
      const dto = (n: number) => page.find((d) => d.number === n)!;
      expect([2995, 2996, 2997, 2979].map((n) => dto(n).lastMessagePreview)).to.deep.equal(['また 2995', '返信 2996', '返信 2997', null]);
      expect(dto(2997).sla).to.deep.equal(sla);
      expect(dto(2998).sla).to.deep.equal({ state: 'none', dueAt: null });
      expect(dto(2998).customer.id).to.equal(byNumber.get(2998)!.customerId);
    });

    it('lists several shops as one with their details in one statement, each row as its DTO with its own shop’s', async () => {
      const f = inboxFilter(meOf(actor(shop)), { limit: 41 });
      const rows = await inboxQueryAcross(database.db, [shop.id, other.id], f);
      const page = await listConversationPageAcross(database.db, [shop.id, other.id], f);
      expect(new Set(rows.map((r) => r.shopId))).to.deep.equal(new Set([shop.id, other.id]));
      // Each row as the DTO the process shapes from the rows and their details, its cursor's key and its shop.
      const details = await conversationDetails(database.db, rows, f.now);
      expect(page.map((r) => JSON.parse(r.dto) as ConversationDto)).to.deep.equal(rows.map((r) => toDto(r, details, 'owner')));
      expect(page.map((r) => r.key)).to.deep.equal(rows.map((r) => `${r.updatedAt.toISOString()}|${r.id}`));
      expect(page.map((r) => r.shop)).to.deep.equal(rows.map((r) => r.shopId));
    });

    it('lists several shops as one in one statement, newest first, each shop through its index', async () => {
      const f = inboxFilter(meOf(actor(shop)), { limit: 41 });
      const both = await inboxQueryAcross(database.db, [shop.id, other.id], f);
      const apart = [...(await listConversations(database.db, shop.id, f)), ...(await listConversations(database.db, other.id, f))]
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : -1))
        .slice(0, f.limit);
      expect(both.map((c) => c.id)).to.deep.equal(apart.map((c) => c.id));
      expect(both.every((c) => c.updatedAt instanceof Date)).to.equal(true);
      const plan = await planOf(database, inboxQueryAcross(database.db, [shop.id, other.id], f));
      const types = plan.map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''}`.trim());
      expect(types.filter((t) => t === 'Seq Scan conversations'), types.join(' | ')).to.deep.equal([]);
    });

    it('pages several shops as one through rows of one millisecond in both: each listed once, in the order of the shops read apart', async () => {
      const all = inboxFilter(meOf(actor(shop)), { limit: 40 });
      const apart = [...(await listConversations(database.db, shop.id, all)), ...(await listConversations(database.db, other.id, all))]
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : -1))
        .slice(0, 32);
      const paged: string[] = [];
      let before: string | undefined;
      for (let i = 0; i < 8; i++) {
        const page = (await inboxQueryAcross(database.db, [shop.id, other.id], inboxFilter(meOf(actor(shop)), { limit: 4, before }))).slice(0, 4);
        paged.push(...page.map((c) => c.id));
        before = cursorOf(page.at(-1)!);
      }
      expect(paged).to.deep.equal(apart.map((c) => c.id));
    });
  });
}
