import { Job } from 'bullmq';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { serializeError, type Logger } from './logger.ts';
import { isFinished, markCompleted, type OutboxRow } from './outbox.ts';
import { outbox } from './outbox.tables.ts';
import type { JobData, JobOptionsFor, JobQueue } from './queue.ts';
import { ifStill, withTimeout } from './redis.ts';

export type { OutboxRow };

export interface DispatcherOptions {
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  /** A topic's retry policy, from whoever starts the dispatcher (the listeners' in server/events/subscriptions.ts). */
  jobOptionsFor: JobOptionsFor;
  batchSize?: number;
  pollMs?: number;
  /** Longest wait between tries while Redis is away. */
  maxBackoffMs?: number;
  /** A row whose add hangs this long counts as failed (a half-open connection). */
  addTimeoutMs?: number;
  /** false: no polling loop, only explicit dispatchOnce() calls (tests). */
  autostart?: boolean;
}

export interface OutboxDispatcher {
  /** Dispatch now instead of at the next poll; call after committing a transaction that enqueued. */
  poke(): void;
  /** One batch: claims, adds, marks. Returns how many rows were handed to BullMQ. */
  dispatchOnce(): Promise<number>;
  /** Stops polling and waits for the batch in flight. */
  close(): Promise<void>;
}

/**
 * BullMQ ids may not be integers nor contain ':' (its key separator), so dedupe keys are
 * escaped and prefixed; `outbox-<id>` otherwise.
 */
export const jobIdFor = (row: Pick<OutboxRow, 'id' | 'dedupeKey'>) =>
  row.dedupeKey ? `k-${row.dedupeKey.replaceAll('%', '%25').replaceAll(':', '%3A')}` : `outbox-${row.id}`;

/** Which queue a row went to: the BullMQ prefix (one per deployment, from REDIS_KEY_PREFIX). */
export const queuePrefixOf = (jobs: JobQueue) => String(jobs.queue.opts.prefix);

/**
 * A dispatch adds its jobs to Redis before it commits the rows as dispatched. A re-arm that
 * read the rows before that commit would miss them, and a flush of Redis meanwhile would lose
 * their jobs for good. So each dispatch that has rows holds this lock, shared, from before its
 * first add to its commit, and a re-arm takes it exclusively (outbox.rearm.ts) after it sets
 * its marker and before it reads: every dispatch whose adds came before the marker has
 * committed by then, and a flush after the marker takes the marker too. PostgreSQL's advisory
 * lock, so it holds across processes; one per queue (the prefix's hash).
 */
const dispatchLock = (prefix: string) => sql`hashtext(${`outbox-dispatch ${prefix}`})`;
/** The dispatch lock's class (the first of its two keys): 727_001 is the migrations', 727_002 the demo seed's. */
export const DISPATCH_LOCK_CLASS = 727_003;
/** Held by a dispatch's transaction until it ends. */
export const holdDispatchLock = (tx: Db, prefix: string) => tx.execute(sql`select pg_advisory_xact_lock_shared(${DISPATCH_LOCK_CLASS}, ${dispatchLock(prefix)})`);
/** Waits for every dispatch holding the lock to end (taken and released in a transaction of its own). */
export const waitForDispatches = (db: Db, prefix: string) => db.transaction(async (tx) => void (await tx.execute(sql`select pg_advisory_xact_lock(${DISPATCH_LOCK_CLASS}, ${dispatchLock(prefix)})`)));

const errorText = (e: unknown) => {
  const s = serializeError(e);
  return String(s.message ?? s.type).slice(0, 500);
};

/**
 * The job of a row: its topic, its payload with its shop, and the row's id, by which the
 * worker marks the row done (see startJobs in server/worker.ts); retried as `optionsFor` says
 * for its topic (the queue's defaults otherwise).
 */
