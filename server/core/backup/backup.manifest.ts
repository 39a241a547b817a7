import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { migrationsFolder } from '../db/client.ts';

/** Runs one statement and returns its rows; both drivers (PGlite, node-postgres) fit behind it. */
export type Query = (text: string) => Promise<Record<string, unknown>[]>;

/** Raised for anything an operator can act on (a damaged archive, a non-empty target): printed as one line. */
export class BackupError extends Error {}

const tableSum = z.object({ rows: z.number().int().min(0), md5: z.string().regex(/^[0-9a-f]{32}$/) });
const fileSum = z.object({ bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** A path inside the archive's files/: plain segments only, so a crafted manifest names nothing outside it. */
const filePath = z.string().refine((p) => p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !seg.includes('\0')), 'expected a relative path');

export const manifestSchema = z.object({
  format: z.literal('madoguchi-backup/1'),
  app: z.object({ name: z.literal('madoguchi'), version: z.string() }),
  createdAt: z.iso.datetime({ offset: true }),
  database: z.object({
    kind: z.enum(['pglite', 'postgres']),
    /** The dump inside the archive: `database/pgdata.tar.gz` (PGlite) or `database/pg.dump` (pg_dump -Fc). */
    dump: z.enum(['database/pgdata.tar.gz', 'database/pg.dump']),
    dumpSha256: z.string().regex(/^[0-9a-f]{64}$/),
    dumpBytes: z.number().int().min(0),
  }),
  migrations: z.object({ applied: z.number().int().min(0), latest: z.string().nullable(), latestAt: z.number().nullable() }),
  /** `schema.table` → row count and an order-independent digest of the rows (see tableChecksums). */
  tables: z.record(z.string(), tableSum),
  /** Path under the archive's `files/` → size and SHA-256. */
  files: z.record(filePath, fileSum),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type TableSums = Manifest['tables'];
export type MigrationLevel = Manifest['migrations'];

/**
 * Row count and digest per table, the same on PGlite and PostgreSQL: each row's text form is
 * hashed and the sorted hashes hashed again, so neither the physical row order nor a text
 * collation (which differs between the two) changes the result. The text form of timestamps
 * and floats depends on settings, pinned here; the caller runs this inside one transaction
 * (SET LOCAL), which on PostgreSQL is also the snapshot pg_dump reads.
 */
export async function tableChecksums(query: Query): Promise<TableSums> {
  for (const s of ["TimeZone = 'UTC'", "DateStyle = 'ISO, YMD'", "IntervalStyle = 'postgres'", 'extra_float_digits = 1', 'bytea_output = hex']) {
    await query(`SET LOCAL ${s}`);
  }
  const tables = await query(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and n.nspname in ('public', 'drizzle') order by 1, 2`,
  );
  const sums: TableSums = {};
  for (const t of tables) {
    const name = `${quoteIdent(String(t.schema))}.${quoteIdent(String(t.name))}`;
    const [row] = await query(
      `select count(*)::int as rows, md5(coalesce(string_agg(h, '' order by h collate "C"), '')) as md5
       from (select md5(t::text) as h from ${name} t) x`,
    );
    sums[`${String(t.schema)}.${String(t.name)}`] = { rows: Number(row!.rows), md5: String(row!.md5) };
  }
  return sums;
}

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** The migrations this code knows, oldest first (drizzle-kit's journal). */
export function knownMigrations(): JournalEntry[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

/** How far the database's schema is migrated, from drizzle's own table (absent: nothing applied). */
export async function migrationLevel(query: Query): Promise<MigrationLevel> {
  const [exists] = await query(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!exists?.present) return { applied: 0, latest: null, latestAt: null };
  const [row] = await query(`select count(*)::int as applied, max(created_at)::text as latest_at from drizzle.__drizzle_migrations`);
  const latestAt = row?.latest_at == null ? null : Number(row.latest_at);
  const tag = knownMigrations().find((m) => m.when === latestAt)?.tag ?? null;
  return { applied: Number(row?.applied ?? 0), latest: tag, latestAt };
}

/** Refuses an archive whose schema is newer than this code: the server could not run on it. */
export function assertKnownLevel(level: MigrationLevel): void {
  const known = knownMigrations();
  const last = known[known.length - 1];
  if (level.applied > known.length || (level.latestAt != null && last && level.latestAt > last.when)) {
    throw new BackupError(
      `the archive comes from a newer madoguchi (schema migration ${level.latest ?? `#${level.applied}`}, this code knows up to ${last?.tag ?? 'none'}); restore it with that version or newer`,
    );
  }
}

/** Names the tables whose count or digest differ between the manifest and the restored database. */
export function compareTables(expected: TableSums, actual: TableSums): string[] {
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const diffs: string[] = [];
  for (const n of [...names].sort()) {
    const e = expected[n];
    const a = actual[n];
    if (!e) diffs.push(`${n}: not in the archive's manifest`);
    else if (!a) diffs.push(`${n}: missing after restore`);
    else if (e.rows !== a.rows) diffs.push(`${n}: ${a.rows} rows, the manifest says ${e.rows}`);
    else if (e.md5 !== a.md5) diffs.push(`${n}: contents differ from the manifest`);
  }
  return diffs;
}
