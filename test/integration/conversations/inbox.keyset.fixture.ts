import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * A year of two shops' inboxes (inbox.keyset.test.ts, inbox.prepared.test.ts): in each, 3,000
 * conversations over a year, a few still going (statuses, priorities, an assignee, a tag by
 * number); then five in one millisecond and three stamped by the database's clock. The newest
 * have messages and some SLA clocks. Analyzed.
 */
export async function seedYearOfInbox(database: Database, shops: [TestShop, TestShop]): Promise<void> {
  for (const s of shops) {
    const customer = await aCustomer(database.db, s.id);
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
    update conversations set last_seq = case when number % 5 = 0 then 4 else 3 end where shop_id in (${shops[0]!.id}, ${shops[1]!.id}) and number > 2980`);
  await database.db.execute(sql`
    insert into messages (shop_id, conversation_id, seq, client_id, author_kind, author_name, kind, body, status_event)
    select c.shop_id, c.id, m.seq, 'k' || m.seq, m.author, 'someone', m.kind, m.body || ' ' || c.number, m.event
    from conversations c
    cross join lateral (values
      (1, 'customer', 'text', 'はじめまして', null::jsonb),
      (2, 'agent', 'text', '返信', null),
      (3, 'agent', case when c.number % 2 = 0 then 'note' else 'event' end, 'うちわの話', case when c.number % 2 = 0 then null else '{"to":"resolved"}'::jsonb end),
      (4, 'customer', 'text', 'また', null)) as m(seq, author, kind, body, event)
    where c.shop_id in (${shops[0]!.id}, ${shops[1]!.id}) and c.number > 2980 and m.seq <= c.last_seq`);
  await database.db.execute(sql`
    insert into sla_clocks (conversation_id, metric, shop_id, target_ms, at_risk_percent, started_at, running_since, at_risk_at, due_at)
    select c.id, 'first_response', c.shop_id, 3600000, 80, now() - interval '50 minutes', now() - interval '50 minutes', now() - interval '2 minutes', now() + interval '10 minutes'
    from conversations c where c.shop_id in (${shops[0]!.id}, ${shops[1]!.id}) and c.number > 2990 and c.number % 3 = 0`);
  await database.db.execute(sql`analyze conversations`);
}
