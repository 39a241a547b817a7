import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { type ConversationRow } from '../../../server/domains/conversations/conversations.repository.ts';
import { conversationDetails } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import { readFileSync } from 'node:fs';
import { saveClock, slaStateCondition, type SlaFilterState } from '../../../server/domains/sla/sla.repository.ts';
import { summarizeClocks } from '../../../server/domains/sla/sla.service.ts';
import { slaClocks } from '../../../server/domains/sla/sla.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

type Clock = typeof slaClocks.$inferInsert;

/**
 * A list's SLA badge is read from the summary of the clocks a trigger keeps on the conversation's
 * row (migration 0036; slaBadgeJsonSql, read with the page's details); the rules live in
 * JavaScript too (summarizeClocks, clockState). Over every shape a clock takes, after every kind
 * of change to the clocks, both must give the same state and due time, and the inbox's SLA
 * filter must put each row under the state its badge shows.
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
      'paused, its at-risk alert fired': [{ ...base('resolution'), elapsedMs: 600_000, atRiskFiredAt: at(-20) }],
      'paused, breached in this cycle': [{ ...base('resolution'), elapsedMs: 600_000, breachedAt: at(-20) }],
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

    /** Each case's badge as a list reads it, against the JavaScript rules over its clocks as they are; and the SLA filter's rows per state. */
    async function expectBadgesAsTheRulesSay(when: string, later = 0) {
      const moment = new Date(now + later * 60_000);
      const all = [...rows.values()];
      const details = await conversationDetails(database.db, all, moment);
      const clocks = await database.db.select().from(slaClocks).where(sql`${slaClocks.shopId} = ${shop.id}`);
      const js = summarizeClocks(all.map((r) => r.id), clocks, moment);
      for (const [name, r] of rows) {
        const want = js.get(r.id)!;
        expect(details.sla.get(r.id), `${when}: ${name}`).to.deep.equal({ state: want.state, dueAt: want.dueAt });
      }
      for (const state of ['none', 'ok', 'at_risk', 'breached'] as SlaFilterState[]) {
        const filtered = await database.db
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.shopId, shop.id), slaStateCondition(state, moment)));
        const want = all.filter((r) => js.get(r.id)!.state === state).map((r) => r.id);
        expect(filtered.map((f) => f.id).sort(), `${when}: the filter for ${state}`).to.deep.equal(want.sort());
      }
      return details;
    }

    it('gives, for every shape of clocks, the state and due time the JavaScript rules give', async () => {
      const details = await expectBadgesAsTheRulesSay('as inserted');
      // The cases cover every state.
      expect(new Set([...details.sla.values()].map((s) => s.state))).to.deep.equal(new Set(['none', 'ok', 'at_risk', 'breached']));
    });

    it('reads the stored summary at the moment of each request: the same clocks, later, say more', async () => {
      // Nothing is written in between: time alone moves a clock to at risk, then to breached.
      for (const later of [4, 12, 25, 240]) await expectBadgesAsTheRulesSay(`${later} minutes later`, later);
      const breached = async (later: number) =>
        [...(await conversationDetails(database.db, [...rows.values()], new Date(now + later * 60_000))).sla.values()].filter((s) => s.state === 'breached').length;
      expect(await breached(240)).to.be.greaterThan((await breached(0)) + 3);
    });

    it('follows each change of the clocks: a clock started, met, alerted, moved or removed, and an upsert', async () => {
      const id = (name: string) => rows.get(name)!.id;
      const clock = (name: string, metric: Clock['metric']) => and(eq(slaClocks.conversationId, id(name)), eq(slaClocks.metric, metric));
      // Started where there was none, and restarted over a met one: the upsert the service saves clocks with.
      await saveClock(database.db, { ...running('first_response', 2, 9), conversationId: id('no clock'), shopId: shop.id });
      await saveClock(database.db, { ...running('first_response', -3, 9), conversationId: id('met only'), shopId: shop.id });
      // Alerted, met, moved on.
      await database.db.update(slaClocks).set({ atRiskFiredAt: at(-1) }).where(clock('running, ok', 'first_response'));
      await database.db.update(slaClocks).set({ metAt: at(-1) }).where(clock('at risk by the time', 'first_response'));
      await database.db.update(slaClocks).set({ dueAt: at(-1) }).where(clock('breached and ok, due soonest is the ok one', 'resolution'));
      await database.db.update(slaClocks).set({ runningSince: at(-1), atRiskAt: at(-2), dueAt: at(4) }).where(clock('paused: no due time, ok', 'resolution'));
      // Removed: one of three, and every clock of a conversation in one statement.
      await database.db.delete(slaClocks).where(clock('three metrics', 'first_response'));
      await database.db.delete(slaClocks).where(eq(slaClocks.conversationId, id('worst of two, soonest due of two')));
      // Several conversations in one statement.
      await database.db.update(slaClocks).set({ breachedAt: at(-1) }).where(and(eq(slaClocks.shopId, shop.id), eq(slaClocks.metric, 'resolution'), sql`${slaClocks.metAt} is null`));
      await expectBadgesAsTheRulesSay('after the changes');
    });

    it("fills in the summary of clocks that were there before the trigger (migration 0036's backfill)", async () => {
      // The migration's last statement, run on the rows as they would have been before it.
      const migration = readFileSync(new URL('../../../server/core/db/migrations/0036_sla_badge_columns.sql', import.meta.url), 'utf8');
      const backfill = migration.split('--> statement-breakpoint').at(-1)!;
      expect(backfill).to.match(/^\s*(--[^\n]*\n)*SELECT conversation_sla_refresh\(/);
      await database.db.execute(sql`update conversations set sla_open = false, sla_due_at = null, sla_at_risk_from = null, sla_breached_from = null where shop_id = ${shop.id}`);
      const cleared = await conversationDetails(database.db, [...rows.values()]);
      expect([...cleared.sla.values()].map((s) => s.state)).to.satisfy((states: string[]) => states.every((s) => s === 'none'));
      await database.db.execute(sql.raw(backfill));
      await expectBadgesAsTheRulesSay('after the backfill');
    });

    it('lets a conversation with clocks be deleted', async () => {
      const gone = rows.get('three metrics')!;
      await database.db.delete(conversations).where(eq(conversations.id, gone.id));
      rows.delete('three metrics');
      await expectBadgesAsTheRulesSay('after a deletion');
    });
  });
}
