import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { OUTBOX_PRUNE_TOPIC, pruneOutbox } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freshPrefix, freshTopic, jobsFor, rowsOf } from './jobs.setup.ts';

const DAY = 86_400_000;

/**
 * The outbox keeps a row as the record of its work until the work is done; after that it is
 * history, deleted by a daily job once kept long enough, so the table does not grow forever.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the outbox's retention`, function () {
    this.timeout(30_000);
    let database: Database;
    let jobs: Jobs;

    before(async () => {
      database = await testDatabase(kind);
      jobs = await jobsFor(database, freshPrefix());
    });
    after(async () => {
      await jobs?.close();
      await database?.close();
    });

    /** One row of each fate, at `daysAgo`, under a topic of its own. */
    async function history(topic: string, daysAgo: number) {
      const at = new Date(Date.now() - daysAgo * DAY);
      const row = (fate: string, more: Partial<typeof outbox.$inferInsert>) => ({ topic, payload: { fate }, createdAt: at, ...more });
      await database.db.insert(outbox).values([
        row('completed', { dispatchedAt: at, completedAt: at, payload: {} }),
        row('failed', { dispatchedAt: at, failedAt: at, lastError: 'the mail server refused it' }),
        // Due tomorrow: a dispatcher may hand it over meanwhile, but it does not run.
        row('pending', { runAt: new Date(Date.now() + DAY) }),
        row('unfinished', { dispatchedAt: at, dispatchedTo: 'elsewhere-bull' }),
      ]);
    }
    const fates = async (topic: string) => (await rowsOf(database, topic)).map((r) => (r.completedAt ? 'completed' : String(r.payload.fate))).sort();

    it('is scheduled daily', async () => {
      const schedulers = await eventually(async () => {
        const all = (await jobs.queue.getJobSchedulers()) as Array<{ key: string; name: string; every?: number | string | null }>;
        return all.some((s) => s.key === 'outbox-prune-daily') && all;
      }, 'the schedulers to be set');
      const prune = schedulers.find((s) => s.key === 'outbox-prune-daily')!;
      expect(prune.name).to.equal(OUTBOX_PRUNE_TOPIC);
      expect(Number(prune.every)).to.equal(DAY);
    });

    it('deletes completed rows after 14 days and failed ones after 90, never work still owed', async () => {
      const young = freshTopic('kept');
      const middle = freshTopic('done-old');
      const old = freshTopic('all-old');
      await history(young, 13);
      await history(middle, 15);
      await history(old, 91);

      // As the daily scheduler adds it.
      await jobs.queue.add(OUTBOX_PRUNE_TOPIC, { shopId: null });
      await eventually(async () => (await rowsOf(database, old)).length === 2, 'the old rows to be deleted');

      expect(await fates(young)).to.deep.equal(['completed', 'failed', 'pending', 'unfinished']);
      expect(await fates(middle), 'a failure is kept longer than a success').to.deep.equal(['failed', 'pending', 'unfinished']);
      expect(await fates(old), 'work still owed is never deleted').to.deep.equal(['pending', 'unfinished']);
    });

    it('deletes a backlog in batches, and only what is due', async () => {
      const topic = freshTopic('backlog');
      const at = new Date(Date.now() - 30 * DAY);
      await database.db.insert(outbox).values(Array.from({ length: 7 }, (_, n) => ({ topic, payload: {}, createdAt: at, dispatchedAt: at, completedAt: n < 5 ? at : null })));
      const deleted = await pruneOutbox(database.db, { completedDays: 14, failedDays: 90 }, new Date(), 2);
      expect(deleted.completed).to.be.at.least(5);
      const left = await database.db.select().from(outbox).where(eq(outbox.topic, topic));
      expect(left.map((r) => r.completedAt)).to.deep.equal([null, null]);
    });
  });
}
