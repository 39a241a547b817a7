import pg from 'pg';
import { migrationLevel, tableChecksums, type Query } from './backup.manifest.ts';
import type { DatabaseSums } from './backup.pglite.ts';
import { findPgTool, libpqTarget, runPgTool } from './backup.pgtools.ts';

async function withClient<T>(url: string, fn: (client: pg.Client, query: Query) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a dropped connection fails the statement in flight
  await client.connect();
  try {
    return await fn(client, async (text) => (await client.query(text)).rows as Record<string, unknown>[]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `fn` with one connection to the database at `url`. */
export const onPostgres = <T>(url: string, fn: (query: Query) => Promise<T>): Promise<T> => withClient(url, (_, query) => fn(query));

/**
 * pg_dump in custom format, and the manifest's checksums read from the very snapshot pg_dump
 * reads (exported by our transaction, held open until pg_dump is done), so both describe the
 * same moment even while the service keeps writing.
 */
export async function dumpPostgres(url: string, file: string): Promise<DatabaseSums> {
  const pgDump = findPgTool('pg_dump');
  return withClient(url, async (client, query) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [snap] = await query('select pg_export_snapshot() as id');
    const target = libpqTarget(url);
    const dumping = runPgTool(pgDump, ['--format=custom', `--snapshot=${String(snap!.id)}`, `--file=${file}`, `--dbname=${target.dbname}`], target.env);
    try {
      const sums = { tables: await tableChecksums(query), migrations: await migrationLevel(query) };
      await dumping;
      return sums;
    } finally {
      await dumping.catch(() => undefined);
      await client.query('COMMIT').catch(() => undefined);
    }
  });
}

/** Checksums and migration level of a PostgreSQL database, read in one snapshot. */
export function readPostgres(url: string): Promise<DatabaseSums> {
  return withClient(url, async (client, query) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return { tables: await tableChecksums(query), migrations: await migrationLevel(query) };
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  });
}

/** Tables in madoguchi's schemas: none means the database is empty enough to restore into. */
export function postgresTableCount(url: string): Promise<number> {
  return withClient(url, async (_, query) => {
    const [row] = await query(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname in ('public', 'drizzle')`);
    return Number(row!.n);
  });
}

/** The bytes of madoguchi's tables (without indexes, which pg_dump writes as definitions): what bounds the dump. */
export function postgresTableBytes(url: string): Promise<number> {
  return withClient(url, async (_, query) => {
    const [row] = await query(
      `select coalesce(sum(pg_table_size(c.oid)), 0)::text as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p', 'm') and n.nspname in ('public', 'drizzle')`,
    );
    return Number(row!.bytes);
  });
}

/**
 * The client sessions on the database at `url` other than this one (servers, workers, psql);
 * background processes of PostgreSQL itself (autovacuum and the like) are not counted.
 */
export function otherSessions(url: string): Promise<{ count: number; applications: string[] }> {
  return withClient(url, async (_, query) => {
    const rows = await query(
      `select application_name as app from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    return { count: rows.length, applications: [...new Set(rows.map((r) => String(r.app ?? '')).filter(Boolean))].sort() };
  });
}

/** For --force: removes madoguchi's schemas and everything in them, leaving an empty public schema. */
export function clearPostgres(url: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.query('BEGIN');
    await client.query('DROP SCHEMA IF EXISTS drizzle CASCADE');
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
    await client.query('COMMIT');
  });
}

/**
 * pg_restore in one transaction that stops at the first error: the database ends up with all
 * of the archive or none of it. Owners and grants are left out, so the restoring role owns
 * what it creates (the original role may not exist on the new server).
 */
export async function restorePostgres(url: string, file: string): Promise<void> {
  const target = libpqTarget(url);
  await runPgTool(findPgTool('pg_restore'), ['--single-transaction', '--exit-on-error', '--no-owner', '--no-acl', `--dbname=${target.dbname}`, file], target.env);
}
