import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { folderBytes } from './backup.space.ts';
import { migrationLevel, tableChecksums, type MigrationLevel, type Query, type TableSums } from './backup.manifest.ts';

export interface DatabaseSums {
  tables: TableSums;
  migrations: MigrationLevel;
}

/** Checksums and migration level of an open PGlite, read in one transaction. */
export async function readPglite(client: PGlite): Promise<DatabaseSums> {
  return client.transaction(async (tx) => {
    const query: Query = async (text) => (await tx.query<Record<string, unknown>>(text)).rows;
    return { tables: await tableChecksums(query), migrations: await migrationLevel(query) };
  });
}

/**
 * PGlite's own dump of its data directory (a gzipped tar). It is taken under PGlite's query
 * lock, so it holds what was committed at that moment; queries of the running server wait
 * for it (about a second for a small shop).
 */
export async function dumpPglite(client: PGlite, file: string): Promise<void> {
  const blob = await client.dumpDataDir('gzip');
  await writeFile(file, Buffer.from(await blob.arrayBuffer()), { flag: 'wx', mode: 0o600 });
}

/** A Query on an open PGlite. */
export const pgliteQuery =
  (client: PGlite): Query =>
  async (text) =>
    (await client.query<Record<string, unknown>>(text)).rows;

/**
 * Loads a dump into a new data directory and reads its checksums. Backups do this into a
 * scratch folder, so an archive's manifest describes what its dump really restores to (and a
 * dump that does not load never becomes a backup); restores do it into the folder they swap in,
 * and `then` finishes that folder while it is open.
 */
export async function loadPgliteDump(file: string, dir: string, then?: (client: PGlite, sums: DatabaseSums) => Promise<void>): Promise<DatabaseSums> {
  const dump = new Blob([await readFile(file)]);
  const client = await PGlite.create(dir, { loadDataDir: dump });
  try {
    const sums = await readPglite(client);
    await then?.(client, sums);
    return sums;
  } finally {
    await client.close();
  }
}

/**
 * How big the dump's source is: the data folder on disk (what dumpDataDir tars, write-ahead
 * log included), or for a database in memory the size PostgreSQL reports for its databases.
 */
export async function pgliteBytes(client: PGlite): Promise<number> {
  const dir = client.dataDir;
  if (dir && !dir.includes('://')) return folderBytes(dir);
  const [row] = (await client.query<{ bytes: string }>('select coalesce(sum(pg_database_size(oid)), 0)::text as bytes from pg_database')).rows;
  return Number(row?.bytes ?? 0);
}

/** The PGlite behind a drizzle database, when it is one (the running server backs up its own). */
export function pgliteOf(db: unknown): PGlite | undefined {
  const client = (db as { $client?: unknown }).$client;
  return client instanceof PGlite ? client : undefined;
}
