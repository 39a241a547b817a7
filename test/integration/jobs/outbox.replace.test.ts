import { expect } from 'chai';
import { desc, eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { jobIdFor, replaceFailedJob } from '../../../server/core/outbox.dispatcher.ts';
import { enqueue, type OutboxRow } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { openJobQueue, openJobWorker, type JobQueue } from '../../../server/core/queue.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds, redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freshPrefix, freshTopic } from './jobs.setup.ts';

/**
 * Replacing a job BullMQ failed for good under a dedupe key's job id (the dispatcher for a new
 * row with that key, the re-arm for a row whose failure was never recorded) removes only that
 * failed job, never one another process has just added under the id, and hands over again the
 * earlier row whose work is still owed.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] replacing a job BullMQ failed for good`, function () {
    this.timeout(30_000);
    let database: Database;
    let jobs: JobQueue;
    let prefix: string;

    before(async () => {
      database = await testDatabase(kind);
      prefix = freshPrefix();
      jobs = openJobQueue(redisUrl, { keyPrefix: prefix });
    });
    after(async () => {
      await jobs.queue.obliterate({ force: true }).catch(() => undefined);
      await jobs.close();
      await database.close();
    });

    async function row(topic: string, dedupeKey: string): Promise<OutboxRow> {
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: {}, dedupeKey }));
      // The newest row of the topic by id: without an order PostgreSQL may place a new row in
      // the free space other tests left earlier in the table and return it first.
      const [newest] = await database.db.select().from(outbox).where(eq(outbox.topic, topic)).orderBy(desc(outbox.id)).limit(1);
      return newest as OutboxRow;
    }

    /** A job under `r`'s id that BullMQ has failed for good (one attempt, a processor that throws). */
    async function failedJobOf(r: OutboxRow) {
      await jobs.queue.add(r.topic, { outboxId: r.id }, { jobId: jobIdFor(r), attempts: 1 });
      const worker = openJobWorker(redisUrl, { keyPrefix: prefix }, async () => {
        throw new Error('test: fails for good');
      });
      try {
        await eventually(async () => (await jobs.queue.getJob(jobIdFor(r)))?.isFailed(), 'the job to fail for good');
      } finally {
        await worker.close();
      }
    }

    it('removes the failed job of an earlier row with the same key and hands that row over again while its work is owed', async () => {
      const topic = freshTopic('replace');
      const key = `k-${topic}`;
      const first = await row(topic, key);
      await failedJobOf(first);
      const second = await row(topic, key);
      expect(await replaceFailedJob(database.db, jobs, second, () => undefined)).to.equal(true);
      const job = await jobs.queue.getJob(jobIdFor(second));
      expect(job, 'the earlier row, handed over again').to.not.equal(undefined);
      expect(await job!.isFailed()).to.equal(false);
      expect(job!.data.outboxId).to.equal(first.id);
    });

    it('leaves a job that is not failed alone: one added under the id meanwhile', async () => {
      const topic = freshTopic('live');
      const r = await row(topic, `k-${topic}`);
      await jobs.queue.add(topic, { outboxId: r.id }, { jobId: jobIdFor(r), delay: 3_600_000 });
      expect(await replaceFailedJob(database.db, jobs, r, () => undefined)).to.equal(true);
      const job = await jobs.queue.getJob(jobIdFor(r));
      expect(await job!.isDelayed(), 'still there, still waiting').to.equal(true);
    });

    it('does nothing while another process replaces the same job, and says to try later', async () => {
      const topic = freshTopic('locked');
      const r = await row(topic, `k-${topic}`);
      await failedJobOf(r);
      await jobs.connection.set(jobs.queue.toKey(`replace:${jobIdFor(r)}`), 'someone else', 'PX', 10_000);
      expect(await replaceFailedJob(database.db, jobs, r, () => undefined)).to.equal(false);
      expect(await (await jobs.queue.getJob(jobIdFor(r)))!.isFailed(), 'untouched').to.equal(true);
    });
  });
}
