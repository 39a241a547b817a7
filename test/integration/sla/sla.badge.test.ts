import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { conversationDetails, type ConversationRow } from '../../../server/domains/conversations/conversations.repository.ts';
import { conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import { summarizeClocks } from '../../../server/domains/sla/sla.service.ts';
import { slaClocks } from '../../../server/domains/sla/sla.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

type Clock = typeof slaClocks.$inferInsert;

/**
 * A list's SLA badge is summed up in SQL (slaBadgeJsonSql, read with the page's details); the
 * rules live in JavaScript too (summarizeClocks, clockState). Over every shape a clock takes,
 * both must give the same state and due time.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the SLA badge of a list's rows, summed up in SQL`, function () {
    this.timeout(30_000);
    let database: Database;
    let shop: TestShop;
    const now = Date.now();
    const at = (minutes: number) => new Date(now + minutes * 60_000);
    const base = (metric: Clock['metric']): Omit<Clock, 'conversationId' | 'shopId'> => ({ metric, targetMs: 3_600_000, atRiskPercent: 80, startedAt: at(-50) });
    const running = (metric: Clock['metric'], riskIn: number, dueIn: number) => ({ ...base(metric), runningSince: at(-50), atRiskAt: at(riskIn), dueAt: at(dueIn) });
    // Each case: the clocks of one conversation.
    const cases: Record<string, Array<Omit<Clock, 'conversationId' | 'shopId'>>> = {
      'no clock': [],
      'met only': [{ ...base('first_response'), metAt: at(-40) }],
      'running, ok': [running('first_response', 5, 20)],
      'at risk by the time': [running('first_response', -1, 20)],
      'at risk by the fired mark, before its time': [{ ...running('first_response', 5, 20), atRiskFiredAt: at(-1) }],
      'breached by the time': [running('first_response', -20, -1)],
      'breached by the mark in this cycle': [{ ...running('first_response', 5, 20), breachedAt: at(-2) }],
      'a breach mark from an earlier cycle does not count': [{ ...running('first_response', 5, 20), breachedAt: at(-55) }],
      'paused: no due time, ok': [{ ...base('resolution'), elapsedMs: 600_000 }],
      'a met breach is met': [{ ...base('first_response'), breachedAt: at(-10), metAt: at(-5) }],
      'worst of two, soonest due of two': [running('first_response', -1, 30), running('resolution', 10, 15)],
      'breached and ok, due soonest is the ok one': [running('first_response', -30, -2), { ...running('resolution', 1, 3) }],
      'met and running': [{ ...base('first_response'), metAt: at(-45) }, running('resolution', 100, 200)],
      'three metrics': [running('first_response', -5, 2), running('next_response', 3, 7), { ...base('resolution'), metAt: at(-1) }],
    };
    const rows = new Map<string, ConversationRow>();

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      const customer = await aCustomer(database.db, shop.id);
      let number = 0;
      for (const [name, clocks] of Object.entries(cases)) {
        const [c] = await database.db.insert(conversations).values({ shopId: shop.id, number: ++number, customerId: customer.id, channel: 'chat' }).returning();
        rows.set(name, c!);
        if (clocks.length) await database.db.insert(slaClocks).values(clocks.map((k) => ({ ...k, conversationId: c!.id, shopId: shop.id })));
      }
    });
    after(() => database?.close());

    it('gives, for every shape of clocks, the state and due time the JavaScript rules give', async () => {
      const all = [...rows.values()];
      const details = await conversationDetails(database.db, all);
      const clocks = await database.db.select().from(slaClocks).where(sql`${slaClocks.shopId} = ${shop.id}`);
      const js = summarizeClocks(all.map((r) => r.id), clocks);
      for (const [name, r] of rows) {
        const want = js.get(r.id)!;
        expect(details.sla.get(r.id), name).to.deep.equal({ state: want.state, dueAt: want.dueAt });
      }
      // The cases cover every state.
      expect(new Set([...details.sla.values()].map((s) => s.state))).to.deep.equal(new Set(['none', 'ok', 'at_risk', 'breached']));
    });
  });
}
