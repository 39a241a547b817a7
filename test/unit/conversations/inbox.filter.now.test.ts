import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { inboxFilter, meOf } from '../../../server/domains/conversations/conversations.inbox.ts';
import { detailedJsonQuery } from '../../../server/domains/conversations/conversations.list.repository.ts';

/**
 * An inbox filtered by SLA state shows each row with the badge it was filtered by: the filter
 * and the badges are taken at one moment, the filter's `now`, not at two readings of the clock
 * (the search's probes can run between them).
 */
describe('the inbox filter: one moment for the SLA filter and the badges', () => {
  const dialect = new PgDialect();
  const actor = { kind: 'user' as const, shopId: '00000000-0000-4000-8000-000000000001', userId: '00000000-0000-4000-8000-000000000002', name: 'agent', role: 'agent' as const };

  it('makes the SLA condition at the filter’s now, and the page’s badges take the same now', async () => {
    const f = inboxFilter(meOf(actor), { sla: 'breached', limit: 50 });
    expect(f.now).to.be.instanceOf(Date);
    const at = f.now!.toISOString();
    expect(dialect.sqlToQuery(f.ids!).params).to.include(at);
    // A moment later the clock reads otherwise; the badges still take the filter's.
    await new Promise((r) => setTimeout(r, 5));
    expect(dialect.sqlToQuery(detailedJsonQuery(sql`select 1`, f.now)).params).to.include(at);
  });
});
