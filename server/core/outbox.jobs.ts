import { isDeepStrictEqual } from 'node:util';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Db } from './db/client.ts';
import { isDomainError } from './errors.ts';
import { serializeError, type Logger } from './logger.ts';
import { jobIdFor } from './outbox.dispatcher.ts';
import { ledgerRowOf, markCompleted, markFailed } from './outbox.ts';
import type { JobData, JobProcessor } from './queue.ts';
import { unavailableDependency } from './unavailable.ts';

/** The outbox row a job was made from (see jobOf in outbox.dispatcher.ts); absent for jobs of BullMQ's own schedulers. */
const rowOf = (job: Job<JobData>): number | undefined => (typeof job.data.outboxId === 'number' ? job.data.outboxId : undefined);

type LedgerRow = NonNullable<Awaited<ReturnType<typeof ledgerRowOf>>>;

/**
 * True when `job` is the one the dispatcher made of `row` (jobOf in outbox.dispatcher.ts): the
 * row's topic, its job id (from its dedupe key: rows merged into the job under that key are
 * recorded with the row it names, see markCompleted) and its payload. A job left in Redis by
 * another database (one since restored from a backup) may name a row id that now holds other
 * work; run, it would do its old work and mark the new row done.
 */
export function madeFrom(job: Job<JobData>, row: LedgerRow): boolean {
  const { outboxId: _id, ...data } = job.data;
  return job.name === row.topic && job.id === jobIdFor(row) && isDeepStrictEqual(data, { ...row.payload, shopId: row.shopId });
}

const errorText = (e: unknown) => {
  const s = serializeError(e);
  return String(s.message ?? s.type);
};

/**
 * True when a job failed because PostgreSQL could not be reached (refused, dropped, shutting
 * down), or a processor said so with a 503 `unavailable`: not the job's fault, so it waits for
 * the database rather than spending an attempt.
 */
export const isDatabaseAway = (e: unknown): boolean => unavailableDependency(e) === 'database';

/**
 * True when this failure is the job's last: a domain error, or no attempts left. A database
 * outage never is, nor a job that moved itself to the delayed set (DelayedError: a Slack 429's
 * Retry-After), which spends no attempt.
 */
export const isFinalFailure = (job: Job, err: unknown) =>
  !isDatabaseAway(err) && !(err instanceof DelayedError) && (err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1));

export interface LedgerOptions {
  /** The first wait of a job that found the database away; later waits grow with the outage. */
  databaseWaitMs?: number;
  /** The longest wait: once the database is back, a waiting job runs within this. */
  databaseWaitMaxMs?: number;
  /** How long this process remembers work the database could not record (default 1 hour); its job may never come back here. */
  unrecordedTtlMs?: number;
  /** At most this many such memories (default 10,000); the oldest go first. */
  unrecordedMax?: number;
  /** The clock, for tests of the time-to-live. */
  now?: () => number;
}

/** What a job did that the database could not record yet; this process records it when the job comes back. */
type Unrecorded = ({ done: true } | { done: false; error: string }) & { at: number };

/**
 * Runs a job's processor against the outbox's record of it, so PostgreSQL knows what is done:
 *
 * - a job whose row is already finished does nothing: a re-armed copy of work that was done
 *   meanwhile, or a row gone with its shop;
 * - a job that is not the one made of the row it names (another topic, job id or payload: a job
 *   left in Redis by a database since restored) is dropped with a warning: it neither runs nor
 *   touches the row;
 * - when the processor returns, the row is completed and its payload emptied, before BullMQ
 *   removes the job, so no moment exists where neither holds the work;
 * - when it fails for good (a DomainError becomes BullMQ's UnrecoverableError, or the last
 *   attempt failed), the row is marked failed, its payload emptied when `secret`.
 *
 * A database outage is not the job's fault. A job that cannot reach PostgreSQL (to read its
 * row, in its processor, or to record what it did) goes back to BullMQ's delayed set without
 * spending an attempt (`job.moveToDelayed` + `DelayedError`, as BullMQ documents for delaying
 * a job from its processor), to be tried again after a wait that grows with the outage, up to
 * `databaseWaitMaxMs`; however long the outage, it runs once the database is back. If the work
 * was done (or failed for good) but the database could not record it, this process remembers
 * that for the row (an hour at most), and the job comes back for the record alone, never to do
 * the work again; if the job goes to another process instead, that one does the work again.
 *
 * Delivery is at least once: a process that dies between the processor's return and the
 * record, a job that stalls, or a processor that did part of its work before the database went
 * away runs the work again. See registerAll in server/worker.ts for what that means per topic.
 */
