import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import type { ConversationDto, InboxPage, MyQueuePage } from '../../../server/domains/conversations/conversations.dto.ts';
import { conversationDtos, cursorOf, getConversation, inboxFilter, meOf, listInbox, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { listMyQueue } from '../../../server/domains/conversations/conversations.myqueue.ts';
import { conversationView, inboxPage, myQueuePage } from '../../../server/domains/conversations/conversations.schema.ts';
import { type MessageRow } from '../../../server/domains/conversations/conversations.repository.ts';
import { listConversationPageJson, listConversations } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { previewText, toActivity } from '../../../server/domains/conversations/conversations.view.ts';
import type { Role } from '../../../server/domains/shops/shops.tables.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';

/**
 * An inbox page is built by PostgreSQL as JSON (detailedJsonQuery) and sent on as it is; a
 * single conversation, a broadcast and all my shops are shaped in the process
 * (toConversationDto). The two must give the same DTO for every kind of row: times with
 * microseconds, nulls, tags, names JSON must escape, previews cut inside an emoji, each SLA
 * state, and contact data masked for a contractor.
 */
const EMOJI_CUT = `${'あ'.repeat(139)}😀${'い'.repeat(5)}`;

for (const kind of dbKinds) {
  describe(`[${kind}] an inbox page built by PostgreSQL, against the DTOs the process shapes`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    const actor = (role: Role): Actor => ({ kind: 'user', shopId: shop.id, userId: shop.people[role].id, name: role, role });

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      const db = database.db;
      await db.execute(sql`
        insert into customers (shop_id, name, email, verified, external_id, created_at)
        values (${shop.id}, '田中 "太郎" \\ 😀', 'taro.tanaka@example.co.jp', true, 'ext-1', timestamptz '2026-03-01 10:00:00.123999+09'),
               (${shop.id}, E'tab\\there\\nline', null, false, null, now())`);
      const [c1, c2] = ((await db.execute(sql`select id from customers where shop_id = ${shop.id} order by created_at`)) as unknown as { rows: Array<{ id: string }> }).rows;
      // Conversations of every shape: assigned or not, tags, snoozed, resolved, answered, with
      // times the database stamped (microseconds) and times given with microseconds.
      await db.execute(sql`
        insert into conversations (shop_id, number, customer_id, channel, subject, order_number, status, priority, tags, assignee_id, awaiting_assignment,
                                   last_seq, customer_read_seq, agent_read_seq, snoozed_until, last_message_at, first_response_at, resolved_at, created_at, updated_at)
        values
          (${shop.id}, 1, ${c1!.id}, 'chat', null, null, 'open', 'normal', '{}', null, true, 0, 0, 0, null, null, null, null, now(), now()),
          (${shop.id}, 2, ${c1!.id}, 'email', '配送の "遅れ" について', 'A-1001', 'snoozed', 'urgent', array['返品', 'a"b', 'c\\d'], ${shop.people.agent.id}, false,
             3, 1, 2, timestamptz '2026-12-24 09:00:00.999999+09', timestamptz '2026-12-01 12:00:00.000500+09', timestamptz '2026-12-01 12:05:00+09', null,
             timestamptz '2026-11-30 23:59:59.999999+09', timestamptz '2026-12-01 12:00:00.001+09'),
          (${shop.id}, 3, ${c2!.id}, 'api', 'ギフト', null, 'resolved', 'low', array['vip'], ${shop.people.owner.id}, false,
             2, 2, 2, null, now(), now(), now(), now() - interval '1 day', now() - interval '1 hour'),
          (${shop.id}, 4, ${c2!.id}, 'chat', null, null, 'pending', 'high', '{}', null, false, 0, 0, 0, null, null, null, null, now(), now() - interval '2 hours'),
          (${shop.id}, 5, ${c1!.id}, 'chat', null, null, 'waiting_merchant', 'normal', '{}', null, false, 0, 0, 0, null, null, null, null, now(), now() - interval '3 hours'),
          (${shop.id}, 6, ${c1!.id}, 'chat', null, null, 'open', 'normal', '{}', null, false, 0, 0, 0, null, null, null, null, now(), now() - interval '4 hours')`);
      // Previews: the last message the customer can see, cut inside an emoji; a note after it.
      await db.execute(sql`
        insert into messages (shop_id, conversation_id, seq, client_id, author_kind, author_name, kind, body)
        select c.shop_id, c.id, m.seq, 'k' || m.seq, m.author, 'someone', m.kind, m.body
        from conversations c cross join lateral (values
          (1, 'customer', 'text', 'はじめまして'), (2, 'customer', 'text', ${EMOJI_CUT}), (3, 'agent', 'note', 'うちわの話')) as m(seq, author, kind, body)
        where c.shop_id = ${shop.id} and c.number = 2 and m.seq <= c.last_seq`);
      await db.execute(sql`
        insert into messages (shop_id, conversation_id, seq, client_id, author_kind, author_name, kind, body)
        select c.shop_id, c.id, m.seq, 'k' || m.seq, 'agent', 'someone', 'text', m.body
        from conversations c cross join lateral (values (1, 'ありがとうございました'), (2, 'またどうぞ')) as m(seq, body)
        where c.shop_id = ${shop.id} and c.number = 3`);
      // SLA clocks: breached (fired, and by the time alone), at risk, running fine, met (no badge).
      await db.execute(sql`
        insert into sla_clocks (conversation_id, metric, shop_id, target_ms, at_risk_percent, started_at, running_since, at_risk_at, due_at, breached_at, met_at)
        select c.id, m.metric, c.shop_id, 3600000, 80, now() - m.started, now() - m.started, now() - m.started + interval '48 minutes', now() - m.started + interval '60 minutes',
               case when m.fired then now() - m.started + interval '60 minutes' end, case when m.met then now() end
        from conversations c join (values
          (1, 'first_response', interval '70 minutes', true, false),
          (2, 'first_response', interval '61 minutes', false, false), (2, 'next_response', interval '5 minutes', false, false),
          (4, 'first_response', interval '50 minutes', false, false),
          (5, 'first_response', interval '10 minutes', false, false), (5, 'resolution', interval '1 minute', false, false),
          (6, 'first_response', interval '30 minutes', false, true)) as m(n, metric, started, fired, met) on m.n = c.number
        where c.shop_id = ${shop.id}`);
    });
    after(() => database?.close());

    const jsonPage = async (q: Partial<InboxQuery> = {}) => {
      const f = inboxFilter(meOf(actor('owner')), { limit: 50, ...q });
      return { f, dtos: (await listConversationPageJson(database.db, shop.id, f)).map((r) => JSON.parse(r.dto) as ConversationDto) };
    };

    it('gives, for every kind of row, the DTO the process shapes from the rows and their details', async () => {
      const { f, dtos } = await jsonPage();
      const rows = await listConversations(database.db, shop.id, f);
      expect(dtos.map((d) => d.number)).to.deep.equal([1, 3, 4, 5, 6, 2]);
      expect(dtos).to.deep.equal(await conversationDtos(database.db, shop.id, rows, 'owner'));
      // What the rows hold, so the comparison is not between two empty answers.
      const byNumber = new Map(dtos.map((d) => [d.number, d]));
      expect([1, 2, 3, 4, 5, 6].map((n) => byNumber.get(n)!.sla.state)).to.deep.equal(['breached', 'breached', 'none', 'at_risk', 'ok', 'none']);
      expect(byNumber.get(2)!.tags).to.deep.equal(['返品', 'a"b', 'c\\d']);
      expect(byNumber.get(2)!.createdAt).to.equal('2026-11-30T14:59:59.999Z');
      expect(byNumber.get(2)!.snoozedUntil).to.equal('2026-12-24T00:00:00.999Z');
      expect(byNumber.get(2)!.assignee).to.deep.equal({ id: shop.people.agent.id, name: shop.people.agent.name });
      expect(byNumber.get(1)!.customer).to.deep.include({ name: '田中 "太郎" \\ 😀', email: 'taro.tanaka@example.co.jp', externalId: 'ext-1', verified: true });
      expect(byNumber.get(3)!.customer.name).to.equal('tab\there\nline');
      expect(byNumber.get(3)!.lastMessagePreview).to.equal('またどうぞ');
      expect(byNumber.get(1)!.lastMessagePreview).to.equal(null);
    });

    it('cuts a preview where a live row cuts it: at 140 characters, never inside an emoji', async () => {
      const { dtos } = await jsonPage();
      const preview = dtos.find((d) => d.number === 2)!.lastMessagePreview!;
      expect(Array.from(preview)).to.have.length(140);
      expect(preview.endsWith('😀')).to.equal(true);
      expect(preview).to.equal(previewText(EMOJI_CUT));
      const [row] = await listConversations(database.db, shop.id, inboxFilter(meOf(actor('owner')), { limit: 1, q: '#2' }));
      const activity = toActivity(row!, { kind: 'text', statusEvent: null, body: EMOJI_CUT } as MessageRow);
      expect(activity.lastMessagePreview).to.equal(preview);
    });

    it('masks contact data for a contractor, as everywhere else, and only for a contractor', async () => {
      for (const role of ['owner', 'staff', 'agent', 'contractor'] as const) {
        const page = JSON.parse((await listInbox(database.db, actor(role), { limit: 50 })).text) as InboxPage;
        const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(role)), { limit: 50 }));
        expect(page.conversations, role).to.deep.equal(await conversationDtos(database.db, shop.id, rows, role));
        const c1 = page.conversations.find((d) => d.number === 1)!.customer;
        expect(c1.email, role).to.equal(role === 'contractor' ? 't***@e***.jp' : 'taro.tanaka@example.co.jp');
        expect(c1.externalId, role).to.equal(role === 'contractor' ? null : 'ext-1');
        expect(JSON.stringify(page).includes('taro.tanaka'), role).to.equal(role !== 'contractor');
        // The API reference's schema (strict: no field more, none less) fits the real answer.
        inboxPage.parse(page);
      }
      // A masked row replaces only its customer, found by the text PostgreSQL wrote for it (dtoJsonFor): so it is, in every row.
      for (const r of await listConversationPageJson(database.db, shop.id, inboxFilter(meOf(actor('owner')), { limit: 50 }))) {
        expect(r.dto, r.customer).to.include(`"customer":${r.customer}`);
        expect(JSON.parse(r.customer)).to.deep.equal((JSON.parse(r.dto) as ConversationDto).customer);
      }
    });

    it("fits the API reference's schemas: a page, all my shops, one conversation", async () => {
      const page = JSON.parse((await listInbox(database.db, actor('owner'), { limit: 50 })).text) as InboxPage;
      expect(page.conversations).to.have.length(6);
      expect(inboxPage.safeParse(page).error?.issues ?? []).to.deep.equal([]);
      const mine = JSON.parse((await listMyQueue(database.db, { userId: shop.people.contractor.id, name: 'c' }, { limit: 50 })).text) as MyQueuePage;
      expect(mine.conversations).to.have.length(6);
      expect(myQueuePage.safeParse(mine).error?.issues ?? []).to.deep.equal([]);
      const one = await getConversation(database.db, actor('agent'), page.conversations[1]!.id);
      expect(conversationView.safeParse(one).error?.issues ?? []).to.deep.equal([]);
      // A field the schema does not know is refused, so the schema cannot fall behind the DTO unseen.
      expect(conversationView.safeParse({ ...one, extra: 1 }).success).to.equal(false);
    });

    it('pages with the cursor the process would make, for a masked viewer too, and answers an API key unmasked', async () => {
      for (const role of ['owner', 'contractor'] as const) {
        const first = JSON.parse((await listInbox(database.db, actor(role), { limit: 4 })).text) as InboxPage;
        expect(first.conversations.map((d) => d.number), role).to.deep.equal([1, 3, 4, 5]);
        const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(role)), { limit: 4 }));
        expect(first.next, role).to.equal(cursorOf(rows[3]!));
        const second = JSON.parse((await listInbox(database.db, actor(role), { limit: 4, before: first.next! })).text) as InboxPage;
        const rest = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(role)), { limit: 4, before: first.next! }));
        expect(second, role).to.deep.equal({ conversations: await conversationDtos(database.db, shop.id, rest, role), next: null });
        expect(second.conversations.map((d) => d.number), role).to.deep.equal([6, 2]);
      }
      const apiKey: Actor = { kind: 'api_key', shopId: shop.id, keyId: 'k', name: 'key' };
      const viaKey = JSON.parse((await listInbox(database.db, apiKey, { limit: 50 })).text) as InboxPage;
      const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(apiKey), { limit: 50 }));
      expect(viaKey.conversations).to.deep.equal(await conversationDtos(database.db, shop.id, rows, 'api_key'));
      expect(viaKey.conversations.find((d) => d.number === 1)!.customer.email).to.equal('taro.tanaka@example.co.jp');
    });

    it('answers a search and an SLA filter through the same JSON', async () => {
      for (const q of [{ q: 'ギフト' }, { q: '#2' }, { sla: 'breached' }, { sla: 'at_risk' }] as Array<Partial<InboxQuery>>) {
        const page = JSON.parse((await listInbox(database.db, actor('agent'), { limit: 50, ...q })).text) as InboxPage;
        const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor('agent')), { limit: 50, ...q }));
        expect(rows.length, JSON.stringify(q)).to.be.greaterThan(0);
        expect(page.conversations, JSON.stringify(q)).to.deep.equal(await conversationDtos(database.db, shop.id, rows, 'agent'));
      }
    });
  });
}
