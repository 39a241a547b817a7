import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { DateTime } from 'luxon';
import { packArchive, PRIVATE_DIR, sha256, stageFiles } from './backup.archive.ts';
import type { Manifest } from './backup.manifest.ts';
import { dumpPglite, loadPgliteDump, pgliteBytes, type DatabaseSums } from './backup.pglite.ts';
import { dumpPostgres, postgresTableBytes } from './backup.postgres.ts';
import { assertSpace, folderBytes, type FreeBytes } from './backup.space.ts';

export type BackupSource = { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; url: string };

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: Manifest;
}

const ZONE = 'Asia/Tokyo';
const NAME = /^madoguchi-backup-(\d{8}-\d{6})(?:-\d+)?\.tar\.gz$/;

/** `madoguchi-backup-20261204-030000.tar.gz`, in Tokyo time like everything a shop reads. */
export const archiveName = (at: Date) => `madoguchi-backup-${DateTime.fromJSDate(at).setZone(ZONE).toFormat('yyyyLLdd-HHmmss')}.tar.gz`;

/** When an archive was taken, from its name; null for a file that is not one of ours. */
export function takenAt(name: string): Date | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const t = DateTime.fromFormat(m[1]!, 'yyyyLLdd-HHmmss', { zone: ZONE });
  return t.isValid ? t.toJSDate() : null;
}

/**
 * Writes one archive into `outDir`: manifest.json, the database dump under database/, and the
 * stored files (attachments, return photos) under files/. Refuses (NoSpaceError) before
 * writing anything when the disk could not hold it (see spaceNeeded). Work happens in a
 * private dot-folder beside it that is removed afterwards; the archive appears under its
 * final name only when whole.
 */
export async function createBackup(opts: { source: BackupSource; dataDir: string; outDir: string; version: string; now?: Date; freeBytes?: FreeBytes }): Promise<BackupResult> {
  const now = opts.now ?? new Date();
  const filesDir = join(opts.dataDir, 'files');
  const databaseBytes = opts.source.kind === 'pglite' ? await pgliteBytes(opts.source.client) : await postgresTableBytes(opts.source.url);
  await assertSpace(opts.outDir, { kind: opts.source.kind, databaseBytes, filesBytes: await folderBytes(filesDir), filesDir }, opts.freeBytes);
  // A folder made here is private; one given with --out keeps its mode (the archive is private anyway).
  await mkdir(opts.outDir, { recursive: true, mode: PRIVATE_DIR });
  const work = join(opts.outDir, `.backup-${randomBytes(4).toString('hex')}`);
  const staging = join(work, 'staging');
  const scratch = join(work, 'verify');
  try {
    await mkdir(join(staging, 'database'), { recursive: true, mode: PRIVATE_DIR });
    const dump = opts.source.kind === 'pglite' ? 'database/pgdata.tar.gz' : 'database/pg.dump';
    const dumpPath = join(staging, dump);
    let sums: DatabaseSums;
    if (opts.source.kind === 'pglite') {
      await dumpPglite(opts.source.client, dumpPath);
      sums = await loadPgliteDump(dumpPath, scratch);
      await rm(scratch, { recursive: true, force: true }); // its room is needed for the archive
    } else {
      sums = await dumpPostgres(opts.source.url, dumpPath);
    }
    // After the database: a file uploaded meanwhile is only extra; one the dump names is there.
    const files = await stageFiles(filesDir, join(staging, 'files'));
    const manifest: Manifest = {
      format: 'madoguchi-backup/1',
      app: { name: 'madoguchi', version: opts.version },
      createdAt: DateTime.fromJSDate(now).setZone(ZONE).toISO()!,
      database: { kind: opts.source.kind, dump, dumpSha256: await sha256(dumpPath), dumpBytes: (await stat(dumpPath)).size },
      migrations: sums.migrations,
      tables: sums.tables,
      files,
    };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    let file = join(opts.outDir, archiveName(now));
    for (let n = 2; existsSync(file); n++) file = join(opts.outDir, archiveName(now).replace('.tar.gz', `-${n}.tar.gz`));
    await packArchive(staging, file);
    return { file, bytes: (await stat(file)).size, manifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
