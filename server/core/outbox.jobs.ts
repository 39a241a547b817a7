import { UnrecoverableError, type Job } from 'bullmq';
import type { Db } from './db/client.ts';
import { isDomainError } from './errors.ts';
import { serializeError, type Logger } from './logger.ts';
import { isFinished, markCompleted, markFailed } from './outbox.ts';
import type { JobData, JobProcessor } from './queue.ts';

/** The outbox row a job was made from (see jobOf in outbox.dispatcher.ts); absent for jobs of BullMQ's own schedulers. */
const rowOf = (job: Job<JobData>): number | undefined => (typeof job.data.outboxId === 'number' ? job.data.outboxId : undefined);

const errorText = (e: unknown) => {
  const s = serializeError(e);
  return String(s.message ?? s.type);
};

/** True when this failure is the job's last: a domain error, or no attempts left. */
export const isFinalFailure = (job: Job, err: unknown) =>
  err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * Runs a job's processor against the outbox's record of it, so PostgreSQL knows what is done:
 *
 * - a job whose row is already finished does nothing: a re-armed copy of work that was done
 *   meanwhile, or a row gone with its shop;
 * - when the processor returns, the row is completed and its payload emptied, before BullMQ
 *   removes the job, so no moment exists where neither holds the work;
 * - when it fails for good (a DomainError becomes BullMQ's UnrecoverableError, or the last
 *   attempt failed), the row is marked failed, its payload emptied when `secret`.
 *
 * If the work was done but the database could not record it, the job is retried for the
 * record alone: this process remembers that the processor already ran. Only a crash between
 * the processor's return and the record can run a job twice; see registerAll in
 * server/worker.ts for why that is harmless for each topic.
 */
export function outboxLedger(db: Db, logger: Logger) {
  const doneButUnrecorded = new Set<string>();

  async function run(job: Job<JobData>, processor: JobProcessor, secret: boolean): Promise<unknown> {
    const id = rowOf(job);
    const { outboxId: _id, ...rest } = job.data;
    const data = rest as JobData;
    if (id === undefined) return runMapped(processor, data, job);
    const key = job.id ?? '';
    if (doneButUnrecorded.has(key)) {
      await markCompleted(db, id);
      doneButUnrecorded.delete(key);
      return 'recorded';
    }
    if (await isFinished(db, id)) return 'already done';
    let result: unknown;
    try {
      result = await runMapped(processor, data, job);
    } catch (e) {
      if (isFinalFailure(job, e)) await markFailed(db, id, errorText(e), secret).catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'outbox: could not record a final failure'));
      throw e;
    }
    try {
      await markCompleted(db, id);
    } catch (e) {
      doneButUnrecorded.add(key);
      logger.warn({ err: e, jobId: job.id }, 'outbox: the work is done but could not be recorded; retrying the record');
      throw new Error('the work is done but the database could not record it; retrying the record only');
    }
    return result;
  }

  /** For failures the processor never saw (a job stalled too often): the row is marked failed all the same. */
  async function failedForGood(job: Job<JobData>, err: unknown, secret: boolean): Promise<void> {
    const id = rowOf(job);
    if (id !== undefined) await markFailed(db, id, errorText(err), secret);
  }

  return { run, failedForGood };
}

async function runMapped(processor: JobProcessor, data: JobData, job: Job): Promise<unknown> {
  try {
    return await processor(data, job);
  } catch (e) {
    if (isDomainError(e)) throw new UnrecoverableError(`${e.code}: ${e.message}`);
    throw e;
  }
}