export function outboxLedger(db: Db, logger: Logger, opts: LedgerOptions = {}) {
  const firstWait = opts.databaseWaitMs ?? 1000;
  const maxWait = opts.databaseWaitMaxMs ?? 30_000;
  const ttl = opts.unrecordedTtlMs ?? 3_600_000;
  const maxUnrecorded = opts.unrecordedMax ?? 10_000;
  const clock = opts.now ?? Date.now;
  /**
   * Keyed by outbox row, never by job id: a job id comes from a dedupe key, and a later row with
   * the same key (the same snooze chosen again) is new work that must run. An entry goes when
   * its row is recorded, after `ttl` (its job may have gone to another process, which did the
   * work again and recorded it), or when the map is full, oldest first.
   */
  const unrecorded = new Map<number, Unrecorded>();

  function remember(id: number, what: { done: true } | { done: false; error: string }) {
    unrecorded.delete(id);
    unrecorded.set(id, { ...what, at: clock() });
    for (const [key, entry] of unrecorded) {
      if (unrecorded.size <= maxUnrecorded && clock() - entry.at < ttl) break;
      unrecorded.delete(key);
    }
  }

  function recall(id: number): Unrecorded | undefined {
    const entry = unrecorded.get(id);
    if (entry && clock() - entry.at >= ttl) {
      unrecorded.delete(id);
      return undefined;
    }
    return entry;
  }
  /** When this process first found the database away, in the outage going on; 0 when none is. */
  let awaySince = 0;

  function databaseAnswers() {
    if (!awaySince) return;
    logger.info({ afterMs: Date.now() - awaySince }, 'jobs: the database answers again; waiting jobs run');
    awaySince = 0;
  }

  /** Back to the delayed set, no attempt spent; the wait doubles with each try as the outage goes on. */
  async function waitForDatabase(job: Job, token: string, err: unknown): Promise<never> {
    const now = Date.now();
    if (!awaySince) {
      awaySince = now;
      logger.warn({ err, topic: job.name, jobId: job.id }, 'jobs: the database cannot be reached; jobs wait for it without spending attempts');
    }
    const wait = Math.min(maxWait, Math.max(firstWait, now - awaySince));
    await job.moveToDelayed(now + wait, token);
    logger.debug({ topic: job.name, jobId: job.id, waitMs: wait }, 'jobs: waiting for the database');
    throw new DelayedError(`waiting ${wait} ms for the database`);
  }

  async function attempt(job: Job<JobData>, processor: JobProcessor, secret: boolean): Promise<unknown> {
    const id = rowOf(job);
    const { outboxId: _id, ...rest } = job.data;
    const data = rest as JobData;
    if (id === undefined) {
      const result = await runMapped(processor, data, job);
      databaseAnswers();
      return result;
    }
    const row = await ledgerRowOf(db, id);
    databaseAnswers();
    if (row && !madeFrom(job, row)) {
      logger.warn({ jobId: job.id, topic: job.name, outboxId: id, rowTopic: row.topic }, 'jobs: a job names an outbox row that is not its own (left in Redis from another database?); dropped without running it or touching the row');
      return 'not its row';
    }
    const pending = recall(id);
    if (pending) {
      // Its job came back: remembered for another `ttl`, however long the outage.
      remember(id, pending);
      if (pending.done) await markCompleted(db, id);
      else await markFailed(db, id, pending.error, secret);
      unrecorded.delete(id);
      if (!pending.done) throw new UnrecoverableError(pending.error);
      return 'recorded';
    }
    // Done or given up meanwhile, or gone with its shop.
    if (!row || row.completedAt || row.failedAt) return 'already done';
    let result: unknown;
    try {
      result = await runMapped(processor, data, job);
    } catch (e) {
      if (isFinalFailure(job, e)) {
        await markFailed(db, id, errorText(e), secret).catch((err: unknown) => {
          if (!isDatabaseAway(err)) return logger.warn({ err, jobId: job.id }, 'outbox: could not record a final failure');
          // Recorded when the job comes back; the work is not tried again.
          remember(id, { done: false, error: errorText(e) });
          throw err;
        });
      }
      throw e;
    }
    try {
      await markCompleted(db, id);
    } catch (e) {
      remember(id, { done: true });
      logger.warn({ err: e, jobId: job.id }, 'outbox: the work is done but could not be recorded; retrying the record');
      if (isDatabaseAway(e)) throw e;
      throw new Error('the work is done but the database could not record it; retrying the record only');
    }
    return result;
  }

  async function run(job: Job<JobData>, processor: JobProcessor, secret: boolean, token?: string): Promise<unknown> {
    try {
      return await attempt(job, processor, secret);
    } catch (e) {
      if (token && isDatabaseAway(e)) return waitForDatabase(job, token, e);
      throw e;
    }
  }

  /**
   * BullMQ failed the job for good: for failures the processor never saw (a job stalled too
   * often, its move to the delayed set failed), or a record that kept failing. What this process
   * remembers of the row wins: work that was done is recorded completed, never failed. The
   * memory goes once recorded; if the database cannot record it now, the row stays unfinished,
   * and the re-arm hands it over again (see outbox.rearm.ts).
   */
  async function failedForGood(job: Job<JobData>, err: unknown, secret: boolean): Promise<void> {
    const id = rowOf(job);
    if (id === undefined) return;
    const pending = recall(id);
    // A job that never passed the check of its row (no processor for its topic, stalled) may be
    // one left from another database: its failure is not that row's.
    const row = pending ? undefined : await ledgerRowOf(db, id);
    if (!pending && (!row || !madeFrom(job, row))) return;
    if (pending?.done) await markCompleted(db, id);
    else await markFailed(db, id, pending ? pending.error : errorText(err), secret);
    unrecorded.delete(id);
  }

  return { run, failedForGood };
}

/**
 * A DomainError is permanent (UnrecoverableError), except `unavailable`: a dependency away
 * for a moment. The database's is waited out (see outboxLedger); Redis's is retried.
 */
async function runMapped(processor: JobProcessor, data: JobData, job: Job): Promise<unknown> {
  try {
    return await processor(data, job);
  } catch (e) {
    if (isDomainError(e) && e.code === 'unavailable') {
      if (isDatabaseAway(e)) throw e;
      throw new Error(`${e.code}: ${e.message}`, { cause: e });
    }
    if (isDomainError(e)) throw new UnrecoverableError(`${e.code}: ${e.message}`);
    throw e;
  }
}
