import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { rearmMarkerOf } from '../../../server/core/outbox.rearm.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testRedis } from '../../helpers/redis.ts';
import { freshPrefix, freshTopic, jobsFor, recorder } from './jobs.setup.ts';

/**
 * The database refuses to record what a job did (a trigger that raises for one topic and one
 * column), as a database that cannot write would. Every refusal is counted in a sequence, which
 * a rolled-back statement still advances, so the test knows when the record was tried.
 */
async function refuseRecord(database: Database, topic: string, column: 'completed_at' | 'failed_at') {
  const name = `test_refuse_${randomBytes(4).toString('hex')}`;
  await database.db.execute(sql.raw(`create sequence ${name}_tries`));
  await database.db.execute(
    sql.raw(`create function ${name}() returns trigger language plpgsql as $$
      begin
        perform nextval('${name}_tries');
        raise exception 'test: the database cannot record this';
      end $$`),
  );
  await database.db.execute(
    sql.raw(`create trigger ${name} before update on outbox for each row
      when (new.topic = '${topic}' and new.${column} is not null and old.${column} is null) execute function ${name}()`),
  );
  return {
    /** How many times the record was refused. */
    tries: async () => {
      const r = await database.db.execute<{ n: string | number; called: boolean }>(sql.raw(`select last_value as n, is_called as called from ${name}_tries`));
      const row = (r as unknown as { rows?: Array<{ n: string | number; called: boolean }> }).rows?.[0] ?? (r as unknown as Array<{ n: string | number; called: boolean }>)[0]!;
      return row.called ? Number(row.n) : 0;
    },
    lift: async () => {
      await database.db.execute(sql.raw(`drop trigger ${name} on outbox`));
      await database.db.execute(sql.raw(`drop function ${name}()`));
      await database.db.execute(sql.raw(`drop sequence ${name}_tries`));
    },
  };
}

for (const kind of dbKinds) {
  describe(`[${kind}] jobs whose outcome the database could not record`, function () {
    this.timeout(60_000);
    let database: Database;
    let jobs: Jobs;

    before(async () => {
      database = await testDatabase(kind);
      jobs = await jobsFor(database, freshPrefix(), { rearmCheckMs: 200 });
    });
    after(async () => {
      await jobs?.close();
      await database?.close();
    });

    const rowOf = async (id: number) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

    async function handedOver(topic: string, payload: Record<string, unknown>, dedupeKey?: string) {
      const rows = () => database.db.select().from(outbox).where(eq(outbox.topic, topic));
      const before = new Set((await rows()).map((r) => r.id));
      await database.db.transaction((tx) => enqueue(tx, { topic, payload, dedupeKey }));
      jobs.poke();
      return eventually(async () => (await rows()).find((r) => !before.has(r.id) && r.dispatchedAt), 'the row to be handed over');
    }

    /** The re-arm runs when its marker key in Redis has gone (as after a flush); here only the marker goes. */
    const rearm = () => testRedis().del(rearmMarkerOf(jobs));

    it('records work done as done, never failed, when BullMQ gives up on its record, and records it once the database can, without doing it again', async () => {
      const topic = freshTopic('unrecorded-done');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const refused = await refuseRecord(database, topic, 'completed_at');
      try {
        const row = await handedOver(topic, { n: 1 });
        // The work, then the record refused on every attempt, then once more when BullMQ fails the job.
        await eventually(async () => (await (await jobs.queue.getJob(jobIdFor(row)))?.getState()) === 'failed', 'BullMQ to give up on the job', 30_000, 100);
        await eventually(async () => (await rowOf(row.id)).failedAt !== null || (await refused.tries()) > 5, 'the failure to be handled', 30_000, 100);
        const after = await rowOf(row.id);
        expect(after.failedAt, 'work that was done is not a failed row').to.equal(null);
        expect(after.completedAt).to.equal(null);
      } finally {
        await refused.lift();
      }
      // The database can record again; the row is still owed, so the re-arm hands it over, and
      // the worker that did the work records it without doing it again.
      await rearm();
      const done = await eventually(async () => {
        const r = await database.db.select().from(outbox).where(eq(outbox.topic, topic));
        return (r[0]?.completedAt && r[0]) || undefined;
      }, 'the work to be recorded done', 30_000, 100);
      expect(done!.failedAt).to.equal(null);
      expect(seen.calls, 'the work was done once').to.have.length(1);
    });

    it('hands a row over again when BullMQ failed its job for good and the failure could not be recorded', async () => {
      const topic = freshTopic('unrecorded-failure');
      // No processor for the topic yet (a rolling deploy: this worker does not know it): every
      // attempt fails, BullMQ fails the job for good, and the database refuses the failure.
      const refused = await refuseRecord(database, topic, 'failed_at');
      let row;
      try {
        row = await handedOver(topic, { n: 1 });
        await eventually(async () => (await (await jobs.queue.getJob(jobIdFor(row!)))?.getState()) === 'failed', 'BullMQ to give up on the job', 30_000, 100);
        await eventually(async () => (await refused.tries()) > 0, 'the failure to be refused', 30_000, 100);
        expect((await rowOf(row.id)).failedAt).to.equal(null);
      } finally {
        await refused.lift();
      }
      // A worker that knows the topic; the row is still owed, so it must run, once.
      const seen = recorder();
      jobs.register(topic, seen.run);
      await rearm();
      const done = await eventually(async () => {
        const r = await rowOf(row.id);
        return (r.completedAt && r) || undefined;
      }, 'the row to be handed over again and done', 30_000, 100);
      expect(done!.failedAt).to.equal(null);
      expect(seen.calls.map((c) => c.data.n)).to.deep.equal([1]);
    });

    it('runs a new row whose dedupe key is that of an earlier row that failed for good', async () => {
      const topic = freshTopic('failed-then-again');
      const key = freshTopic('same-key');
      const seen = recorder((data) => {
        // A domain error fails a job for good at once.
        if (data.n === 1) throw new DomainError('conflict', 'the first one fails');
      });
      jobs.register(topic, seen.run);
      const first = await handedOver(topic, { n: 1 }, key);
      await eventually(async () => (await rowOf(first.id)).failedAt ?? undefined, 'the first row to fail for good', 30_000, 100);
      expect(await (await jobs.queue.getJob(jobIdFor(first)))?.getState(), 'BullMQ keeps the failed job').to.equal('failed');
      const second = await handedOver(topic, { n: 2 }, key);
      const done = await eventually(async () => {
        const r = await rowOf(second.id);
        return (r.completedAt && r) || undefined;
      }, 'the second row to run', 30_000, 100);
      expect(done!.failedAt).to.equal(null);
      expect(seen.calls.map((c) => c.data.n)).to.include(2);
    });
  });
}
