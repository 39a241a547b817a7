import { listenerTopic } from '../../../server/events/subscriptions.ts';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { bullPrefix, JOBS_QUEUE } from '../../../server/core/queue.ts';
import { conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import { slaClocks } from '../../../server/domains/sla/sla.tables.ts';
import { testDatabase, testPostgresUrl } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freePort, start, until, type Proc } from '../../helpers/process.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { ask, cid, connected, widgetClient } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { PrivateRedis } from './resilience.setup.ts';

const allDay: Array<[string, string]> = [['00:00', '24:00']];
const HOUR = 3_600_000;
/** The reply mail's job: a listener of message.created. */
const REPLY_MAIL = listenerTopic('message.created', 'reply-mail');

/**
 * Timers live in PostgreSQL until they have run: a server restarted on a Redis that came back
 * empty (no persistence) still fires every one of them, once.
 *
 * Nothing here waits for a clock. The timers are due in an hour or more, so none can fire
 * before the restart however slow the machine; after it, the test checks that each is back in
 * BullMQ waiting for its original time, and then stands in for the clock by promoting the job
 * (what BullMQ does when the time comes). That a timer fires at its time is worker.test.ts's
 * and outbox.rearm.test.ts's to prove.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] timers across a restart on a Redis that lost its data', function () {
  this.timeout(180_000);
  let redis: PrivateRedis;
  let database: Database;
  const procs: Proc[] = [];

  before(async () => {
    redis = await PrivateRedis.start();
    database = await testDatabase('postgres');
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.close();
  });

  async function server(port: number, smtpUrl: string): Promise<Proc> {
    const url = `http://127.0.0.1:${port}`;
    // A private key prefix: the run's other servers share this database, not this queue.
    const p = start({ PORT: String(port), PUBLIC_URL: url, DATABASE_URL: await testPostgresUrl(), REDIS_URL: redis.url, SEED_DEMO: 'false', SMTP_URL: smtpUrl, REPLY_MAIL_DELAY_SECONDS: String(HOUR / 1000), REDIS_KEY_PREFIX: `mdg-timers-${port}:` });
    procs.push(p);
    await until(p, /is up/, 90_000);
    return p;
  }

  /** The server's BullMQ queue, as seen from outside, for one look. */
  async function inQueue<T>(port: number, look: (q: Queue) => Promise<T>): Promise<T> {
    const q = new Queue(JOBS_QUEUE, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 }, prefix: bullPrefix(`mdg-timers-${port}:`) });
    try {
      return await look(q);
    } finally {
      await q.close();
    }
  }

  it('an SLA check, a snooze and a reply mail each fire once after the server restarts on an empty Redis', async () => {
    const sink = await smtpSink();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await server(port, sink.url);

    const shop = await makeShop(database);
    const owner = await signedIn(url, shop.people.owner);
    const hours = await owner.put(`/api/shops/${shop.id}/business-hours`, { weekly: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, allDay])), observeJpHolidays: false });
    expect(hours.status, hours.text).to.equal(200);
    // Two hours to a first response, at risk after half of it: the at-risk check is due in an hour.
    const policy = await owner.post(`/api/shops/${shop.id}/sla-policies`, { name: '長い', firstResponseMinutes: 120, atRiskPercent: 50 });
    expect(policy.status, policy.text).to.equal(201);

    const open = async (email: string) => {
      const c = await newCustomer(url, shop.id, { email });
      const w = widgetClient(url, shop.id, c.token);
      await connected(w);
      const opened = await ask(w, 'conversation:open', {});
      expect((await ask(w, 'message:send', { conversationId: opened.conversation.id, clientId: cid(), body: 'こんにちは' })).ok).to.equal(true);
      w.disconnect();
      return opened.conversation.id as string;
    };
    const waiting = await open(`sla-${cid().slice(0, 8)}@example.jp`);
    const replyTo = `reply-${cid().slice(0, 8)}@example.jp`;
    const answered = await open(replyTo);
    const agent = await signedIn(url, shop.people.agent);
    // The reply the customer has not read is mailed after REPLY_MAIL_DELAY_SECONDS, an hour.
    const reply = await agent.post(`/api/shops/${shop.id}/conversations/${answered}/messages`, { clientId: cid(), body: '確認いたします。' });
    expect(reply.status, reply.text).to.equal(201);
    const snooze = await agent.patch(`/api/shops/${shop.id}/conversations/${answered}`, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 2 * HOUR).toISOString() });
    expect(snooze.status, snooze.text).to.equal(200);

    // The three timers, handed to BullMQ and waiting there for their time.
    const isOurs = (r: typeof outbox.$inferSelect) =>
      // By dedupe key, which names the conversation (and the SLA check's kind).
      r.topic === 'sla.check' ? r.dedupeKey!.includes(waiting) && r.dedupeKey!.endsWith(':at_risk') : r.topic === REPLY_MAIL ? r.payload.conversationId === answered : r.dedupeKey!.includes(answered);
    const timerRows = async () =>
      (await database.db.select().from(outbox).where(and(eq(outbox.shopId, shop.id), inArray(outbox.topic, ['sla.check', 'conversation.unsnooze', REPLY_MAIL])))).filter(isOurs);
    const timers = await eventually(async () => {
      const rows = (await timerRows()).filter((r) => r.dispatchedAt !== null && !r.completedAt);
      return new Set(rows.map((r) => r.topic)).size === 3 && rows.length === 3 && rows;
    }, 'the SLA check, the snooze and the reply mail to be handed to BullMQ', 60_000, 100);
    const ids = timers.map(jobIdFor);
    const states = () => inQueue(port, (q) => Promise.all(ids.map(async (id) => (await q.getJob(id))?.getState())));
    expect(await states()).to.deep.equal(['delayed', 'delayed', 'delayed']);

    // Stop the server, and Redis with it; Redis comes back empty.
    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);
    const clock = async () => (await database.db.select().from(slaClocks).where(and(eq(slaClocks.conversationId, waiting), eq(slaClocks.metric, 'first_response'))))[0];
    expect((await clock())?.atRiskFiredAt, 'the at-risk check fired before the restart').to.equal(null);
    expect(sink.mails.filter((m) => m.to.includes(replyTo))).to.have.length(0);
    await redis.stop();
    await redis.start();
    expect(await states(), 'Redis kept the timers').to.deep.equal([undefined, undefined, undefined]);
    await server(port, sink.url);

    // Each is back from PostgreSQL's record, waiting for its original time, not the restart's.
    const back = await eventually(
      () => inQueue(port, async (q) => {
        const jobs = await Promise.all(ids.map((id) => q.getJob(id)));
        return jobs.every((j) => j) && (await Promise.all(jobs.map((j) => j!.getState()))).every((s) => s === 'delayed') && jobs.map((j) => j!);
      }),
      'the timers to be handed to the empty Redis again',
      60_000,
      100,
    );
    for (const [n, job] of back.entries()) {
      const dueAt = job.timestamp + job.delay;
      expect(dueAt, `${timers[n]!.topic} is due at its time`).to.be.at.least(timers[n]!.runAt!.getTime()).and.below(timers[n]!.runAt!.getTime() + 60_000);
    }
    // Their time comes.
    await inQueue(port, async (q) => {
      for (const id of ids) await (await q.getJob(id))!.promote();
    });

    await eventually(async () => (await clock())?.atRiskFiredAt instanceof Date, 'the SLA at-risk check to fire', 60_000, 100);
    await eventually(async () => {
      const [c] = await database.db.select().from(conversations).where(eq(conversations.id, answered));
      return c?.status === 'open';
    }, 'the snooze to end', 60_000, 100);
    await sink.waitFor((m) => m.to.includes(replyTo), 60_000);
    // Each timer's row is recorded done only after its work, and its job then leaves Redis: nothing more can come.
    const done = await eventually(async () => {
      const rows = await timerRows();
      return rows.every((r) => r.completedAt) && rows;
    }, 'every timer row to be recorded done', 60_000, 100);
    await eventually(async () => (await states()).every((s) => s === undefined), 'the done jobs to leave Redis', 60_000, 100);
    expect(done.map((r) => r.failedAt)).to.deep.equal(done.map(() => null));
    expect(sink.mails.filter((m) => m.to.includes(replyTo)), 'one reply mail').to.have.length(1);
  });
});
