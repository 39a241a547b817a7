import { Queue, Worker, type Job, type JobsOptions, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';
import { unavailableDependency } from './unavailable.ts';

/** The one BullMQ queue; a job's name is its outbox topic. */
export const JOBS_QUEUE = 'jobs';

/** A Redis URL, or ioredis connection options (host, port, password, db, tls). */
export type RedisTarget = string | RedisOptions;

export interface JobQueueOptions {
  /** REDIS_KEY_PREFIX: BullMQ keys go under `<prefix>bull:jobs:…`, apart from other deployments and test servers. */
  keyPrefix: string;
  logger?: Logger;
  /** First retry delay; later ones double (attempts 5, exponential). */
  retryDelayMs?: number;
}

/** What a job receives: the outbox row's payload, with the row's shop. */
export type JobData = Record<string, unknown> & { shopId: string | null };

/**
 * Does one job. Throw a DomainError for a permanent failure (no retry); anything else thrown
 * is retried with backoff. `job` gives `attemptsMade`, `id` and the like when needed.
 */
export type JobProcessor = (data: JobData, job?: Job) => Promise<unknown>;

export const bullPrefix = (keyPrefix: string) => `${keyPrefix}bull`;

/** What every job gets: retried 5 times, gone once done, kept a week when it finally fails. */
export const defaultJobOptions = (retryDelayMs = 5000): JobsOptions => ({
  attempts: 5,
  backoff: { type: 'exponential', delay: retryDelayMs },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
});

/** Connection fields only: BullMQ refuses an ioredis keyPrefix, and our own retry limits must not leak in. */
export function connectionOf(redis: Redis): RedisOptions {
  const { host, port, username, password, db, tls, family } = redis.options;
  return { host, port, username, password, db, tls, family };
}

const withTarget = (target: RedisTarget, extra: RedisOptions): Redis =>
  typeof target === 'string' ? new Redis(target, extra) : new Redis({ ...target, ...extra });

export interface JobQueue {
  queue: Queue;
  /** The producer's own connection: its 'ready' after a reconnect is when Redis may have lost jobs. */
  connection: Redis;
  /** True while the producer connection can take commands; the dispatcher does not try otherwise. */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * The producer side. Its connection fails fast (no offline queue): an `add` while Redis is away
 * must reject at once, so the dispatcher can record the error and keep the row, instead of
 * hanging inside a database transaction and adding the job minutes later behind its back.
 */
export function openJobQueue(target: RedisTarget, opts: JobQueueOptions): JobQueue {
  const connection = withTarget(target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  connection.on('error', (err: Error) => opts.logger?.debug({ err: err.message }, 'job queue: redis connection problem'));
  const queue = new Queue(JOBS_QUEUE, {
    connection,
    prefix: bullPrefix(opts.keyPrefix),
    defaultJobOptions: defaultJobOptions(opts.retryDelayMs),
  });
  queue.on('error', (err) => opts.logger?.debug({ err: err.message }, 'job queue error'));
  return {
    queue,
    connection,
    ready: () => connection.status === 'ready',
    close: async () => {
      // Bounded: a queue that never reached Redis would otherwise wait for it forever.
      await Promise.race([queue.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      connection.disconnect();
    },
  };
}

/**
 * The consumer side. BullMQ owns its connections, which must retry forever
 * (`maxRetriesPerRequest: null`): a worker waits out a Redis restart.
 */
export function openJobWorker(
  target: RedisTarget,
  opts: JobQueueOptions & { concurrency?: number },
  /** `token` is the job's lock, for moving it from inside the processor (job.moveToDelayed). */
  processor: (job: Job, token?: string) => Promise<unknown>,
): Worker {
  const connection = typeof target === 'string' ? { url: target, maxRetriesPerRequest: null } : { ...target, maxRetriesPerRequest: null };
  const worker = new Worker(JOBS_QUEUE, processor, {
    connection,
    prefix: bullPrefix(opts.keyPrefix),
    concurrency: opts.concurrency ?? 4,
  });
  // While Redis is away each of the worker's connections reports every reconnect attempt:
  // one line a minute says so; any other error is logged as it comes.
  let quietUntil = 0;
  worker.on('error', (err) => {
    const away = unavailableDependency(err) !== undefined;
    if (away && Date.now() < quietUntil) return;
    if (away) quietUntil = Date.now() + 60_000;
    opts.logger?.warn({ err }, away ? 'job worker: redis cannot be reached; jobs wait until it is back' : 'job worker error');
  });
  return worker;
}

/**
 * Closes a worker, letting its running jobs finish for up to `graceMs`, then forcing it.
 * BullMQ's `close()` waits for the jobs in hand and, after Redis has been restarted, could wait
 * for ever: a SIGTERM then left the process running until its supervisor killed it. A job cut
 * short keeps its lock until that expires and runs again (delivery is at least once anyway).
 */
export async function closeWorker(worker: Worker, graceMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = worker.close().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), graceMs);
    timer.unref();
  });
  const closed = await Promise.race([graceful, late]);
  clearTimeout(timer);
  if (!closed) await Promise.race([worker.close(true).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
}

