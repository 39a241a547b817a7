import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullPrefix, JOBS_QUEUE } from '../queue.ts';
import { knownMigrations, type MigrationLevel, type Query } from './backup.manifest.ts';

/**
 * After a restore, the job queue still holds the jobs of the database that was replaced, and
 * their `outboxId`s name other rows of the restored one (its ids count on from the backup's
 * point); the work the restored database still owes, handed to a queue before the backup, may
 * be in no queue at all. So the queue is emptied, and every unfinished row is handed over anew.
 */

/** From this migration on, a row handed over and neither completed nor failed is work still owed (before it, handing over was the end). */
const OWED_FROM = '0012_outbox_handed_over_before_is_done';

/**
 * Makes the restored database's unfinished outbox rows (handed over, neither completed nor
 * failed) pending again, so the dispatcher hands them to the queue as if never dispatched,
 * whatever the queue's prefix or contents. Returns how many. An archive from before
 * migration 0012 is left alone: there a handed-over row may be long done, and 0012 (run when
 * the server starts) counts those rows as done.
 */
export async function reopenOwedWork(query: Query, level: MigrationLevel): Promise<number> {
  const from = knownMigrations().find((m) => m.tag === OWED_FROM);
  if (!from || level.latestAt == null || level.latestAt < from.when) return 0;
  const rows = await query(
    `update public.outbox set dispatched_at = null, dispatched_to = null
     where dispatched_at is not null and completed_at is null and failed_at is null returning id`,
  );
  return rows.length;
}

/**
 * The private redis-server's data (DATA_DIR/redis): derived state, jobs of the replaced
 * database among it, so it is deleted. Returns whether there was any.
 */
export async function removePrivateRedis(dataDir: string): Promise<boolean> {
  const dir = join(dataDir, 'redis');
  if (!(await stat(dir).then(() => true, () => false))) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** The Redis the servers' job queue is in, and its REDIS_KEY_PREFIX. */
export interface QueueTarget {
  url: string;
  keyPrefix: string;
}

/** A Redis URL for messages: without its password. */
export const shownUrl = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

/**
 * Removes the job queue under the prefix with everything in it (BullMQ's obliterate, forced:
 * the servers are stopped, so no job is really active). Nothing thrown when Redis cannot be
 * reached within `timeoutMs`: the answer says so, for the caller to tell the operator.
 */
export async function clearJobQueue(target: QueueTarget, timeoutMs = 5000): Promise<{ cleared: true; jobs: number } | { cleared: false; reason: string }> {
  const connection = new Redis(target.url, { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let cause: Error | undefined; // the socket's own error (ECONNREFUSED…), more telling than the failed connect()
  connection.on('error', (e: Error) => (cause ??= e));
  try {
    await connection.connect();
  } catch (e) {
    connection.disconnect();
    return { cleared: false, reason: (cause ?? (e as Error)).message };
  }
  const queue = new Queue(JOBS_QUEUE, { connection, prefix: bullPrefix(target.keyPrefix) });
  queue.on('error', () => undefined);
  try {
    const counts = await queue.getJobCounts();
    await queue.obliterate({ force: true });
    return { cleared: true, jobs: Object.values(counts).reduce((n, c) => n + c, 0) };
  } catch (e) {
    return { cleared: false, reason: (e as Error).message };
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}

/** What to tell the operator when the queue could not be emptied: which keys, and how. */
export function clearByHand(target: QueueTarget, reason: string): string {
  const url = shownUrl(target.url);
  const cli = url === target.url ? `redis-cli -u '${url}'` : 'redis-cli -u "$REDIS_URL"';
  const pattern = `${bullPrefix(target.keyPrefix)}:${JOBS_QUEUE}:*`;
  return (
    `the job queue in Redis at ${url} could not be emptied (${reason}): it may still hold jobs of the database that was replaced, whose outbox ids now name other rows. ` +
    `Before starting madoguchi, delete its keys (those under ${pattern}): ${cli} --scan --pattern '${pattern}' | xargs -r ${cli} del`
  );
}
