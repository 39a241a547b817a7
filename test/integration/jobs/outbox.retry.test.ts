import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { rearmMarkerOf } from '../../../server/core/outbox.rearm.ts';
import { enqueue, retryFailed, type OutboxRow } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { retryOptions } from '../../../server/core/queue.ts';
import { customerMailRetry, listenerTopic } from '../../../server/events/subscriptions.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testRedis } from '../../helpers/redis.ts';
import { freshPrefix, freshTopic, jobsFor, recorder, rowsOf } from './jobs.setup.ts';

/**
 * A listener's jobs are tried as its subscription says (a customer's mail through hours of a
 * mail server's outage), and rows that failed for good can be handed over again by the operator
 * (`npm run admin -- outbox retry`, see server/admin.ts).
 */
for (const kind of dbKinds) {
  describe(`[${kind}] retrying outbox work`, () => {
    let database: Database;
    let jobs: Jobs;

    before(async () => {
      database = await testDatabase(kind);
      // Retries shortened to a first wait of 100 ms (jobsFor), listener policies in proportion.
      jobs = await jobsFor(database, freshPrefix(), { rearmCheckMs: 100 });
    });
    after(async () => {
      await jobs.close();
      await database.close();
    });

    const rowById = async (id: number) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

    it('hands a listener’s row over with the listener’s retry policy, and so does the re-arm', async () => {
      const topic = listenerTopic('return.approved', 'return-customer-mail');
      const dedupeKey = freshTopic('policy');
      // Due in an hour: its job waits in BullMQ, where its options can be read.
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: { eventId: dedupeKey }, dedupeKey, runAt: new Date(Date.now() + 3_600_000) }));
      jobs.poke();
      const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey));
      try {
        const policy = retryOptions(customerMailRetry, 100);
        const handed = await eventually(async () => jobs.queue.getJob(jobIdFor(row!)), 'the row handed over');
        expect({ attempts: handed.opts.attempts, backoff: handed.opts.backoff }).to.deep.equal(policy);
        // Redis loses it (a flush): the re-arm adds it again, with the same policy.
        await handed.remove();
        await testRedis().del(rearmMarkerOf(jobs));
        const again = await eventually(async () => jobs.queue.getJob(jobIdFor(row!)), 'the row re-armed');
        expect({ attempts: again.opts.attempts, backoff: again.opts.backoff }).to.deep.equal(policy);
      } finally {
        await database.db.delete(outbox).where(eq(outbox.id, row!.id));
      }
    });

    it('tries a job of a capped policy again: every worker knows the strategy (BullMQ has no cap of its own)', async () => {
      const topic = freshTopic('capped');
      const seen = recorder((_, call) => {
        if (call < 3) throw new Error('the mail server is away');
      });
      jobs.register(topic, seen.run);
      const job = await jobs.queue.add(topic, { shopId: null }, retryOptions({ attempts: 4, firstDelayMs: 50, maxDelayMs: 80 }));
      await eventually(async () => seen.calls.length === 3 && (await jobs.queue.getJob(job.id!)) === undefined, 'the third try to succeed');
    });

    it('runs a row that failed for good again once the operator retries it, in place of its failed job', async () => {
      const topic = freshTopic('again');
      let down = true;
      const seen = recorder(() => {
        // A DomainError fails the job for good at once, as its last attempt would.
        if (down) throw new DomainError('invalid_input', 'test: fails for good');
      });
      jobs.register(topic, seen.run);
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: { to: 'customer@example.jp' }, dedupeKey: topic }));
      jobs.poke();
      const [row] = await rowsOf(database, topic);
      await eventually(async () => (await rowById(row!.id)).failedAt !== null && (await (await jobs.queue.getJob(jobIdFor(row!)))?.isFailed()), 'the row failed for good');
      down = false;
      expect(await retryFailed(database.db, { topic })).to.deep.equal({ retried: 1, dropped: 0 });
      jobs.poke();
      const done = await eventually(async () => {
        const r = await rowById(row!.id);
        return r.completedAt !== null && r;
      }, 'the row run again and completed');
      expect(done.failedAt).to.equal(null);
      expect(seen.calls.map((c) => c.data)).to.deep.equal([1, 2].map(() => ({ to: 'customer@example.jp', shopId: null })));
    });

    it('retries only the rows of the topic and time asked for, and leaves those whose secret payload was dropped', async () => {
      const [topic, other] = [freshTopic('chosen'), freshTopic('other')];
      const now = Date.now();
      const failed = async (t: string, failedAt: Date, payload: Record<string, unknown>): Promise<OutboxRow> => {
        await database.db.transaction((tx) => enqueue(tx, { topic: t, payload, runAt: new Date(now + 86_400_000) }));
        const rows = await rowsOf(database, t);
        const r = rows.at(-1)!;
        // As the worker leaves a row that failed for good (not yet dispatched here, so no job of it runs meanwhile).
        await database.db.update(outbox).set({ failedAt, lastError: 'no such mailbox', dispatchedAt: new Date(now - 3_600_000), dispatchedTo: 'elsewhere' }).where(eq(outbox.id, r.id));
        return r;
      };
      const recent = await failed(topic, new Date(now - 60_000), { to: 'a@example.jp' });
      const older = await failed(topic, new Date(now - 7_200_000), { to: 'b@example.jp' });
      const secret = await failed(topic, new Date(now - 60_000), {});
      const elsewhere = await failed(other, new Date(now - 60_000), { to: 'c@example.jp' });
      try {
        expect(await retryFailed(database.db, { topic, since: new Date(now - 3_600_000) })).to.deep.equal({ retried: 1, dropped: 1 });
        const after = new Map((await database.db.select().from(outbox).where(inArray(outbox.id, [recent.id, older.id, secret.id, elsewhere.id]))).map((r) => [r.id, r]));
        expect(after.get(recent.id), 'pending again').to.deep.include({ failedAt: null, dispatchedAt: null, dispatchedTo: null });
        for (const left of [older, secret, elsewhere]) expect(after.get(left.id)!.failedAt, `row ${left.id}`).to.be.an.instanceOf(Date);
      } finally {
        await database.db.delete(outbox).where(inArray(outbox.id, [recent.id, older.id, secret.id, elsewhere.id]));
      }
    });
  });
}
