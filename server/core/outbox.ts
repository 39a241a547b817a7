import { and, asc, count, eq, gt, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { outbox } from './outbox.tables.ts';

export interface OutboxItem {
  shopId?: string | null;
  /** What the worker does with it, e.g. `mail.invitation`, `sla.check`. */
  topic: string;
  payload: Record<string, unknown>;
  /** Run no earlier than this (a timer); omitted means as soon as dispatched. */
  runAt?: Date;
  /** Dispatching twice still adds one job: the dedupe key becomes the BullMQ job id. */
  dedupeKey?: string;
}

/**
 * Records work to do after the surrounding transaction commits. Call it with the
 * transaction of the change that causes the work, never with a bare connection.
 */
export async function enqueue(tx: Db, items: OutboxItem | OutboxItem[]): Promise<void> {
  const rows = (Array.isArray(items) ? items : [items]).map((i) => ({
    shopId: i.shopId ?? null,
    topic: i.topic,
    payload: i.payload,
    runAt: i.runAt ?? null,
    dedupeKey: i.dedupeKey ?? null,
  }));
  if (rows.length) await tx.insert(outbox).values(rows);
}

export type OutboxRow = typeof outbox.$inferSelect;

/** Serialises, until the transaction ends, the transactions that write rows under `key` (an advisory lock; PGlite and PostgreSQL alike). */
export async function lockKey(tx: Db, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`outbox:${key}`}))`);
}

/** Which of `keys` some row (finished or not, until pruned) already has as its dedupe key. */
export async function existingKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const rows = await db.select({ k: outbox.dedupeKey }).from(outbox).where(inArray(outbox.dedupeKey, keys));
  return new Set(rows.map((r) => r.k!));
}

/** Handed over, neither completed nor failed for good: the rows whose work is still owed. */
const unfinished = and(isNotNull(outbox.dispatchedAt), isNull(outbox.completedAt), isNull(outbox.failedAt));

/** True when the row's work is done or given up (or the row is gone with its shop): a job for it does nothing. */
export async function isFinished(db: Db, id: number): Promise<boolean> {
  const [row] = await db.select({ completedAt: outbox.completedAt, failedAt: outbox.failedAt }).from(outbox).where(eq(outbox.id, id));
  return !row || row.completedAt !== null || row.failedAt !== null;
}

/** Row `id` as a job of it must match it (see outboxLedger): what the job is, and whether its work is still owed. */
export async function ledgerRowOf(db: Db, id: number) {
  const [row] = await db
    .select({ id: outbox.id, topic: outbox.topic, dedupeKey: outbox.dedupeKey, shopId: outbox.shopId, payload: outbox.payload, completedAt: outbox.completedAt, failedAt: outbox.failedAt })
    .from(outbox)
    .where(eq(outbox.id, id));
  return row;
}

/**
 * The work of row `id` is done: it and the rows merged into its job (same dedupe key, handed
 * over while the job waited) are completed, and their payloads emptied. Marks the row
 * dispatched too, in case the dispatcher's transaction that added the job never committed,
 * so it is not handed over again.
 */
export async function markCompleted(db: Db, id: number): Promise<void> {
  const now = new Date();
  const key = db.select({ k: outbox.dedupeKey }).from(outbox).where(eq(outbox.id, id));
  await db
    .update(outbox)
    .set({ completedAt: now, dispatchedAt: sql`coalesce(${outbox.dispatchedAt}, ${now})`, payload: {} })
    .where(and(isNull(outbox.completedAt), isNull(outbox.failedAt), or(eq(outbox.id, id), and(isNotNull(outbox.dispatchedAt), eq(outbox.dedupeKey, key)))));
}

/** The job of row `id` failed for good; `secret` payloads are emptied, others kept for the operator. */
export async function markFailed(db: Db, id: number, error: string, secret: boolean): Promise<void> {
  const now = new Date();
  const key = db.select({ k: outbox.dedupeKey }).from(outbox).where(eq(outbox.id, id));
  await db
    .update(outbox)
    .set({ failedAt: now, lastError: error.slice(0, 500), ...(secret ? { payload: {} } : {}) })
    .where(and(isNull(outbox.completedAt), isNull(outbox.failedAt), or(eq(outbox.id, id), and(isNotNull(outbox.dispatchedAt), eq(outbox.dedupeKey, key)))));
}

/**
 * Rows that failed for good (a mail server away longer than their retries), handed over again:
 * each goes back to pending, and the dispatcher of a running server or worker adds its job,
 * replacing the one BullMQ keeps failed under its id (replaceFailedJob). Only rows of `topic`,
 * and that failed at `since` or later, when given. A row whose payload was dropped when it failed
 * (it held secrets: a mail with a sign-in link) cannot run again and is left as it is.
 *
 * @example
 * await retryFailed(db, { topic: 'return.approved>return-customer-mail', since: new Date('2026-12-04T09:00:00+09:00') });
 */
export async function retryFailed(db: Db, which: { topic?: string; since?: Date } = {}): Promise<{ retried: number; dropped: number }> {
  const failed = and(isNotNull(outbox.failedAt), which.topic ? eq(outbox.topic, which.topic) : undefined, which.since ? gte(outbox.failedAt, which.since) : undefined);
  const dropped = sql`${outbox.payload} = '{}'::jsonb`;
  return db.transaction(async (tx) => {
    const retried = await tx
      .update(outbox)
      .set({ failedAt: null, dispatchedAt: null, dispatchedTo: null })
      .where(and(failed, sql`not (${dropped})`))
      .returning({ id: outbox.id });
    const [left] = await tx.select({ n: count() }).from(outbox).where(and(failed, dropped));
    return { retried: retried.length, dropped: Number(left?.n ?? 0) };
  });
}

/** A page of the rows handed to queue `prefix` and still unfinished, after `afterId`, oldest first, for re-arming. */
export function unfinishedRows(db: Db, prefix: string, afterId: number, limit: number): Promise<OutboxRow[]> {
  return db
    .select()
    .from(outbox)
    .where(and(unfinished, eq(outbox.dispatchedTo, prefix), gt(outbox.id, afterId)))
    .orderBy(asc(outbox.id))
    .limit(limit);
}

/** The daily job that deletes finished rows once they are kept long enough (see pruneOutbox). */
export const OUTBOX_PRUNE_TOPIC = 'outbox.prune';

export interface OutboxRetention {
  /** Completed rows are deleted this many days after their completion (OUTBOX_RETENTION_DAYS). */
  completedDays: number;
  /** Rows that failed for good, after this many days (OUTBOX_FAILED_RETENTION_DAYS): the operator's record of what did not happen. */
  failedDays: number;
}

/**
 * Deletes the rows whose work is over and kept long enough: completed ones `completedDays`
 * after completion, failed ones `failedDays` after failing. Rows still owed (pending, or handed
 * over and unfinished) are never touched. In batches of `batch`, walking the primary key, so
 * no statement holds many locks or runs long, however big the backlog.
 */
export async function pruneOutbox(db: Db, retention: OutboxRetention, now = new Date(), batch = 1000): Promise<{ completed: number; failed: number }> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const done = lt(outbox.completedAt, daysAgo(retention.completedDays));
  const failed = lt(outbox.failedAt, daysAgo(retention.failedDays));
  const deleted = { completed: 0, failed: 0 };
  for (const [which, due] of [['completed', done], ['failed', failed]] as const) {
    for (let after = 0; ; ) {
      const ids = (await db.select({ id: outbox.id }).from(outbox).where(and(due, gt(outbox.id, after))).orderBy(asc(outbox.id)).limit(batch)).map((r) => r.id);
      if (!ids.length) break;
      // The condition again: a row finished differently meanwhile is not deleted by mistake.
      const gone = await db.delete(outbox).where(and(inArray(outbox.id, ids), due)).returning({ id: outbox.id });
      deleted[which] += gone.length;
      if (ids.length < batch) break;
      after = ids.at(-1)!;
    }
  }
  return deleted;
}

/** The shop's rows that failed for good at `since` or later, per topic: how many, and the first failure. */
export async function failedSince(db: Db, shopId: string, since: Date): Promise<Array<{ topic: string; count: number; first: Date }>> {
  const rows = await db
    .select({ topic: outbox.topic, count: sql<number>`count(*)::int`, first: sql<string>`min(${outbox.failedAt})` })
    .from(outbox)
    .where(and(eq(outbox.shopId, shopId), gte(outbox.failedAt, since)))
    .groupBy(outbox.topic);
  return rows.map((r) => ({ topic: r.topic, count: Number(r.count), first: new Date(r.first) }));
}