export const jobOf = (row: OutboxRow, optionsFor: JobOptionsFor) => ({
  name: row.topic,
  data: { ...row.payload, shopId: row.shopId, outboxId: row.id },
  opts: { ...optionsFor(row.topic), jobId: jobIdFor(row), delay: row.runAt ? Math.max(0, row.runAt.getTime() - Date.now()) : 0 },
});

/**
 * BullMQ ignores an add whose job id it still holds, and it holds a job that failed for good
 * for 7 days (removeOnFail, see queue.ts). A row handed over under such an id would never run:
 * a new row with the dedupe key of a row that failed, or a row re-armed because its failure
 * could not be recorded (the database was away when BullMQ gave up). Returns the rows whose job
 * id is in BullMQ's failed set (one pipelined ZSCORE each).
 */
export async function rowsWithFailedJobs(jobs: JobQueue, rows: OutboxRow[]): Promise<OutboxRow[]> {
  if (!rows.length) return [];
  const failedSet = jobs.queue.toKey('failed');
  const pipe = jobs.connection.pipeline();
  for (const row of rows) pipe.zscore(failedSet, jobIdFor(row));
  const answers = (await pipe.exec()) ?? [];
  return rows.filter((_, i) => {
    const [err, score] = answers[i] ?? [new Error('no answer from redis')];
    if (err) throw err;
    return score !== null;
  });
}

/**
 * Frees the job id of `row` from the job BullMQ failed for good under it, so that the add that
 * follows hands the row over; answers false when it could not be done now (another process is
 * replacing the same job: try again later). Only a job still in the failed state is removed,
 * under a short Redis lock taken by every replacer (the dispatcher, the re-arm), so a job a
 * replacer in another process has just added under that id is never removed. If the failed job
 * was another row's whose work is still owed (its failure could not be recorded), that row is
 * handed over again first, and `row` joins its job like any row with the same dedupe key.
 */
export async function replaceFailedJob(db: Db, jobs: JobQueue, row: OutboxRow, optionsFor: JobOptionsFor): Promise<boolean> {
  const id = jobIdFor(row);
  const lock = jobs.queue.toKey(`replace:${id}`);
  const token = `${process.pid}:${row.id}:${Date.now()}`;
  if ((await jobs.connection.set(lock, token, 'PX', 10_000, 'NX')) !== 'OK') return false;
  try {
    const job = await Job.fromId(jobs.queue, id);
    if (!job || !(await job.isFailed())) return true;
    const owner = (job.data as { outboxId?: unknown }).outboxId;
    await job.remove();
    if (typeof owner === 'number' && owner !== row.id && !(await isFinished(db, owner))) {
      const [o] = await db.select().from(outbox).where(eq(outbox.id, owner));
      if (o) {
        const again = jobOf(o as OutboxRow, optionsFor);
        await jobs.queue.add(again.name, again.data, again.opts);
      }
    }
    return true;
  } finally {
    // Only our own lock: one that expired and was taken by someone else stays theirs.
    await ifStill(jobs.connection, lock, token, 'del').catch(() => undefined);
  }
}

/**
 * Hands outbox rows to BullMQ. Rows are claimed with `FOR UPDATE SKIP LOCKED` inside a
 * transaction, added as jobs, and marked dispatched before the commit. Two dispatchers never
 * add one row twice; a crash between the add and the commit re-adds it under the same job id.
 * While Redis is away the rows stay pending with `attempts` and `last_error`, and the loop
 * backs off. The payload stays on the row until the work is done (the worker empties it), so
 * a job that Redis loses can be added again (see outbox.rearm.ts).
 */
