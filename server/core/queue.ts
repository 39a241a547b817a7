import { Queue, Worker, type BackoffStrategy, type Job, type JobsOptions, type RedisOptions, type WorkerOptions } from 'bullmq';
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
  /** First retry delay of the queue's default; later ones double (attempts 5, exponential). */
  retryDelayMs?: number;
  /** Another queue than `jobs`, with workers of its own (the bulk notice mail: notices.send.ts). */
  queueName?: string;
}

/** What a job receives: the outbox row's payload, with the row's shop. */
export type JobData = Record<string, unknown> & { shopId: string | null };

/**
 * Does one job. Throw a DomainError for a permanent failure (no retry); anything else thrown
 * is retried with backoff. `job` gives `attemptsMade`, `id` and the like when needed.
 */
export type JobProcessor = (data: JobData, job?: Job) => Promise<unknown>;

export const bullPrefix = (keyPrefix: string) => `${keyPrefix}bull`;

/** What every job gets unless its topic has a retry policy (see JobOptionsFor): tried 5 times (waits of 5, 10, 20, 40 s), gone once done, kept a week when it finally fails. */
export const defaultJobOptions = (retryDelayMs = 5000): JobsOptions => ({
  attempts: 5,
  backoff: { type: 'exponential', delay: retryDelayMs },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
});

/**
 * How a topic's failed jobs are tried again: a customer's mail must outlive an outage of the
 * mail server of a few hours, other work gives up sooner (see server/events/subscriptions.ts).
 */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the second try; each next wait doubles. */
  firstDelayMs: number;
  /** No wait is longer: an outage of hours is tried through at a steady pace, and work goes soon after it ends. */
  maxDelayMs?: number;
}

/** The backoff type of a capped policy, with its cap: `capped-exponential:<ms>` (BullMQ's exponential has none). */
const CAPPED = 'capped-exponential:';

/**
 * The job options of `policy`. `firstDelayMs` shortens it for tests: the first wait becomes
 * that, the cap in proportion.
 */
export function retryOptions(policy: RetryPolicy, firstDelayMs = policy.firstDelayMs): Pick<JobsOptions, 'attempts' | 'backoff'> {
  const cap = policy.maxDelayMs && Math.max(1, Math.round((policy.maxDelayMs * firstDelayMs) / policy.firstDelayMs));
  return { attempts: policy.attempts, backoff: cap ? { type: `${CAPPED}${cap}`, delay: firstDelayMs } : { type: 'exponential', delay: firstDelayMs } };
}

/** The options a topic's jobs are added with over the queue's defaults (its retry policy), or undefined for the defaults. */
export type JobOptionsFor = (topic: string) => Pick<JobsOptions, 'attempts' | 'backoff'> | undefined;

/**
 * The worker's backoff for capped policies: BullMQ's exponential (`delay` × 2^(tries − 1)), no
 * wait longer than the cap its type names. Registered on every worker (openJobWorker).
 */
export const cappedBackoff: BackoffStrategy = (attemptsMade, type, _err, job) => {
  const cap = type?.startsWith(CAPPED) ? Number(type.slice(CAPPED.length)) : Number.NaN;
  const backoff = job?.opts.backoff;
  const first = typeof backoff === 'number' ? backoff : backoff?.delay;
  if (!Number.isFinite(cap) || first === undefined) throw new Error(`unknown backoff ${String(type)}`);
  return Math.min(cap, Math.round(first * 2 ** (attemptsMade - 1)));
};

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
  const queue = new Queue(opts.queueName ?? JOBS_QUEUE, {
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
  opts: JobQueueOptions & { concurrency?: number; worker?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> },
  /** `token` is the job's lock, for moving it from inside the processor (job.moveToDelayed). */
  processor: (job: Job, token?: string) => Promise<unknown>,
): Worker {
  const connection = typeof target === 'string' ? { url: target, maxRetriesPerRequest: null } : { ...target, maxRetriesPerRequest: null };
  const worker = new Worker(opts.queueName ?? JOBS_QUEUE, processor, {
    ...opts.worker,
    connection,
    prefix: bullPrefix(opts.keyPrefix),
    concurrency: opts.concurrency ?? 4,
    // Retry waits are computed by the worker that saw the failure: every worker knows capped policies.
    settings: { backoffStrategy: cappedBackoff },
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

