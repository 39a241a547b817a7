import { readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BackupError } from './backup.manifest.ts';

/** Raised before a backup starts when its disk could not hold it and still leave the live database room. */
export class NoSpaceError extends BackupError {}

/** Left free after the backup at its largest, for the live database (on the same disk with PGlite) to keep writing. */
export const SPARE_BYTES = 256 * 2 ** 20;

/** What the disk holding `dir` has free for this user (statfs's available blocks). */
export type FreeBytes = (dir: string) => Promise<number>;

export const diskFree: FreeBytes = async (dir) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

/** The folder itself, or its nearest parent that exists: what a folder not made yet will be on. */
async function existing(dir: string): Promise<string> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (await stat(d).then(() => true, () => false)) return d;
    if (d === dirname(d)) return d;
  }
}

/** The bytes of the regular files under `dir`; 0 when there is none. */
export async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) if (e.isFile()) total += (await stat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  return total;
}

export interface SpaceInput {
  /** pglite: its data folder (the dump is a gzipped tar of it); postgres: its tables (what pg_dump writes). */
  kind: 'pglite' | 'postgres';
  databaseBytes: number;
  filesBytes: number;
  /** The stored files are on another disk than the backup: staged as copies rather than hard links. */
  filesCopied: boolean;
}

/**
 * The most a backup has on the disk at once, from what createBackup writes. First the dump, at
 * most the database's size (measured: about 12% of a PGlite folder; 5% is added for the tar's
 * headers), and with PGlite the dump loaded again to check it (measured 1.0 to 1.1 times the
 * folder; removed before the archive is made). Then the dump, the stored files when they must
 * be copied, and the archive (the dump and the files again).
 */
export function spaceNeeded(s: SpaceInput): number {
  const dump = Math.ceil(s.databaseBytes * 1.05);
  const check = s.kind === 'pglite' ? Math.ceil(s.databaseBytes * 1.1) : 0;
  const staged = s.filesCopied ? s.filesBytes : 0;
  return Math.max(dump + check, 2 * dump + staged + s.filesBytes) + SPARE_BYTES;
}

const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/**
 * Refuses (NoSpaceError) before anything is written when the disk of `outDir` has less free
 * than spaceNeeded: a backup that fills the disk would leave the live database unable to write.
 */
export async function assertSpace(outDir: string, input: Omit<SpaceInput, 'filesCopied'> & { filesDir: string }, freeBytes: FreeBytes = diskFree): Promise<void> {
  const target = await existing(outDir);
  const filesDev = await stat(input.filesDir).then((s) => s.dev, () => undefined);
  const filesCopied = input.filesBytes > 0 && filesDev !== undefined && filesDev !== (await stat(target)).dev;
  const need = spaceNeeded({ ...input, filesCopied });
  const free = await freeBytes(target);
  if (free < need) {
    throw new NoSpaceError(
      `not enough disk space for a backup in ${outDir}: it needs about ${mib(need)} (the ${input.kind === 'pglite' ? 'database folder' : 'database tables'} at ${mib(input.databaseBytes)}, stored files at ${mib(input.filesBytes)}, and ${mib(SPARE_BYTES)} left free for the live database) and ${mib(free)} is free; nothing was written. Free some space (older archives, or fewer kept: BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY) or back up to another disk (npm run backup -- --out <folder>)`,
    );
  }
}