export function createDispatcher(opts: DispatcherOptions): OutboxDispatcher {
  const { db, jobs, logger, jobOptionsFor } = opts;
  const batchSize = opts.batchSize ?? 100;
  const pollMs = opts.pollMs ?? 250;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const addTimeoutMs = opts.addTimeoutMs ?? 3000;
  const queuePrefix = queuePrefixOf(jobs);

  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  async function recordFailure(tx: Db, ids: number[], e: unknown) {
    if (!ids.length) return;
    await tx
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: errorText(e) })
      .where(inArray(outbox.id, ids));
  }

  async function dispatchOnce(): Promise<number> {
    let failed = false;
    const sent = await db.transaction(async (tx) => {
      const rows = await tx.select().from(outbox).where(isNull(outbox.dispatchedAt)).orderBy(asc(outbox.id)).limit(batchSize).for('update', { skipLocked: true });
      if (rows.length) await holdDispatchLock(tx, queuePrefix);
      let done = 0;
      let stale = new Set<number>();
      for (const [i, row] of rows.entries()) {
        try {
          if (!jobs.ready()) throw new Error('redis is not connected');
          // A failed job under this id is an earlier row's with the same dedupe key: it goes (see
          // replaceFailedJob); while another process replaces it, the row waits for the next round.
          if (i === 0) stale = new Set((await withTimeout(rowsWithFailedJobs(jobs, rows), addTimeoutMs)).map((r) => r.id));
          if (stale.has(row.id) && !(await withTimeout(replaceFailedJob(db, jobs, row, jobOptionsFor), addTimeoutMs))) continue;
          const job = jobOf(row, jobOptionsFor);
          await withTimeout(jobs.queue.add(job.name, job.data, job.opts), addTimeoutMs);
        } catch (e) {
          // Redis being away fails every row alike: note it on the rest of the batch and stop.
          failed = true;
          await recordFailure(tx, rows.slice(i).map((r) => r.id), e);
          break;
        }
        await tx.update(outbox).set({ dispatchedAt: new Date(), dispatchedTo: queuePrefix }).where(and(eq(outbox.id, row.id), isNull(outbox.dispatchedAt)));
        done++;
      }
      return { done, full: rows.length === batchSize };
    });
    if (failed) {
      if (failures++ === 0) logger.warn('outbox: cannot hand rows to the job queue; they stay pending and are retried');
    } else {
      if (failures) logger.info({ after: failures }, 'outbox: dispatching again');
      failures = 0;
    }
    again ||= sent.full && !failed;
    return sent.done;
  }

  function schedule(ms: number) {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  }

  function run() {
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = dispatchOnce()
      .then(() => undefined)
      .catch((err: unknown) => {
        // The database itself failed (restart, lost connection): back off like for Redis.
        failures++;
        logger.error({ err }, 'outbox: dispatch failed');
      })
      .finally(() => {
        running = undefined;
        const backoff = failures ? Math.min(maxBackoffMs, pollMs * 2 ** Math.min(failures, 10)) : pollMs;
        schedule(again && !failures ? 0 : backoff);
      });
  }

  if (opts.autostart !== false) schedule(0);
  else closed = true;
  return {
    poke() {
      // During a Redis outage a poke must not defeat the backoff.
      if (!closed && !failures) (running ? (again = true) : schedule(0));
    },
    dispatchOnce,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Runs a shop's pending rows of one topic in this process, for the operator's CLI, which has
 * no worker. A row whose run throws stays pending, and the dispatcher of the next server or
 * worker to start delivers it. Returns how many ran. `run` gets the transaction that holds the
 * rows: what it writes goes through it (the embedded database has one connection, and a
 * write beside the transaction would wait for it forever).
 */
export async function runPendingNow(
  db: Db,
  which: { shopId: string; topic: string },
  run: (data: JobData, tx: Db) => Promise<unknown>,
): Promise<{ ran: number; failed: number }> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.shopId, which.shopId), eq(outbox.topic, which.topic), isNull(outbox.dispatchedAt)))
      .orderBy(asc(outbox.id))
      .for('update', { skipLocked: true });
    let ran = 0;
    for (const row of rows) {
      try {
        await run({ ...row.payload, shopId: row.shopId }, tx);
      } catch (e) {
        await tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: errorText(e) }).where(eq(outbox.id, row.id));
        continue;
      }
      await markCompleted(tx, row.id);
      ran++;
    }
    return { ran, failed: rows.length - ran };
  });
}
