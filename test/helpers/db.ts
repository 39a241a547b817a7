import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrationsFolder, openPostgres, wrapPglite, type Database } from '../../server/core/db/client.ts';
import { onRunEnd, perProcess } from './cleanup.ts';
import { postgresAdminUrl, runId, type DbKind } from './env.ts';

const dbName = `madoguchi_test_${runId}`;

interface Template {
  /** The migrated data directory, as PGlite dumps it; every database of the process loads it. */
  dump: Blob;
  /** PGlite's WebAssembly, compiled once per process rather than once per database. */
  wasm: WebAssembly.Module;
  fsBundle: Blob;
}
const state = perProcess('db', () => ({}) as { template?: Promise<Template>; pgDatabase?: Promise<Database> });

/**
 * The migrated data directory is kept on disk between runs under a name made of PGlite's
 * version and the migrations' contents, so a run (and each worker of a parallel one) loads it
 * instead of migrating a fresh PGlite again (several seconds of CPU each time).
 */
function templateCachePath(): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(pgliteDist(), '../package.json')));
  for (const dir of [migrationsFolder, join(migrationsFolder, 'meta')]) {
    for (const f of readdirSync(dir).sort()) if (/\.(sql|json)$/.test(f)) h.update(f).update(readFileSync(join(dir, f)));
  }
  return join(tmpdir(), 'madoguchi-test-cache', `pglite-${h.digest('hex').slice(0, 16)}.tar`);
}

const pgliteDist = () => dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));

/**
 * Makes the migrated template on disk unless it is there: the root hooks' global setup calls
 * it once per run, before any worker starts, so workers never migrate a PGlite of their own.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  const cached = templateCachePath();
  if (existsSync(cached)) return cached;
  const t = await PGlite.create();
  await wrapPglite(t); // migrates
  const dump = await t.dumpDataDir('none');
  await t.close();
  mkdirSync(dirname(cached), { recursive: true });
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, cached); // whole or not at all, for a run that reads it meanwhile
  return cached;
}

async function pgliteTemplate(): Promise<Template> {
  state.template ??= (async () => {
    const dump = new Blob([readFileSync(await ensurePgliteTemplate())]);
    const wasm = await WebAssembly.compile(readFileSync(join(pgliteDist(), 'pglite.wasm')));
    return { dump, wasm, fsBundle: new Blob([readFileSync(join(pgliteDist(), 'pglite.data'))]) };
  })();
  return state.template;
}

/** A fresh database of the kind: a PGlite loaded from the migrated template, or the run's own PostgreSQL database. */
export async function testDatabase(kind: DbKind): Promise<Database> {
  if (kind === 'pglite') {
    const t = await pgliteTemplate();
    return wrapPglite(await PGlite.create({ loadDataDir: t.dump, pgliteWasmModule: t.wasm, fsBundle: t.fsBundle }));
  }
  state.pgDatabase ??= (async () => {
    await postgresAdmin(`CREATE DATABASE ${dbName}`);
    // A test database need not survive a crash of PostgreSQL itself: a commit returns without
    // waiting for its WAL flush (what a server process sees is the same; only the machine's
    // power going could lose the last commits), which spares the suite thousands of flush waits.
    await postgresAdmin(`ALTER DATABASE ${dbName} SET synchronous_commit = off`);
    onRunEnd('postgres database', dropPostgres, 'process');
    return openPostgres(postgresUrlOf(dbName), { max: 5 });
  })();
  const shared = await state.pgDatabase;
  // Suites share the run's database (each makes its own shops); closing is the root hook's job.
  return { ...shared, close: async () => undefined };
}

/** The URL of a database on the test server, as its admin. */
export function postgresUrlOf(name: string): string {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One statement as the PostgreSQL admin, on a connection of its own (CREATE and DROP DATABASE). */
export async function postgresAdmin(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresAdminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * A new PostgreSQL database of a test's own, migrated as a server opens it (not cloned): for a
 * test that changes the schema or needs tables nothing else has written to. Dropped by `drop()`,
 * or at the end of the run, whichever comes first.
 */
export async function ownPostgresDatabase(label: string, opts: { max?: number } = {}): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  const name = `madoguchi_test_${runId}_${label}`;
  await postgresAdmin(`CREATE DATABASE ${name}`);
  const url = postgresUrlOf(name);
  const database = await openPostgres(url, opts);
  let dropped: Promise<void> | undefined;
  const drop = () =>
    (dropped ??= (async () => {
      await database.close().catch(() => undefined);
      await postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    })());
  onRunEnd(`postgres database ${label}`, drop);
  return { database, url, drop };
}

/** The URL of the run's PostgreSQL database, for server processes a test spawns. */
export async function testPostgresUrl(): Promise<string> {
  await testDatabase('postgres');
  return postgresUrlOf(dbName);
}

async function dropPostgres(): Promise<void> {
  const db = state.pgDatabase;
  state.pgDatabase = undefined;
  await (await db!).close().catch(() => undefined);
  await postgresAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}

/**
 * Drops every database a run made, in whichever of its processes: the sweep at the end of a
 * parallel run, whose workers are ended without running their process-wide cleanups.
 */
export async function dropRunDatabases(runBase: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`madoguchi_test_${runBase}%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** What a database's driver sends its statements through (node-postgres' pool, or PGlite). */
export type DriverClient = { query: (...a: unknown[]) => unknown };

/** The driver client behind a database's Drizzle handle, for tests that count or fail its statements. */
export const driverClient = (database: Database): DriverClient => (database.db as unknown as { $client: DriverClient }).$client;

/** What `work` resolves to, and every statement sent meanwhile on `database`'s pool (the server's jobs' too, if they run). */
export async function sentDuring<T>(database: Database, work: () => Promise<T>): Promise<{ value: T; sent: string[] }> {
  const sent: string[] = [];
  const restore = countStatements(driverClient(database), sent);
  try {
    return { value: await work(), sent };
  } finally {
    restore();
  }
}

/**
 * Records each statement `client` is given, named by `name` from its text, into `sent`, until
 * the returned function puts `query` back.
 */
export function countStatements(client: DriverClient, sent: string[], name: (text: string) => string = (text) => text): () => void {
  const query = client.query;
  client.query = function (this: unknown, ...a: unknown[]) {
    sent.push(name(typeof a[0] === 'string' ? a[0] : ((a[0] as { text?: string } | undefined)?.text ?? '')));
    return query.apply(this, a);
  };
  return () => void (client.query = query);
}
