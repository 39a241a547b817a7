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
  try {
    return { database: await openPostgres(url, opts), url, drop };
  } catch (e) {
    // A migration that fails leaves no database behind.
    await drop().catch(() => undefined);
    throw e;
  }
}

/**
 * Runs `work` on a fresh database (freshPostgres) and drops it afterwards: when `work` ends or
 * fails, and when the bench is interrupted (SIGINT, SIGTERM: it exits with 130 once the
 * database is dropped). The database is dropped even if closing it fails; a failure to clean
 * up is printed, with the database's name, and does not hide the error of `work`.
 */
export async function onFreshPostgres<T>(adminUrl: string, work: (database: Database) => Promise<T>, opts: { max?: number } = {}): Promise<T> {
  let fresh: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  let finished: Promise<void> | undefined;
  const finish = () =>
    (finished ??= (async () => {
      if (!fresh) return;
      try {
        await fresh.database.close();
      } finally {
        await fresh.drop();
      }
    })().catch((e: unknown) => {
      process.stderr.write(`cleanup failed, ${fresh ? `database ${new URL(fresh.url).pathname.slice(1)} may be left behind` : 'no database yet'}: ${e instanceof Error ? e.message : String(e)}\n`);
    }));
  // Interrupted while the database is made: it is dropped once it exists (freshPostgres returns), then the bench exits.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    if (fresh) void finish().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  try {
    fresh = await freshPostgres(adminUrl, opts);
    if (interrupted) {
      await finish();
      process.exit(130);
    }
    return await work(fresh.database);
  } finally {
    await finish();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
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
