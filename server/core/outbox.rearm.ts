import { randomUUID } from 'node:crypto';
import type { Db } from './db/client.ts';
import type { Logger } from './logger.ts';
import { jobOf, queuePrefixOf, replaceFailedJob, rowsWithFailedJobs, waitForDispatches } from './outbox.dispatcher.ts';
import { isFinished, unfinishedRows } from './outbox.ts';
import { ifStill } from './redis.ts';
import type { JobOptionsFor, JobQueue } from './queue.ts';

export interface RearmOptions {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  /** A topic's retry policy, as the dispatcher has it (see DispatcherOptions). */
  jobOptionsFor: JobOptionsFor;
  /** How often to look whether Redis still holds what was handed to it (one EXISTS). */
  checkMs?: number;
  /** Rows per addBulk. */
  batchSize?: number;
  /** Also run after every re-arm: state kept only in Redis, like BullMQ's job schedulers. */
  alsoRestore?: () => Promise<unknown>;
}

export interface Rearmer {
  /** Hands every unfinished row to BullMQ again; returns how many rows it went through. */
  rearm(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The key in Redis that says the queue holds what was handed to it: `pending:<token>` while a
 * re-arm runs (with a lease), `done:<token>` once one finished, gone when Redis lost its data
 * (or a test asks for a re-arm).
 */
export const rearmMarkerOf = (jobs: Pick<JobQueue, 'queue'>) => jobs.queue.toKey('outbox-armed');

/** What a re-arm leaves: anything else (nothing, an earlier version's timestamp) means Redis may have lost jobs. */
const MARKED = /^(pending|done):/;
/** How long a re-arm's `pending` marker lasts without renewal (renewed every third of it while the re-arm runs). */
const LEASE_MS = 60_000;
/** How long a re-arm keeps renewing its lease: one that hangs longer lets another process take over. */
const MAX_RUN_MS = 15 * 60_000;

/**
 * PostgreSQL is the record of work handed to BullMQ until a worker has done it. When Redis
 * may have lost its jobs (a restart without persistence, a failover, a flush), every row that
 * was handed to this queue and never finished is handed over again, under the same job id: BullMQ
 * ignores an add whose job still exists, so a job Redis kept is neither doubled nor moved,
 * and a lost one comes back with its original run time (at once if that has passed). A job
 * BullMQ failed for good whose row still is unfinished (the database was away when the failure
 * was to be recorded) is removed first, so the row runs again rather than wait 7 days.
 *
 * When: at start and after every reconnect of the producer's connection (Redis restarted or
 * failed over), and when the marker key in Redis has gone (Redis flushed without dropping the
 * connection); the check is one GET every `checkMs`. The marker is shared by every process
 * on the queue: a re-arm sets it to `pending:<token>` with a lease before it reads the rows
 * (renewed while it runs, for MAX_RUN_MS at most) and to `done:<token>` once every row is in,
 * if it is still its own. A flush at any point loses it, and so does a re-arm that died or
 * hung (its lease runs out): either way the next check of any process starts over. A value
 * of another form (an earlier version's, which never expires) is taken as lost too. Between
 * setting the marker and reading the rows it waits for the dispatches in flight to commit
 * (dispatchLock in outbox.dispatcher.ts), whose jobs a flush may have taken before their rows
 * said they were handed over.
 *
 * A re-arm that failed here is also owed: this process's next check runs it again without
 * waiting for the lease. One stopped by close() gives its marker up at its next batch of rows.
 *
 * A job whose row completed meanwhile does nothing when it runs (the worker checks the row
 * first), so a re-arm racing with a job that just finished is harmless.
 */
export function startRearming(opts: RearmOptions): Rearmer {
  const { db, jobs, logger, jobOptionsFor } = opts;
  const batchSize = opts.batchSize ?? 500;
  const marker = rearmMarkerOf(jobs);
  const prefix = queuePrefixOf(jobs);
  let closed = false;
  let running: Promise<number> | undefined;
  let again = false;
  /** The last re-arm did not finish (the marker may be set over work not handed over): the next check runs it again. */
  let owed = false;

  async function rearmAll(): Promise<number> {
    // Set before the rows are read: a flush after this loses the marker and the next check
    // starts over; one before it loses nothing handed over below. (Set only after the adds, a
    // flush between them would leave the marker over an empty queue.)
    const token = randomUUID();
    const pending = `pending:${token}`;
    await jobs.connection.set(marker, pending, 'PX', LEASE_MS);
    const started = Date.now();
    const renew = setInterval(() => {
      // The lease, renewed while it is still this re-arm's.
      if (Date.now() - started < MAX_RUN_MS) void ifStill(jobs.connection, marker, pending, 'pexpire', String(LEASE_MS)).catch(() => undefined);
    }, LEASE_MS / 3);
    renew.unref();
    try {
      await waitForDispatches(db, prefix);
      return await handOver(pending, `done:${token}`);
    } finally {
      clearInterval(renew);
    }
  }

  /** Hands every unfinished row over again, then marks the queue done (see rearmAll). */
  async function handOver(pending: string, done: string): Promise<number> {
    let after = 0;
    let seen = 0;
    for (;;) {
      if (closed) {
        // Given up: the marker goes, if it is still this re-arm's, so that another process re-arms at once.
        await ifStill(jobs.connection, marker, pending, 'del');
        return seen;
      }
      const rows = await unfinishedRows(db, prefix, after, batchSize);
      if (!rows.length) break;
      // A row whose job BullMQ failed for good while the database could not record it: the
      // failed job would make the add a no-op for 7 days; it goes, and the row is handed over
      // again (unless its failure was recorded meanwhile).
      const stale = await rowsWithFailedJobs(jobs, rows);
      const replaced = [];
      for (const row of stale) if (!(await isFinished(db, row.id)) && (await replaceFailedJob(db, jobs, row, jobOptionsFor))) replaced.push(row);
      if (replaced.length) logger.warn({ rows: replaced.map((r) => r.id) }, 'outbox: jobs failed for good without a record; handing their rows over again');
      await jobs.queue.addBulk(rows.map((r) => jobOf(r, jobOptionsFor)));
      seen += rows.length;
      after = rows.at(-1)!.id;
    }
    await opts.alsoRestore?.();
    // Every row is in: `done`, with no expiry, unless the marker was lost or taken meanwhile.
    await ifStill(jobs.connection, marker, pending, 'set', done);
    if (seen) logger.info({ rows: seen }, 'outbox: unfinished work handed to the job queue again');
    return seen;
  }

  function rearm(): Promise<number> {
    if (closed) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    owed = false;
    running = rearmAll()
      .catch((err: unknown) => {
        owed = true;
        // Redis or the database went away again: the next reconnect or check tries again.
        logger.warn({ err }, 'outbox: could not re-arm unfinished work yet');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void rearm();
        }
      });
    return running;
  }

  const onReady = () => void rearm();
  jobs.connection.on('ready', onReady);
  if (jobs.ready()) void rearm();

  const check = setInterval(() => {
    if (running || !jobs.ready()) return;
    if (owed) {
      void rearm();
      return;
    }
    jobs.connection
      .get(marker)
      .then((found) => {
        if (!found || !MARKED.test(found)) {
          logger.warn('outbox: the job queue lost its data; handing unfinished work over again');
          void rearm();
        }
      })
      .catch(() => undefined);
  }, opts.checkMs ?? 30_000);
  check.unref();

  return {
    rearm,
    async close() {
      closed = true;
      clearInterval(check);
      jobs.connection.off('ready', onReady);
      await running;
    },
  };
}
