import { expect } from 'chai';
import type { Database } from '../../../server/core/db/client.ts';
import { createDispatcher, jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { openJobQueue, type JobQueue } from '../../../server/core/queue.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds, redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { makeShop } from '../../fixtures/builders.ts';
import { deadRedisUrl, freshPrefix, freshTopic, jobsFor, logger, recorder, rowsOf } from './jobs.setup.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the outbox dispatcher`, () => {
    let database: Database;
    const queues: JobQueue[] = [];
    const queue = (url = redisUrl, prefix = freshPrefix()) => {
      const q = openJobQueue(url, { keyPrefix: prefix, logger });
      queues.push(q);
      return q;
    };
    const dispatcher = (q: JobQueue) => createDispatcher({ db: database.db, jobs: q, logger, jobOptionsFor: () => undefined, autostart: false });

    before(async () => {
      database = await testDatabase(kind);
    });
    after(async () => {
      await Promise.all(queues.map((q) => q.close()));
      await database.close();
    });

    it('hands a committed row to BullMQ once, even when two dispatchers run at the same time', async () => {
      const shop = await makeShop(database);
      const topic = freshTopic('once');
      await database.db.transaction((tx) => enqueue(tx, { shopId: shop.id, topic, payload: { to: 'x', n: 1 } }));
      // Two separate queues: a row added by both would show up in both.
      const [a, b] = [queue(), queue()];
      await eventually(async () => a.ready() && b.ready(), 'both queues to connect');
      const [da, db] = [dispatcher(a), dispatcher(b)];
      await Promise.all([da.dispatchOnce(), db.dispatchOnce(), da.dispatchOnce(), db.dispatchOnce()]);
      await Promise.all([da.dispatchOnce(), db.dispatchOnce()]);

      const [row] = await rowsOf(database, topic);
      expect(row!.dispatchedAt).to.be.an.instanceOf(Date);
      expect(row!.payload, 'the row keeps its payload until the work is done').to.deep.equal({ to: 'x', n: 1 });
      expect(row!.completedAt).to.equal(null);
      const found = (await Promise.all([a, b].map((q) => q.queue.getJob(jobIdFor(row!))))).filter((j) => j);
      expect(found).to.have.length(1);
      expect(found[0]!.name).to.equal(topic);
      expect(found[0]!.data).to.deep.equal({ to: 'x', n: 1, shopId: shop.id, outboxId: row!.id });
    });

    it('adds one job for rows that share a dedupe key, even one with a colon in it', async () => {
      const topic = freshTopic('dedupe');
      const dedupeKey = `sla:${topic}`;
      await database.db.transaction((tx) => enqueue(tx, [{ topic, payload: { n: 1 }, dedupeKey }, { topic, payload: { n: 2 }, dedupeKey }]));
      const q = queue();
      await eventually(async () => q.ready(), 'the queue to connect');
      await dispatcher(q).dispatchOnce();
      const rows = await rowsOf(database, topic);
      expect(rows.map((r) => r.dispatchedAt === null)).to.deep.equal([false, false]);
      const waiting = (await q.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.name === topic);
      expect(waiting.map((j) => j.data)).to.deep.equal([{ n: 1, shopId: null, outboxId: Math.min(...rows.map((r) => r.id)) }]);
    });

    it('enqueues nothing from a transaction that rolls back', async () => {
      const topic = freshTopic('rollback');
      const failed = await database.db
        .transaction(async (tx) => {
          await enqueue(tx, { topic, payload: { n: 1 } });
          throw new Error('the change failed');
        })
        .catch((e: Error) => e.message);
      expect(failed).to.equal('the change failed');
      const q = queue();
      await eventually(async () => q.ready(), 'the queue to connect');
      await dispatcher(q).dispatchOnce();
      expect(await rowsOf(database, topic)).to.deep.equal([]);
      expect((await q.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.name === topic)).to.deep.equal([]);
    });

    it('keeps a row pending with its attempts and last error while Redis is unreachable, and delivers it once Redis is back', async () => {
      const topic = freshTopic('outage');
      await database.db.transaction((tx) => enqueue(tx, { topic, payload: { hello: 'world' } }));
      const down = dispatcher(queue(await deadRedisUrl()));
      expect(await down.dispatchOnce()).to.equal(0);
      expect(await down.dispatchOnce()).to.equal(0);
      const [pending] = await rowsOf(database, topic);
      expect(pending).to.include({ attempts: 2, lastError: 'redis is not connected', dispatchedAt: null });
      expect(pending!.payload).to.deep.equal({ hello: 'world' });

      // Redis is back: another process (same deployment, same prefix) dispatches and runs it.
      const jobs = await jobsFor(database, freshPrefix());
      try {
        const seen = recorder();
        jobs.register(topic, seen.run);
        jobs.poke();
        await eventually(async () => seen.calls.length === 1, 'the job to run');
        expect(seen.calls[0]!.data).to.deep.equal({ hello: 'world', shopId: null });
        const [done] = await rowsOf(database, topic);
        expect(done!.dispatchedAt).to.be.an.instanceOf(Date);
      } finally {
        await jobs.close();
      }
    });
  });
}
