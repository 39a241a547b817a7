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
