import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import type { Job } from 'bullmq';
import type { Database } from '../../../server/core/db/client.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { rearmMarkerOf } from '../../../server/core/outbox.rearm.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { defaultJobOptions } from '../../../server/core/queue.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testRedis } from '../../helpers/redis.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { CuttableProxy, postgresBehindProxy } from '../resilience/resilience.setup.ts';
import { freshPrefix, freshTopic, jobsFor, recorder, rowsOf } from './jobs.setup.ts';

/** How many times BullMQ runs a failing job before it fails it for good. */
const ATTEMPTS = defaultJobOptions().attempts!;

/**
 * The worker reaches PostgreSQL through a TCP proxy the test cuts (every connection dropped,
 * new ones refused) and restores, as a database that goes down and comes back. A job that
 * cannot reach the database is not at fault: it must wait, however long the outage lasts,
 * and run once when the database is back.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] jobs while the database is away', function () {
  this.timeout(90_000);
  let direct: Database;
  let proxy: CuttableProxy;
  let viaProxy: Database;
  let jobs: Jobs;
  let prefix: string;

  before(async () => {
    direct = await testDatabase('postgres');
    ({ proxy, database: viaProxy } = await postgresBehindProxy());
    prefix = freshPrefix();
    jobs = await jobsFor(viaProxy, prefix, { rearmCheckMs: 200 });
  });
  afterEach(() => proxy.restore());
  after(async () => {
    await proxy?.restore();
    await jobs?.close();
    await viaProxy?.close();
  });

  /** A processor that needs the database, as every real one does, and records what it ran. */
  const needsDatabase = (topic: string) => {
    const seen = recorder();
    jobs.register(topic, async (data) => {
      await viaProxy.db.execute(sql`select 1`);
      await seen.run(data);
    });
    return seen;
  };

  /** Rows enqueued for an hour from now and handed to BullMQ; the test makes them due when it wants. */
  async function armed(items: Array<{ topic: string; payload: Record<string, unknown>; dedupeKey?: string }>) {
    const keys = items.map((i) => i.dedupeKey ?? freshTopic('outage-key'));
    const runAt = new Date(Date.now() + 3_600_000);
    await direct.db.transaction((tx) => enqueue(tx, items.map((i, n) => ({ ...i, runAt, dedupeKey: keys[n] }))));
    jobs.poke();
    return eventually(async () => {
      const rows = await Promise.all(keys.map(async (k) => (await direct.db.select().from(outbox).where(eq(outbox.dedupeKey, k)))[0]));
      if (!rows.every((r) => r?.dispatchedAt)) return undefined;
      const states = await Promise.all(rows.map(async (r) => (await jobs.queue.getJob(jobIdFor(r!)))?.getState()));
      return states.every((s) => s === 'delayed') && rows.map((r) => r!);
    }, 'the timers to be handed to BullMQ');
  }

  const jobsOf = (ids: string[]) => Promise.all(ids.map(async (id) => (await jobs.queue.getJob(id)) as Job | undefined));

  it('keeps timers, a mail and a scheduler\'s job waiting through more than their attempts, and runs each once when it is back', async () => {
    const sink = await smtpSink();
    const topic = freshTopic('db-away');
    const seen = needsDatabase(topic);
    const to = `db-away-${Date.now()}@test.madoguchi.test`;
    const rows = await armed([
      ...[0, 1, 2].map((n) => ({ topic, payload: { n } })),
      { topic: 'mail.send', payload: { to, subject: '件名 / Subject', text: '本文 / body' } },
    ]);
    // A job of BullMQ's own, as the daily and hourly schedulers add them: no outbox row behind it.
    const looseTopic = freshTopic('db-away-loose');
    const loose = needsDatabase(looseTopic);

    await proxy.cut();
    const ids = rows.map(jobIdFor);
    for (const job of await jobsOf(ids)) await job!.promote();
    ids.push((await jobs.queue.add(looseTopic, { shopId: null }, { delay: 0 })).id!);

    // Each is tried again and again while the database is away, more often than it has attempts.
    const outcome = await eventually(async () => {
      const all = await jobsOf(ids);
      const states = await Promise.all(all.map((j) => j?.getState()));
      if (states.some((s) => s === 'failed' || s === undefined)) return `given up: ${states.join(', ')}`;
      return all.every((j) => j!.attemptsStarted > ATTEMPTS + 1) && 'waiting';
    }, `every job to be tried more than ${ATTEMPTS} times`, 60_000, 100);
    expect(outcome).to.equal('waiting');
    for (const job of await jobsOf(ids)) expect(job!.attemptsMade, 'an attempt spent while the database was away').to.equal(0);
    expect(seen.calls).to.have.length(0);
    expect(loose.calls).to.have.length(0);
    expect(sink.mails.filter((m) => m.to.includes(to))).to.have.length(0);

    await proxy.restore();
    const done = await eventually(async () => {
      const now = await Promise.all(rows.map(async (r) => (await direct.db.select().from(outbox).where(eq(outbox.id, r.id)))[0]!));
      return now.every((r) => r.completedAt) && now;
    }, 'every timer to be recorded done', 60_000, 100);
    await eventually(async () => loose.calls.length === 1, 'the scheduler\'s job to run', 60_000, 100);
    await sink.waitFor((m) => m.to.includes(to), 60_000);
    // Done jobs leave Redis: nothing is left that could run a second time.
    await eventually(async () => (await jobsOf(ids)).every((j) => j === undefined), 'the jobs to leave Redis', 20_000, 100);

    expect(done.map((r) => r.failedAt)).to.deep.equal(done.map(() => null));
    expect(seen.calls.map((c) => c.data.n).sort()).to.deep.equal([0, 1, 2]);
    expect(loose.calls).to.have.length(1);
    expect(sink.mails.filter((m) => m.to.includes(to)), 'one mail').to.have.length(1);
  });

  it('records work that finished just as the database went away once it is back, without doing it again', async () => {
    const topic = freshTopic('db-away-done');
    const calls: number[] = [];
    // The work itself needs no database (a mail, say); the database goes as it finishes.
    jobs.register(topic, async () => {
      calls.push(Date.now());
      if (calls.length === 1) await proxy.cut();
    });
    const [row] = await armed([{ topic, payload: {} }]);
    await (await jobs.queue.getJob(jobIdFor(row!)))!.promote();

    const outcome = await eventually(async () => {
      const job = await jobs.queue.getJob(jobIdFor(row!));
      const state = await job?.getState();
      if (state === 'failed' || state === undefined) return `given up: ${state}`;
      return job!.attemptsStarted > ATTEMPTS + 1 && 'waiting';
    }, `the record to be tried more than ${ATTEMPTS} times`, 60_000, 100);
    expect(outcome).to.equal('waiting');

    await proxy.restore();
    await eventually(async () => (await rowsOf(direct, topic))[0]?.completedAt instanceof Date, 'the work to be recorded done', 60_000, 100);
    await eventually(async () => (await jobs.queue.getJob(jobIdFor(row!))) === undefined, 'the job to leave Redis', 20_000, 100);
    expect(calls, 'the work was done once').to.have.length(1);
  });

  it('hands timers over again that Redis lost while the database was away, once the database is back', async () => {
    const topic = freshTopic('lost-while-away');
    const rows = await armed([0, 1].map((n) => ({ topic, payload: { n } })));
    const ids = rows.map(jobIdFor);
    const marker = rearmMarkerOf(jobs);

    await proxy.cut();
    // Redis loses them (and the re-arm's marker), as a flush would.
    for (const job of await jobsOf(ids)) await job!.remove();
    await testRedis().del(marker);
    // The next check sees the marker gone and re-arms: it sets the marker (a lease) first, and
    // then cannot reach the rows.
    await eventually(async () => (await testRedis().exists(marker)) === 1, 'a re-arm to be tried', 20_000, 100);
    expect(await jobsOf(ids)).to.deep.equal([undefined, undefined]);
    // It leaves no lasting marker: were this process to die now, its lease would run out and another process would re-arm.
    expect(await testRedis().pttl(marker), "the marker's time to live").to.be.greaterThan(0);

    await proxy.restore();
    const states = await eventually(async () => {
      const all = await jobsOf(ids);
      return all.every((j) => j) && Promise.all(all.map((j) => j!.getState()));
    }, 'the timers to be handed over again', 20_000, 100);
    expect(states).to.deep.equal(['delayed', 'delayed']);
  });

  it('runs a later row with the same dedupe key after another process did and recorded the first, done here while the database was away', async () => {
    const topic = freshTopic('db-away-same-key');
    const key = freshTopic('same-key');
    const calls: unknown[] = [];
    jobs.register(topic, async (data) => {
      calls.push(data.n);
      if (data.cut) await proxy.cut();
    });
    // The first row's work is done here; the database goes before it is recorded, and this process remembers it.
    const [first] = await armed([{ topic, payload: { n: 1, cut: true }, dedupeKey: key }]);
    const id = jobIdFor(first!);
    await (await jobs.queue.getJob(id))!.promote();
    await eventually(async () => calls.length === 1 && (await (await jobs.queue.getJob(id))?.getState()) === 'delayed', 'the record to wait for the database');

    // Another worker, which reaches the database, takes the waiting job, does the work and records it.
    await jobs.worker.pause();
    const other = await jobsFor(direct, prefix);
    try {
      const elsewhere = recorder();
      other.register(topic, elsewhere.run);
      await (await jobs.queue.getJob(id))?.promote().catch(() => undefined);
      await eventually(async () => (await direct.db.select().from(outbox).where(eq(outbox.id, first!.id)))[0]!.completedAt instanceof Date, 'the other worker to record the first row', 30_000, 100);
      // The other process re-arms unfinished rows as it starts; racing the job that just finished,
      // it may add it again for its run time an hour away. That job does nothing when it runs (its
      // row is finished): it is run now, as its time would come, so that the id is free.
      await eventually(
        async () => {
          const left = await jobs.queue.getJob(id);
          if (!left) return true;
          await left.promote().catch(() => undefined);
          return false;
        },
        'the job to leave Redis',
        20_000,
        100,
      );
    } finally {
      await other.close();
    }
    await proxy.restore();
    jobs.worker.resume();

    // The same snooze chosen again: a new row, the same dedupe key, so the same job id. It is new work.
    await direct.db.transaction((tx) => enqueue(tx, { topic, payload: { n: 2 }, dedupeKey: key }));
    jobs.poke();
    await eventually(async () => {
      const rows = await direct.db.select().from(outbox).where(eq(outbox.dedupeKey, key));
      return rows.length === 2 && rows.every((r) => r.completedAt || r.failedAt);
    }, 'the second row to be finished', 60_000, 100);
    expect(calls, 'the second row ran here').to.deep.equal([1, 2]);
  });
});
