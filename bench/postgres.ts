import pg from 'pg';
import { Redis } from 'ioredis';
import { openPostgres, type Database } from '../server/core/db/client.ts';

/** An empty database of the bench's own on the PostgreSQL server at `adminUrl`, dropped (even if still in use) by `drop`. */
export async function throwawayDatabase(adminUrl: string, name = `madoguchi_bench_${Date.now()}`): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A database of the bench's own on the PostgreSQL server at `adminUrl`, migrated, and dropped by `drop`. */
export async function freshPostgres(adminUrl: string, opts: { max?: number } = {}): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const { url, drop } = await throwawayDatabase(adminUrl);
  return { database: await openPostgres(url, opts), url, drop };
}

/**
 * Runs `work` on a fresh database (freshPostgres) and drops it afterwards: when `work` ends or
 * fails, and when the bench is interrupted (SIGINT, SIGTERM; it then exits with 130). The
 * database is dropped even if closing it fails.
 */
export async function onFreshPostgres<T>(adminUrl: string, work: (database: Database) => Promise<T>, opts: { max?: number } = {}): Promise<T> {
  const fresh = await freshPostgres(adminUrl, opts);
  let finished: Promise<void> | undefined;
  const finish = () =>
    (finished ??= (async () => {
      try {
        await fresh.database.close();
      } finally {
        await fresh.drop();
      }
    })());
  const interrupted = () => void finish().finally(() => process.exit(130));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, interrupted);
  try {
    return await work(fresh.database);
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, interrupted);
    await finish();
  }
}

/** Removes the bench's Redis keys (everything under `prefix`); answers how many. */
export async function removeRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) n += await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await r.quit();
  return n;
}
