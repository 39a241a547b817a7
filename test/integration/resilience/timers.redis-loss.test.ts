import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
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

/**
 * Timers live in PostgreSQL until they have run: a server restarted on a Redis that came back
 * empty (no persistence) still fires every one of them, once.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] timers across a restart on a Redis that lost its data', function () {
  this.timeout(120_000);
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
    const p = start({ PORT: String(port), PUBLIC_URL: url, DATABASE_URL: await testPostgresUrl(), REDIS_URL: redis.url, SEED_DEMO: 'false', SMTP_URL: smtpUrl, REPLY_MAIL_DELAY_SECONDS: '10', REDIS_KEY_PREFIX: `mdg-timers-${port}:` });
    procs.push(p);
    await until(p, /is up/);
    return p;
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
    // One minute to a first response, at risk after 20% of it: the at-risk check is due in 12 s.
    const policy = await owner.post(`/api/shops/${shop.id}/sla-policies`, { name: '短い', firstResponseMinutes: 1, atRiskPercent: 20 });
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
    const reply = await agent.post(`/api/shops/${shop.id}/conversations/${answered}/messages`, { clientId: cid(), body: '確認いたします。' });
    expect(reply.status, reply.text).to.equal(201);
    const snooze = await agent.patch(`/api/shops/${shop.id}/conversations/${answered}`, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 10_000).toISOString() });
    expect(snooze.status, snooze.text).to.equal(200);

    // The three timers, handed to BullMQ and waiting there.
    const handedOver = (r: typeof outbox.$inferSelect) =>
      r.dispatchedAt !== null &&
      !r.completedAt &&
      // By dedupe key, which names the conversation (and the SLA check's kind).
      (r.topic === 'sla.check' ? r.dedupeKey!.includes(waiting) && r.dedupeKey!.endsWith(':at_risk') : r.dedupeKey!.includes(answered));
    await eventually(async () => {
      const rows = await database.db.select().from(outbox).where(and(eq(outbox.shopId, shop.id), inArray(outbox.topic, ['sla.check', 'conversation.unsnooze', 'conversation.reply_mail'])));
      return new Set(rows.filter(handedOver).map((r) => r.topic)).size === 3;
    }, 'the SLA check, the snooze and the reply mail to be handed to BullMQ', 15_000, 100);

    // Stop the server, and Redis with it; Redis comes back empty.
    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);
    const clock = async () => (await database.db.select().from(slaClocks).where(and(eq(slaClocks.conversationId, waiting), eq(slaClocks.metric, 'first_response'))))[0];
    // None was due yet: what fires from here on fires from PostgreSQL's record.
    expect((await clock())?.atRiskFiredAt, 'the at-risk check fired before the restart').to.equal(null);
    expect(sink.mails.filter((m) => m.to.includes(replyTo))).to.have.length(0);
    await redis.stop();
    await redis.start();
    await server(port, sink.url);

    await eventually(async () => (await clock())?.atRiskFiredAt instanceof Date, 'the SLA at-risk check to fire', 30_000, 200);
    await eventually(async () => {
      const [c] = await database.db.select().from(conversations).where(eq(conversations.id, answered));
      return c?.status === 'open';
    }, 'the snooze to end', 30_000, 200);
    await sink.waitFor((m) => m.to.includes(replyTo), 30_000);
    // Each timer's row is recorded done only after its work: once all are, nothing more can come.
    const done = await eventually(async () => {
      const rows = await database.db.select().from(outbox).where(and(eq(outbox.shopId, shop.id), inArray(outbox.topic, ['conversation.unsnooze', 'conversation.reply_mail'])));
      return rows.every((r) => r.completedAt) && rows;
    }, 'every timer row to be recorded done', 30_000, 200);
    expect(done.map((r) => r.failedAt)).to.deep.equal(done.map(() => null));
    expect(sink.mails.filter((m) => m.to.includes(replyTo)), 'one reply mail').to.have.length(1);
  });
});
