import { randomBytes } from 'node:crypto';

/** One id per test run: names its PostgreSQL database and its Redis key prefix. */
export const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const redisPrefix = `mdg-test-${runId}:`;

export type DbKind = 'pglite' | 'postgres';

/** Integration suites run once per kind; TEST_DB=pglite (or postgres) narrows it. */
export const dbKinds: DbKind[] = (process.env.TEST_DB ?? 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is DbKind => s === 'pglite' || s === 'postgres');
