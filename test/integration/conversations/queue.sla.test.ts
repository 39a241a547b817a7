import { expect } from 'chai';
import { and, desc, eq, like } from 'drizzle-orm';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { runSlaCheck } from '../../../server/domains/sla/sla.service.ts';
import { slaClocks, type SlaMetric } from '../../../server/domains/sla/sla.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { agentClient, cid, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, openTicket, type CustomerChat } from './queue.helpers.ts';

const M = 60_000;
/**
 * Thirty business minutes, on a shop open around the clock: the tests fire the timers
 * themselves with the outbox rows' payloads, long before the worker would.
 */
const TARGET = 30;
const allDay = [['00:00', '24:00']];

for (const kind of dbKinds) {
  describe(`[${kind}] SLA clocks of conversations, through the chat and the queue`, () => {
    let server: TestServer;
    let shop: TestShop;
    let agent: TestClient;
    let socket: AgentSocket;
    const chats: CustomerChat[] = [];

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const hours = await owner.put(`/api/shops/${shop.id}/business-hours`, { weekly: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, allDay])), observeJpHolidays: false });
      expect(hours.status, hours.text).to.equal(200);
      const policy = await owner.post(`/api/shops/${shop.id}/sla-policies`, { name: '標準', firstResponseMinutes: TARGET, atRiskPercent: 80 });
      expect(policy.status, policy.text).to.equal(201);
      agent = await signedIn(server.url, shop.people.agent);
      socket = agentClient(server.url, shop.id, agent.cookie);
      await connected(socket);
    });
    after(async () => {
      socket.disconnect();
      for (const c of chats) c.w.disconnect();
      await server.close();
    });

    async function newChat() {
      const c = await customerChat(server, shop.id);
      chats.push(c);
      return c.conversationId;
    }
    async function clock(conversationId: string, metric: SlaMetric = 'first_response') {
      const [row] = await server.database.db.select().from(slaClocks).where(and(eq(slaClocks.conversationId, conversationId), eq(slaClocks.metric, metric)));
      return row!;
    }
    /** The newest first-response timer of a kind for the conversation, as the outbox holds it. */
    async function timer(conversationId: string, kind: 'at_risk' | 'breach') {
      const [row] = await server.database.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.topic, 'sla.check'), like(outbox.dedupeKey, `sla:${conversationId}:first_response:%:${kind}`)))
        .orderBy(desc(outbox.id))
        .limit(1);
      return row!;
    }
    /**
     * What the worker will be handed when the timer is due: the delayed BullMQ job the
     * dispatcher made from the row (a dispatched row keeps no payload).
     */
    async function jobData(row: { id: number; dedupeKey: string | null }) {
      const job = await eventually(() => server.service.jobs!.queue.getJob(jobIdFor(row)), `the job of outbox row ${row.id}`);
      return job.data;
    }
    const fire = async (conversationId: string, kind: 'at_risk' | 'breach') => runSlaCheck(server.database.db, server.app.sink, await jobData(await timer(conversationId, kind)));
    const slaOf = async (id: string) => (await agent.get(conversationPath(shop.id, id))).body.sla as { state: string; dueAt: string | null };
    const listed = async (state: string) => ((await agent.get(`${conversationPath(shop.id)}?sla=${state}&limit=200`)).body.conversations as Array<{ id: string }>).map((c) => c.id);

    it('a new chat starts its first-response clock, with timers at 80 % and 100 % of the target in the outbox', async () => {
      const id = await newChat();
      const c = await clock(id);
      expect(c.runningSince).to.be.an.instanceOf(Date);
      expect(c.dueAt!.getTime() - c.startedAt.getTime()).to.equal(TARGET * M);
      expect((await timer(id, 'at_risk')).runAt!.getTime()).to.equal(c.startedAt.getTime() + 0.8 * TARGET * M);
      expect((await timer(id, 'breach')).runAt!.getTime()).to.equal(c.dueAt!.getTime());
      expect(await slaOf(id)).to.deep.equal({ state: 'ok', dueAt: c.dueAt!.toISOString() });
    });

    it('when the timers fire, agents hear at_risk then breached, and the inbox shows and filters by it', async () => {
      const id = await newChat();
      const risk = waitFor(socket, 'sla', (a: { conversationId: string }) => a.conversationId === id);
      expect(await fire(id, 'at_risk')).to.equal('fired');
      expect(await risk).to.include({ metric: 'first_response', state: 'at_risk' });
      expect((await slaOf(id)).state).to.equal('at_risk');
      expect(await listed('at_risk')).to.include(id);
      expect(await listed('breached')).not.to.include(id);

      const breach = waitFor(socket, 'sla', (a: { conversationId: string; state: string }) => a.conversationId === id && a.state === 'breached');
      expect(await fire(id, 'breach')).to.equal('fired');
      await breach;
      expect((await slaOf(id)).state).to.equal('breached');
      expect(await listed('breached')).to.include(id);
      expect(await listed('at_risk')).not.to.include(id);
      expect(await fire(id, 'breach'), 'a replayed timer').to.equal('stale');
    });

    it("an agent's reply meets the first-response clock, and its timers no longer fire", async () => {
      const id = await newChat();
      const reply = await agent.post(`${conversationPath(shop.id, id)}/messages`, { clientId: cid(), body: 'お待たせしました' });
      expect(reply.status, reply.text).to.equal(201);
      expect((await clock(id)).metAt).to.be.an.instanceOf(Date);
      expect(await fire(id, 'at_risk')).to.equal('stale');
      expect(await fire(id, 'breach')).to.equal('stale');
      expect((await slaOf(id)).state).to.equal('none');
      expect((await agent.get(conversationPath(shop.id, id))).body.firstResponseAt).to.be.a('string');
    });

    it('an internal note does not count as a response', async () => {
      const id = await newChat();
      await agent.post(`${conversationPath(shop.id, id)}/messages`, { clientId: cid(), body: '調査中', kind: 'note' });
      expect((await clock(id)).metAt).to.equal(null);
      expect(await fire(id, 'breach')).to.equal('fired');
    });

    it('pending pauses the clock (its timers go stale) and reopening resumes it with new timers', async () => {
      const id = await newChat();
      const first = await timer(id, 'breach');
      expect((await agent.patch(conversationPath(shop.id, id), { status: 'pending' })).status).to.equal(200);
      const paused = await clock(id);
      expect(paused).to.include({ runningSince: null, dueAt: null, metAt: null });
      expect(await runSlaCheck(server.database.db, server.app.sink, await jobData(first))).to.equal('stale');
      expect((await slaOf(id)).state).to.equal('ok');

      expect((await agent.patch(conversationPath(shop.id, id), { status: 'open' })).status).to.equal(200);
      const resumed = await clock(id);
      expect(resumed.runningSince).to.be.an.instanceOf(Date);
      const again = await timer(id, 'breach');
      expect(again.id).to.be.greaterThan(first.id);
      expect(again.runAt!.getTime()).to.equal(resumed.dueAt!.getTime());
      // Time spent paused does not count: due is the rest of the target after resuming.
      expect(resumed.dueAt!.getTime()).to.equal(resumed.runningSince!.getTime() + TARGET * M - resumed.elapsedMs);
    });

    it('filters sla=breached by the due time too, when a timer has not run yet', async () => {
      const late = await newChat();
      const fine = await newChat();
      await server.database.db
        .update(slaClocks)
        .set({ dueAt: new Date(Date.now() - M), atRiskAt: new Date(Date.now() - 2 * M) })
        .where(eq(slaClocks.conversationId, late));
      const breached = await listed('breached');
      expect(breached).to.include(late);
      expect(breached).not.to.include(fine);
      expect((await slaOf(late)).state).to.equal('breached');
    });

    it('a conversation merged into another stops its clocks, so it never alerts', async () => {
      const chat = await customerChat(server, shop.id);
      chats.push(chat);
      const ticket = await openTicket(agent, shop.id, { email: chat.email });
      const merged = await agent.post(`${conversationPath(shop.id, ticket.body.id)}/merge`, { sourceId: chat.conversationId });
      expect(merged.status, merged.text).to.equal(200);
      expect((await clock(chat.conversationId)).runningSince).to.equal(null);
      expect(await fire(chat.conversationId, 'breach')).to.equal('stale');
    });
  });
}
