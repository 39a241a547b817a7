import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import type { Jobs } from '../../../server/worker.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { freshPrefix, freshTopic, jobsFor, recorder, rowsOf } from './jobs.setup.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the job worker`, () => {
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

    /** Enqueues one row in its own transaction and wakes the dispatcher, as a service does. */
    const enqueueOne = async (topic: string, payload: Record<string, unknown>, runAt?: Date) => {
      await database.db.transaction((tx) => enqueue(tx, { topic, payload, runAt }));
      jobs.poke();
      const [row] = await rowsOf(database, topic);
      return row!;
    };
    const stateOf = async (id: string) => (await jobs.queue.getJob(id))?.getState();

    it('runs a committed row through the processor of its topic, once', async () => {
      const topic = freshTopic('run');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const row = await enqueueOne(topic, { conversationId: 'c-1' });
      await eventually(async () => seen.calls.length === 1, 'the job to run');
      expect(seen.calls[0]!.data).to.deep.equal({ conversationId: 'c-1', shopId: null });
      // Done jobs are removed, and dispatching again adds nothing back.
      await eventually(async () => (await stateOf(jobIdFor(row))) === undefined, 'the done job to be removed');
      await jobs.dispatcher.dispatchOnce();
      expect(await jobs.queue.getJob(jobIdFor(row))).to.equal(undefined);
      expect(seen.calls).to.have.length(1);
      // The row is the record: done, and its payload gone with the work.
      const [done] = await rowsOf(database, topic);
      expect(done!.completedAt).to.be.an.instanceOf(Date);
      expect(done!.payload).to.deep.equal({});
    });

    it('holds a timer until its time, then runs it', async () => {
      const topic = freshTopic('timer');
      const seen = recorder();
      jobs.register(topic, seen.run);
      const runAt = new Date(Date.now() + 1000);
      const row = await enqueueOne(topic, { what: 'sla.check' }, runAt);
      await eventually(async () => (await stateOf(jobIdFor(row))) === 'delayed', 'the timer to be handed over');
      expect(seen.calls).to.have.length(0);
      await eventually(async () => seen.calls.length === 1, 'the timer to fire');
      expect(seen.calls[0]!.at).to.be.at.least(runAt.getTime());
    });

    it('fails a job for good, without retrying, when its processor throws a DomainError', async () => {
      const topic = freshTopic('domain');
      const seen = recorder(() => {
        throw new DomainError('not_found', 'conversation not found');
      });
      jobs.register(topic, seen.run);
      const row = await enqueueOne(topic, { conversationId: 'c-9' });
      await eventually(async () => (await stateOf(jobIdFor(row))) === 'failed', 'the job to fail');
      const job = (await jobs.queue.getJob(jobIdFor(row)))!;
      expect(job.failedReason).to.equal('not_found: conversation not found');
      expect(seen.calls).to.have.length(1);
      // Recorded as failed for good, so it is never handed over again; not a secret, so the payload stays for the operator.
      const [failed] = await rowsOf(database, topic);
      expect(failed).to.deep.include({ completedAt: null, payload: { conversationId: 'c-9' }, lastError: 'not_found: conversation not found' });
      expect(failed!.failedAt).to.be.an.instanceOf(Date);
    });

    it('retries a job whose processor throws any other error', async () => {
      const topic = freshTopic('retry');
      const seen = recorder((_, call) => {
        if (call < 3) throw new Error('the mail server is busy');
      });
      jobs.register(topic, seen.run);
      const row = await enqueueOne(topic, { n: 1 });
      await eventually(async () => seen.calls.length === 3 && (await stateOf(jobIdFor(row))) === undefined, 'the third try to succeed');
      expect(seen.calls.map((c) => c.data)).to.deep.equal([1, 2, 3].map(() => ({ n: 1, shopId: null })));
    });

    it('sends a queued mail, and drops a mail job\'s payload from Redis when it fails for good', async () => {
      const sink = await smtpSink();
      const to = `queued-${Date.now()}@test.madoguchi.test`;
      await enqueueOne('mail.send', { to, subject: '件名 / Subject', text: '本文 https://desk.example.jp/secret-link' });
      const mail = await sink.waitFor((m) => m.to.includes(to));
      expect(mail.subject).to.equal('件名 / Subject');

      const dedupeKey = freshTopic('bad-mail');
      await database.db.transaction((tx) =>
        enqueue(tx, { topic: 'mail.send', payload: { to: 'not an address', subject: 's', text: 'https://desk.example.jp/secret-link' }, dedupeKey }),
      );
      const bad = jobIdFor({ id: 0, dedupeKey });
      jobs.poke();
      const failed = await eventually(async () => {
        const job = await jobs.queue.getJob(bad);
        return job && (await job.getState()) === 'failed' && !('text' in job.data) ? job : undefined;
      }, 'the bad mail to fail and lose its payload');
      expect(failed.failedReason).to.match(/^invalid_input/);
      expect(JSON.stringify(failed.data)).not.to.include('secret-link');
      const [row] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey));
      expect(row!.failedAt, 'the row records the final failure').to.be.an.instanceOf(Date);
      expect(row!.payload, 'and no longer holds the secret link').to.deep.equal({});
    });
  });
}
