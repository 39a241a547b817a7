import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Database } from '../../../server/core/db/client.ts';
import { sql } from 'drizzle-orm';
import { DISPATCH_LOCK_CLASS, holdDispatchLock, jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { rearmMarkerOf } from '../../../server/core/outbox.rearm.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { PrivateRedis } from '../resilience/resilience.setup.ts';
import { freshPrefix, freshTopic, jobsFor, recorder, rowsOf } from './jobs.setup.ts';

/**
 * PostgreSQL is the record of handed-over work until it has run: a Redis that loses its data
 * while the process runs (flushed, or restarted without persistence) loses no job.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] work handed to a Redis that then loses it`, function () {
    this.timeout(120_000);
    // The bounds below are generous: in a full run this tier shares two cores with the browser tier.
    const FIRE_MS = 45_000;
    let database: Database;
    let redis: PrivateRedis;
    let jobs: Jobs;

    before(async () => {
      database = await testDatabase(kind);
      redis = await PrivateRedis.start();
      jobs = await jobsFor(database, freshPrefix(), { redisUrl: redis.url, rearmCheckMs: 200 });
    });
    after(async () => {
      await jobs?.close();
      await database?.close();
      await redis?.close();
    });

    /**
     * Timers of a topic of their own, handed to BullMQ and waiting there. The worker is paused
     * meanwhile (each test resumes it when the timers may fire): on a loaded machine their time
     * could come before the check, and a timer that already ran tests no re-arm.
     */
    async function armed(what: string, n: number, inMs: number) {
      const topic = freshTopic(what);
      const seen = recorder();
      jobs.register(topic, seen.run);
      await jobs.worker.pause(true);
      const runAt = new Date(Date.now() + inMs);
      await database.db.transaction((tx) => enqueue(tx, Array.from({ length: n }, (_, i) => ({ topic, payload: { n: i }, runAt }))));
      jobs.poke();
      const rows = await eventually(async () => {
        const all = await rowsOf(database, topic);
        return all.every((r) => r.dispatchedAt) && all;
      }, 'the timers to be handed over');
      // Delayed, or due already and waiting for the paused worker.
      for (const r of rows) expect(await (await jobs.queue.getJob(jobIdFor(r)))?.getState()).to.be.oneOf(['delayed', 'waiting']);
      return { topic, seen, rows, runAt };
    }

    const allDone = async (topic: string) => {
      const rows = await rowsOf(database, topic);
      return rows.every((r) => r.completedAt && !r.failedAt) && rows;
    };

    it('hands every unfinished timer over again when Redis is flushed, and each fires once, at its time', async () => {
      const t = await armed('flushed', 3, 1500);
      await redis.flush();
      expect(await jobs.queue.getJob(jobIdFor(t.rows[0]!))).to.equal(undefined);
      jobs.worker.resume();
      await eventually(async () => t.seen.calls.length === 3, 'every timer to fire', FIRE_MS, 100);
      const done = await eventually(() => allDone(t.topic), 'every timer to be recorded done', FIRE_MS, 100);
      expect(t.seen.calls.map((c) => c.data.n).sort()).to.deep.equal([0, 1, 2]);
      for (const c of t.seen.calls) expect(c.at).to.be.at.least(t.runAt.getTime());
      expect(done.map((r) => r.payload)).to.deep.equal([{}, {}, {}]);
    });

    it('hands them over again after Redis restarts empty, and a timer whose time passed meanwhile fires at once', async () => {
      const t = await armed('restarted', 2, 300);
      await redis.stop();
      // Their time passes while Redis is away: the wait is the scenario, to just past runAt.
      await new Promise((r) => setTimeout(r, t.runAt.getTime() - Date.now() + 50));
      await redis.start();
      jobs.worker.resume();
      await eventually(async () => t.seen.calls.length === 2, 'both timers to fire after the restart', FIRE_MS, 100);
      await eventually(() => allDone(t.topic), 'both timers to be recorded done', FIRE_MS, 100);
      expect(t.seen.calls.map((c) => c.data.n).sort()).to.deep.equal([0, 1]);
    });

    it('hands them over again once the lease of a re-arm that died in another process runs out', async () => {
      const t = await armed('lease', 2, 300);
      // Redis loses its data, and another process begins a re-arm (its marker, with a lease) and
      // dies before it adds anything: one transaction, so no check of this process comes between.
      const marker = rearmMarkerOf(jobs);
      const client = new Redis(redis.url);
      try {
        await client.multi().flushall().set(marker, 'pending:elsewhere', 'PX', 3000).exec();
        // While the lease holds, this process leaves the re-arm to the other (checks every 200 ms).
        await new Promise((r) => setTimeout(r, 1000));
        expect(await jobs.queue.getJob(jobIdFor(t.rows[0]!))).to.equal(undefined);
        expect(await client.get(marker), 'the lease still holds').to.equal('pending:elsewhere');
        jobs.worker.resume();
        await eventually(async () => t.seen.calls.length === 2, 'both timers to fire once the lease ran out', FIRE_MS, 100);
        await eventually(async () => /^done:/.test((await client.get(marker)) ?? ''), 'the marker to say done', FIRE_MS, 100);
        await eventually(() => allDone(t.topic), 'both timers to be recorded done', FIRE_MS, 100);
      } finally {
        client.disconnect();
      }
    });

    it('takes a marker of an earlier version (no lease, no token) as lost, and hands the timers over again', async () => {
      const t = await armed('old-marker', 1, 300);
      const marker = rearmMarkerOf(jobs);
      const client = new Redis(redis.url);
      try {
        await client.multi().flushall().set(marker, String(Date.now())).exec();
        jobs.worker.resume();
        await eventually(async () => t.seen.calls.length === 1, 'the timer to fire', FIRE_MS, 100);
        await eventually(async () => /^done:/.test((await client.get(marker)) ?? ''), 'the marker to say done', FIRE_MS, 100);
      } finally {
        client.disconnect();
      }
    });

    /**
     * A dispatch adds its jobs before it commits its rows as handed over. A re-arm that read the
     * rows before that commit would miss them; were Redis flushed meanwhile, their jobs would be
     * gone for good. Here the test is that dispatch: it holds the dispatch lock, writes a row
     * as handed over and adds its job, then Redis is flushed before it commits.
     */
    (kind === 'postgres' ? it : it.skip)('waits for a dispatch in flight before it reads the rows, so the jobs a flush took from it come back', async () => {
      const topic = freshTopic('in-flight');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const prefix = String(jobs.queue.opts.prefix);
      await database.db.transaction(async (tx) => {
        await holdDispatchLock(tx, prefix);
        const [row] = await tx.insert(outbox).values({ topic, payload: { n: 0 }, runAt: new Date(Date.now() + 500), dispatchedAt: new Date(), dispatchedTo: prefix }).returning();
        await jobs.queue.add(topic, { n: 0, shopId: null, outboxId: row!.id }, { jobId: jobIdFor(row!), delay: 500 });
        await redis.flush();
        // The check sees the marker gone and re-arms: it waits on the lock this transaction holds.
        await eventually(async () => {
          // The dispatch lock's class (outbox.dispatcher.ts), waited for in this test's database.
          const r = (await database.db.execute(
            sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and classid = ${DISPATCH_LOCK_CLASS} and database = (select oid from pg_database where datname = current_database())`,
          )) as unknown as { rows: Array<{ n: number }> };
          return r.rows[0]!.n > 0;
        }, 'the re-arm to wait for this dispatch', FIRE_MS, 50);
      });
      await eventually(async () => seen.calls.length === 1, 'the timer to fire', FIRE_MS, 100);
      expect(seen.calls.map((c) => c.data.n)).to.deep.equal([0]);
    });

    it('does not run again what is done, when its job is handed over again', async () => {
      const t = await armed('done-once', 1, 200);
      jobs.worker.resume();
      await eventually(async () => t.seen.calls.length === 1, 'the timer to fire');
      await eventually(() => allDone(t.topic), 'the timer to be recorded done');
      // A re-arm that read the row just before it completed adds the job once more.
      await jobs.queue.add(t.topic, { n: 0, shopId: null, outboxId: t.rows[0]!.id }, { jobId: jobIdFor(t.rows[0]!) });
      const result = await eventually(async () => {
        const job = await jobs.queue.getJob(jobIdFor(t.rows[0]!));
        return job === undefined;
      }, 'the copy to be processed');
      expect(result).to.equal(true);
      expect(t.seen.calls).to.have.length(1);
    });
  });
}
