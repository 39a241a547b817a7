import { randomBytes } from 'node:crypto';

/**
 * One id per test run, shared by the worker processes of a parallel run (the first process to
 * load this sets it in the environment the workers inherit): the sweep at the end removes
 * every database and Redis key under it, whichever process made them.
 */
export const runBase = (process.env.MADOGUCHI_TEST_RUN ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`);

/** One id per process of the run: names its PostgreSQL database and its Redis key prefix. */
export const runId = process.env.MOCHA_WORKER_ID === undefined ? runBase : `${runBase}w${process.env.MOCHA_WORKER_ID}`;

/** True in a worker of a parallel mocha run, where root hooks run once per file. */
export const inWorker = process.env.MOCHA_WORKER_ID !== undefined;

export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const redisPrefix = `mdg-test-${runId}:`;

export type DbKind = 'pglite' | 'postgres';

/** Integration suites run once per kind; TEST_DB=pglite (or postgres) narrows it. */
export const dbKinds: DbKind[] = (process.env.TEST_DB ?? 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is DbKind => s === 'pglite' || s === 'postgres');

/**
 * For a suite whose subject sits in front of the database (HTTP framing, validation, the
 * error envelope), where the two drivers cannot answer differently: one kind, PostgreSQL by
 * preference (its work runs in its own processes, not in the test's), or what TEST_DB names.
 */
export const oneDbKind = (prefer: DbKind = 'postgres'): DbKind[] => [dbKinds.includes(prefer) ? prefer : dbKinds[0]!];
