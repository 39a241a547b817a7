import { expect } from 'chai';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { DomainBus, type DomainEvents } from '../../../server/core/bus.ts';
import type { Database, Db } from '../../../server/core/db/client.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { DomainEvent, EventName } from '../../../server/events/catalog.ts';
import type { EventSink } from '../../../server/events/commit.ts';
import { conversationDetails } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { conversations, customers, type ConversationStatus, type Priority } from '../../../server/domains/conversations/conversations.tables.ts';
import { insertPolicy, upsertBusinessHours } from '../../../server/domains/sla/sla.repository.ts';
import {
  applySlaEvent,
  runSlaCheck,
  slaCompliance,
  slaStateCondition,
  slaSummary,
  type SlaEventInput,
  type SlaState,
} from '../../../server/domains/sla/sla.service.ts';
import { slaClocks, type WeeklyHours } from '../../../server/domains/sla/sla.tables.ts';
import { dbKinds } from '../../helpers/env.ts';
import { testDatabase } from '../../helpers/db.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';

const M = 60_000;
const allDay: Array<[string, string]> = [['00:00', '24:00']];
const always: WeeklyHours = { '0': allDay, '1': allDay, '2': allDay, '3': allDay, '4': allDay, '5': allDay, '6': allDay };

for (const kind of dbKinds) {
  describe(`[${kind}] SLA clocks and timers`, () => {
    let database: Database;
    let db: Db;
    let shop: TestShop;
    let number = 0;

    before(async () => {
      database = await testDatabase(kind);
      db = database.db;
      shop = await makeShop(database);
      // Open around the clock, so due moments are plain wall time in these tests.
      await upsertBusinessHours(db, shop.id, { weekly: always, observeJpHolidays: false, closedDates: [] });
      await insertPolicy(db, { shopId: shop.id, name: '標準', priority: null, firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 600 });
      await insertPolicy(db, { shopId: shop.id, name: '至急', priority: 'urgent', firstResponseMinutes: 15, resolutionMinutes: 120, atRiskPercent: 50 });
    });
    after(() => database.close());

    /** A conversation row made directly: the conversation service is not what is under test. */
    async function aConversation(s: TestShop = shop, priority: Priority = 'normal'): Promise<string> {
      const [customer] = await db.insert(customers).values({ shopId: s.id, name: '山田 花子', email: 'hanako@example.jp' }).returning();
      const [c] = await db
        .insert(conversations)
        .values({ shopId: s.id, number: ++number, customerId: customer!.id, channel: 'chat', priority })
        .returning();
      return c!.id;
    }

    const apply = (conversationId: string, event: SlaEventInput['event'], at: Date, status: ConversationStatus = 'open', priority: Priority = 'normal') =>
      db.transaction((tx) => applySlaEvent(tx, { shopId: shop.id, conversationId, priority, at, event, status }));

    const timers = (conversationId: string) =>
      db
        .select()
        .from(outbox)
        .where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, 'sla.check')))
        .orderBy(asc(outbox.id))
        .then((rows) => rows.filter((r) => r.payload.conversationId === conversationId));

    const clock = (conversationId: string, metric: string) =>
      db
        .select()
        .from(slaClocks)
        .where(eq(slaClocks.conversationId, conversationId))
        .then((rows) => rows.find((r) => r.metric === metric)!);

    function nextEvent<E extends keyof DomainEvents>(bus: DomainBus, name: E): Promise<DomainEvents[E]> {
      return new Promise((done) => bus.on(name, done));
    }
    function nextDomainEvent<N extends EventName>(bus: DomainBus, names: N[]): Promise<DomainEvent<N>> {
      return new Promise((done) => bus.onEvent(names, done));
    }
    /** Where the check's commit goes on: the bus the test listens to (no dispatcher here). */
    const sinkOf = (bus = new DomainBus()): EventSink => ({ poke: () => undefined, bus, timing: { replyMailDelayMs: 60_000 } });

    it('starts the clocks of the default policy on creation and writes an at-risk and a breach timer for each', async () => {
      const id = await aConversation();
      const at = new Date();
      await apply(id, 'created', at);
      const first = await clock(id, 'first_response');
      expect(first.targetMs).to.equal(60 * M);
      expect(first.version).to.equal(1);
      expect(first.dueAt!.getTime()).to.equal(at.getTime() + 60 * M);
      const rows = await timers(id);
      expect(rows.map((r) => [r.payload.metric, r.payload.kind, r.payload.version])).to.have.deep.members([
        ['first_response', 'at_risk', 1],
        ['first_response', 'breach', 1],
        ['resolution', 'at_risk', 1],
        ['resolution', 'breach', 1],
      ]);
      const breach = rows.find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'breach')!;
      expect(breach.runAt!.getTime()).to.equal(first.dueAt!.getTime());
      expect(breach.dedupeKey).to.equal(`sla:${id}:first_response:1:breach`);
      expect(breach.payload.shopId).to.equal(shop.id);
      const atRisk = rows.find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'at_risk')!;
      expect(atRisk.runAt!.getTime()).to.equal(at.getTime() + 48 * M);
    });

    it("uses the priority's own policy over the default one", async () => {
      const id = await aConversation(shop, 'urgent');
      const at = new Date();
      await apply(id, 'created', at, 'open', 'urgent');
      const first = await clock(id, 'first_response');
      expect(first.targetMs).to.equal(15 * M);
      expect(first.atRiskAt!.getTime()).to.equal(at.getTime() + Math.ceil(7.5 * M));
    });

    it('fires a breach once: marks the clock, says sla.breached with the change, on the bus after the commit, and ignores a replay', async () => {
      const id = await aConversation();
      const at = new Date(Date.now() - 2 * 3_600_000);
      await apply(id, 'created', at);
      const breach = (await timers(id)).find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'breach')!;
      const bus = new DomainBus();
      const alert = nextDomainEvent(bus, ['sla.at_risk', 'sla.breached']);
      const changed = nextEvent(bus, 'conversation.changed');
      expect(await runSlaCheck(db, sinkOf(bus), breach.payload)).to.equal('fired');
      const said = await alert;
      expect(said.name).to.equal('sla.breached');
      expect(said.payload).to.deep.equal({ shopId: shop.id, conversationId: id, metric: 'first_response', dueAt: new Date(at.getTime() + 60 * M).toISOString() });
      expect((await changed).conversationId).to.equal(id);
      expect((await clock(id, 'first_response')).breachedAt!.getTime()).to.equal(at.getTime() + 60 * M);
      expect(await runSlaCheck(db, sinkOf(bus), breach.payload)).to.equal('stale');
    });

    /** The conversation's badge as a list shows it, and whether the inbox's filter for that state finds it. */
    async function badgeOf(id: string) {
      const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
      const badge = (await conversationDetails(db, [row!])).sla.get(id)!;
      const filtered = await db.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.id, id), slaStateCondition(badge.state)));
      expect(filtered, `the filter for ${badge.state}`).to.have.length(1);
      return badge;
    }

    it("shows a fired alert on the conversation's badge before its time has come, and a met clock's badge as none", async () => {
      const id = await aConversation();
      const at = new Date(Date.now() - 10 * M);
      await apply(id, 'created', at);
      // First response due 60 min after it began (at risk at 48): neither has come.
      const due = new Date(at.getTime() + 60 * M).toISOString();
      expect(await badgeOf(id)).to.deep.equal({ state: 'ok', dueAt: due });
      const mine = await timers(id);
      const atRisk = mine.find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'at_risk')!;
      expect(await runSlaCheck(db, sinkOf(), atRisk.payload)).to.equal('fired');
      expect(await badgeOf(id)).to.deep.equal({ state: 'at_risk', dueAt: due });
      const breach = mine.find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'breach')!;
      expect(await runSlaCheck(db, sinkOf(), breach.payload)).to.equal('fired');
      expect(await badgeOf(id)).to.deep.equal({ state: 'breached', dueAt: due });
      // The reply meets the first response; the resolution clock (600 min) is still running.
      await apply(id, 'agent_reply', new Date());
      expect(await badgeOf(id)).to.deep.equal({ state: 'ok', dueAt: new Date(at.getTime() + 600 * M).toISOString() });
      await apply(id, 'status_changed', new Date(), 'resolved');
      expect(await badgeOf(id)).to.deep.equal({ state: 'none', dueAt: null });
    });

    it("never deadlocks: an alert's timer and a reply change one conversation's clocks at the same time", async function () {
      // Both lock the conversation before its clocks: the alert rewrites the conversation's SLA
      // summary (a trigger), so a timer that locked the clock first could wait for a reply that
      // waits for it.
      const ids = await Promise.all(Array.from({ length: 12 }, () => aConversation()));
      for (const id of ids) await apply(id, 'created', new Date(Date.now() - 10 * M));
      const checks = await Promise.all(ids.map(async (id) => (await timers(id)).find((r) => r.payload.metric === 'first_response' && r.payload.kind === 'at_risk')!));
      const settled = await Promise.allSettled(ids.flatMap((id, i) => [runSlaCheck(db, sinkOf(), checks[i]!.payload), apply(id, 'agent_reply', new Date())]));
      expect(settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
      // Whichever came first, the reply met the first response: the resolution clock is what is left.
      for (const id of ids) expect((await badgeOf(id)).state).to.equal('ok');
    });

    it('ignores a timer set before the clock changed: after a reply, and after a pause', async () => {
      const replied = await aConversation();
      await apply(replied, 'created', new Date(Date.now() - 10 * M));
      const old = (await timers(replied)).find((r) => r.payload.metric === 'first_response');
      await apply(replied, 'agent_reply', new Date());
      expect(await runSlaCheck(db, sinkOf(), old!.payload)).to.equal('stale');

      const paused = await aConversation();
      await apply(paused, 'created', new Date(Date.now() - 10 * M));
      const before = (await timers(paused)).find((r) => r.payload.metric === 'resolution' && r.payload.kind === 'at_risk')!;
      await apply(paused, 'status_changed', new Date(), 'waiting_merchant');
      const resolution = await clock(paused, 'resolution');
      expect(resolution.runningSince).to.equal(null);
      expect(resolution.version).to.equal(2);
      expect(await runSlaCheck(db, sinkOf(), before.payload)).to.equal('stale');
      expect(resolution.atRiskFiredAt).to.equal(null);
      // Paused clocks set no timers; resuming sets new ones under the new version.
      expect((await timers(paused)).filter((r) => r.payload.version === 2)).to.have.length(0);
      await apply(paused, 'status_changed', new Date(), 'open');
      expect((await timers(paused)).filter((r) => r.payload.version === 3).map((r) => r.payload.metric)).to.include('resolution');
    });

    it('fires at-risk and breach for the same clock version, each once', async () => {
      const id = await aConversation();
      await apply(id, 'created', new Date(Date.now() - 5 * M));
      const mine = (await timers(id)).filter((r) => r.payload.metric === 'resolution');
      const bus = new DomainBus();
      const states: string[] = [];
      bus.onEvent(['sla.at_risk', 'sla.breached'], (e) => void states.push(e.name));
      expect(await runSlaCheck(db, sinkOf(bus), mine.find((r) => r.payload.kind === 'at_risk')!.payload)).to.equal('fired');
      expect(await runSlaCheck(db, sinkOf(bus), mine.find((r) => r.payload.kind === 'at_risk')!.payload)).to.equal('stale');
      expect(await runSlaCheck(db, sinkOf(bus), mine.find((r) => r.payload.kind === 'breach')!.payload)).to.equal('fired');
      await new Promise((r) => setImmediate(r));
      expect(states).to.deep.equal(['sla.at_risk', 'sla.breached']);
    });

    it('refuses a malformed timer payload for good (a DomainError) and a conversation of another shop', async () => {
      let err: unknown;
      await runSlaCheck(db, sinkOf(), { conversationId: 'nope' }).catch((e) => (err = e));
      expect(err).to.have.property('code', 'invalid_input');
      const other = await makeShop(database);
      const theirs = await aConversation(other);
      err = undefined;
      await apply(theirs, 'created', new Date()).catch((e) => (err = e));
      expect(err).to.have.property('code', 'not_found');
      expect(await db.select().from(slaClocks).where(eq(slaClocks.conversationId, theirs))).to.have.length(0);
    });

    it('gives the inbox a state per conversation, and the SQL filter agrees with it', async () => {
      const now = Date.now();
      const none = await aConversation();
      const ok = await aConversation();
      const atRisk = await aConversation();
      const breached = await aConversation();
      const answered = await aConversation();
      await apply(ok, 'created', new Date(now - 5 * M));
      await apply(atRisk, 'created', new Date(now - 50 * M));
      await apply(breached, 'created', new Date(now - 700 * M));
      await apply(answered, 'created', new Date(now - 30 * M));
      await apply(answered, 'agent_reply', new Date(now - 20 * M));
      await apply(answered, 'status_changed', new Date(now - 10 * M), 'resolved');
      const ids = [none, ok, atRisk, breached, answered];
      const summary = await slaSummary(db, shop.id, ids);
      const expected: Record<string, SlaState> = { [none]: 'none', [ok]: 'ok', [atRisk]: 'at_risk', [breached]: 'breached', [answered]: 'none' };
      for (const id of ids) expect(summary.get(id)!.state, id).to.equal(expected[id]);
      expect(summary.get(ok)!.dueAt).to.equal(new Date(now + 55 * M).toISOString());
      expect(summary.get(ok)!.metric).to.equal('first_response');
      for (const state of ['none', 'ok', 'at_risk', 'breached'] as const) {
        const rows = await db
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.shopId, shop.id), inArray(conversations.id, ids), slaStateCondition(state)));
        expect(rows.map((r) => r.id).sort(), state).to.deep.equal(ids.filter((id) => expected[id] === state).sort());
      }
    });

    it('counts met and breached targets per metric for the window', async () => {
      const fresh = await makeShop(database);
      await upsertBusinessHours(db, fresh.id, { weekly: always, observeJpHolidays: false, closedDates: [] });
      await insertPolicy(db, { shopId: fresh.id, name: '標準', priority: null, firstResponseMinutes: 60, resolutionMinutes: 600 });
      const start = new Date('2026-06-01T10:00:00+09:00').getTime();
      const onTime = await aConversation(fresh);
      const late = await aConversation(fresh);
      const run = (id: string, event: SlaEventInput['event'], minute: number, status: ConversationStatus = 'open') =>
        db.transaction((tx) => applySlaEvent(tx, { shopId: fresh.id, conversationId: id, priority: 'normal', at: new Date(start + minute * M), event, status }));
      await run(onTime, 'created', 0);
      await run(onTime, 'agent_reply', 10);
      await run(onTime, 'status_changed', 100, 'resolved');
      await run(late, 'created', 0);
      await run(late, 'agent_reply', 90);
      const window = await slaCompliance(db, fresh.id, new Date(start), new Date(start + 24 * 60 * M));
      expect(window).to.deep.equal([
        { metric: 'first_response', met: 1, breached: 1, percentMet: 50 },
        { metric: 'next_response', met: 0, breached: 0, percentMet: null },
        { metric: 'resolution', met: 1, breached: 0, percentMet: 100 },
      ]);
      const before = await slaCompliance(db, fresh.id, new Date(start - 24 * 60 * M), new Date(start));
      expect(before.every((m) => m.met + m.breached === 0)).to.equal(true);
    });

    it("counts business hours from the shop's calendar: the default one when the shop has set none", async () => {
      const plain = await makeShop(database);
      await insertPolicy(db, { shopId: plain.id, name: '標準', priority: null, firstResponseMinutes: 120 });
      const id = await aConversation(plain);
      const friday = new Date('2027-02-05T17:00:00+09:00');
      await db.transaction((tx) => applySlaEvent(tx, { shopId: plain.id, conversationId: id, priority: 'normal', at: friday, event: 'created', status: 'open' }));
      expect((await clock(id, 'first_response')).dueAt!.toISOString()).to.equal(new Date('2027-02-08T10:00:00+09:00').toISOString());
    });
  });
}
