import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import lockfile from 'proper-lockfile';

/**
 * Both drivers (PGlite and node-postgres) behind one type; a transaction is one too. Without
 * the schema: madoguchi does not use Drizzle's relational queries (`db.query.…`), and with a
 * schema Drizzle builds one relational query builder per table for every transaction it
 * starts (about 30 MiB of the server's 741 MiB allocated in an 8-second latency step of 1,000
 * chat messages a second: bench/chat.ts --seconds 8 --profile with BENCH_PROFILE=heap).
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: vacuums and analyzes now (it also does so every few minutes by itself). */
  maintain?(): Promise<void>;
}

/**
 * PGlite runs PostgreSQL without its background workers, so nothing vacuums or analyzes.
 * Without statistics the planner may read all of a shop's rows through a shop index where
 * the primary key would do, and updated rows leave dead versions behind. So the embedded
 * database does autovacuum's job itself, on a timer that does not keep the process alive.
 * Not at open: statistics persist in the catalog across restarts, and start-up stays fast.
 */
export const PGLITE_MAINTAIN_MS = 5 * 60_000;

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Raised when the embedded database folder is held by another process. */
export class DatabaseLockedError extends Error {}

const MIGRATION_LOCK = 727_001; // pg_advisory_lock key: several processes may start at once

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Database> {
  // A server that cannot be reached fails a request after 5 s (503 unavailable), rather than
  // holding it until the client gives up: pg's default is to wait for a connection forever.
  // JIT compilation off (unless the URL's own `options` say otherwise): it starts once a plan's
  // estimated cost passes jit_above_cost, which a short statement with a poor estimate does. A
  // search over a contractor's 100 shops, estimated at 200,000 and run in 18 ms, spent 47 ms
  // compiling. Nothing madoguchi sends runs long enough for JIT to pay.
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000, options: '-c jit=off' });
  pool.on('error', () => {
    /* an idle client lost its server; the pool replaces it and the next query reports */
  });
  // pg-pool listens for errors only on idle clients: a connection that drops while checked
  // out between two statements (a transaction waiting on Redis, say) emitted 'error' with no
  // listener, which ends the process. The statements in flight and the next one on that
  // client fail instead (503 unavailable), and the pool discards the client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  releaseDeadCheckouts(pool);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  const db = drizzlePg(pool) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => pool.end(),
  };
}

/**
 * A client checked out of the pool whose connection dies goes back to the pool at once (which
 * discards it), and a second release is a no-op. Drizzle's transaction releases its client in
 * a `finally` that a failed BEGIN never reaches: each such client stayed checked out for good,
 * and after a few database restarts the pool had no connections left to give.
 */
function releaseDeadCheckouts(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: unknown) => unknown;
  // Callback-style calls (pool.query uses one) keep pg-pool's own handling.
  (pool as unknown as { connect: (cb?: unknown) => unknown }).connect = (cb?: unknown) => {
    if (cb) return connect(cb);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      const release = client.release;
      let released = false;
      const onError = (err: Error) => client.release(err);
      client.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        client.removeListener('error', onError);
        release(err);
      };
      client.once('error', onError);
      return client;
    });
  };
}

/** Opens an already-created PGlite instance (tests pass a clone of a migrated template). */
export async function wrapPglite(client: PGlite, release?: () => Promise<void>): Promise<Database> {
  const db = drizzlePglite(client) as unknown as Db;
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  let running: Promise<void> | undefined;
  let closed = false;
  const maintain = () => {
    if (closed) return Promise.resolve();
    running ??= client
      .exec('VACUUM (ANALYZE)')
      .then(() => undefined)
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void maintain().catch(() => undefined), PGLITE_MAINTAIN_MS).unref();
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await client.query('select 1')),
    maintain,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await client.close();
      await release?.();
    },
  };
}

/**
 * The lock on an embedded database folder (`<dir>.lock` beside it), held by the server that
 * opens it and by a backup or restore from the command line: only one process at a time.
 * A DatabaseLockedError when another process holds it.
 */
export async function lockPgliteFolder(dir: string): Promise<() => Promise<void>> {
  const abs = resolve(dir);
  mkdirSync(resolve(abs, '..'), { recursive: true });
  try {
    return await lockfile.lock(abs, { stale: 15_000, update: 5_000, realpath: false, lockfilePath: `${abs}.lock` });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    throw new DatabaseLockedError(`the embedded database ${dir} is in use by another madoguchi process; stop it, or set DATABASE_URL to share a PostgreSQL server`);
  }
}

/**
 * The zero-config default: PGlite in a folder, guarded by a lock file next to it because
 * PGlite itself lets two processes open one folder and corrupt it.
 */
export async function openPgliteDir(dir: string): Promise<Database> {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const release = await lockPgliteFolder(dir);
  try {
    const client = await PGlite.create(abs);
    return await wrapPglite(client, release);
  } catch (e) {
    await release();
    throw e;
  }
}

/** The database the configuration names: a PostgreSQL server, or PGlite under DATA_DIR/pg. */
export const openConfiguredDatabase = (c: { DATABASE_URL?: string; DATA_DIR: string }): Promise<Database> =>
  c.DATABASE_URL ? openPostgres(c.DATABASE_URL) : openPgliteDir(`${c.DATA_DIR}/pg`);

/** Holds a transaction-scoped advisory lock: work that several starting processes must do once. */
export async function advisoryXactLock(tx: Db, key: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${key})`);
}
