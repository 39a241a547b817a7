import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { outboxLedger } from '../../../server/core/outbox.jobs.ts';
import { enqueue, type OutboxRow } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { openJobQueue } from '../../../server/core/queue.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds, redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freshPrefix, freshTopic, jobsFor, logger, recorder, rowsOf } from './jobs.setup.ts';

/**
 * A job left in Redis by another database (one restored from a backup since) names an outbox row
 * by id, and that id may now hold other work. The worker runs a job only for the row it was made
 * of (its topic, its job id, its payload); any other is dropped and the row left alone.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] a job that names an outbox row not its own`, () => {
    let database: Database;
    let jobs: Jobs;

    before(async () => {
      database = await testDatabase(kind);
      jobs = await jobsFor(database, freshPrefix());
    });
    after(async () => {
      await jobs.close();
      await database.close();
    });

    /** A row whose work is owed an hour from now: handed over, its job waiting in BullMQ. */
    async function owedRow(topic: string, dedupeKey?: string): Promise<OutboxRow> {
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: { to: 'new-customer@example.jp' }, runAt: new Date(Date.now() + 3_600_000), dedupeKey }));
      jobs.poke();
      const [row] = await rowsOf(database, topic);
      await eventually(async () => (await (await jobs.queue.getJob(jobIdFor(row!)))?.getState()) === 'delayed', 'the row handed over');
      return row!;
    }

    /** Adds `job` to run now and waits until the worker is done with it (done jobs are removed). */
    async function ranOut(name: string, data: Record<string, unknown>, jobId: string) {
      await jobs.queue.add(name, data, { jobId });
      await eventually(async () => (await jobs.queue.getJob(jobId)) === undefined, 'the stale job to be done with');
    }

    async function untouched(row: OutboxRow) {
      const [now] = await database.db.select().from(outbox).where(eq(outbox.id, row.id));
      expect(now, 'the row is still owed, as it was').to.deep.include({ completedAt: null, failedAt: null, payload: row.payload });
    }

    it('drops a job of another topic without running it, and leaves the row it names owed', async () => {
      const row = await owedRow(freshTopic('new-work'));
      const oldTopic = freshTopic('old-work');
      const old = recorder();
      jobs.register(oldTopic, old.run);
      await ranOut(oldTopic, { to: 'old-customer@example.jp', shopId: null, outboxId: row.id }, `outbox-stale-${row.id}`);
      expect(old.calls, 'the old work is not done').to.deep.equal([]);
      await untouched(row);
    });

    it('drops a job of the same topic under another dedupe key', async () => {
      const topic = freshTopic('keyed');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const row = await owedRow(topic, `${topic}-new`);
      await ranOut(topic, { ...row.payload, shopId: null, outboxId: row.id }, jobIdFor({ id: row.id, dedupeKey: `${topic}-old` }));
      expect(seen.calls).to.deep.equal([]);
      await untouched(row);
    });

    it('drops a job under the row’s own id whose payload is another work’s', async () => {
      const topic = freshTopic('same-id');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const row = await owedRow(topic);
      // The id `outbox-<id>` was another row's in the database before the restore.
      await (await jobs.queue.getJob(jobIdFor(row)))!.remove();
      await ranOut(topic, { to: 'old-customer@example.jp', shopId: null, outboxId: row.id }, jobIdFor(row));
      expect(seen.calls).to.deep.equal([]);
      await untouched(row);
    });

    it('still runs the job made of the row, and records it done with the rows merged into it under its key', async () => {
      const topic = freshTopic('merged');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const key = `${topic}-key`;
      const first = await owedRow(topic, key);
      // A second row under the same key joins the job that waits (the add is a no-op).
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: { to: 'new-customer@example.jp' }, dedupeKey: key }));
      await jobs.dispatcher.dispatchOnce();
      const job = (await jobs.queue.getJob(jobIdFor(first)))!;
      await job.promote();
      await eventually(async () => (await rowsOf(database, topic)).every((r) => r.completedAt !== null), 'both rows completed');
      expect(seen.calls.map((c) => c.data)).to.deep.equal([{ to: 'new-customer@example.jp', shopId: null }]);
    });

    it('records no final failure on a row its job was not made of (a stale job whose topic no worker knows)', async () => {
      const row = await owedRow(freshTopic('owed'));
      const other = openJobQueue(redisUrl, { keyPrefix: freshPrefix() });
      try {
        const stale = await other.queue.add(freshTopic('gone'), { shopId: null, outboxId: row.id }, { jobId: `outbox-gone-${row.id}` });
        await outboxLedger(database.db, logger).failedForGood(stale, new Error('no processor for topic'), false);
        await untouched(row);
      } finally {
        await other.queue.obliterate({ force: true });
        await other.close();
      }
    });
  });
}
