import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { serializeError } from '../logger.ts';
import { privateDir } from './backup.archive.ts';
import { createBackup, takenAt, type BackupSource } from './backup.create.ts';
import { toPrune, type Kept } from './backup.retention.ts';
import { NoSpaceError, type FreeBytes } from './backup.space.ts';
import { readBackupStatus, recordBackupRun, type BackupFailureCode, type BackupRun, type BackupStatus } from './backup.status.ts';

export interface BackupRunner {
  /** Takes a backup now, unless one is already running (then that one's outcome). */
  run(trigger: BackupRun['trigger']): Promise<BackupRun>;
  running(): boolean;
  /** The last finished run of this trigger since the process started (for the cooldown of "back up now"). */
  lastOf(trigger: BackupRun['trigger']): BackupRun | undefined;
  /** Settles when no backup is being written (for shutdown). */
  idle(): Promise<void>;
  status(): Promise<BackupStatus>;
}

export const backupsDir = (dataDir: string) => join(dataDir, 'backups');

/** Deletes the archives the retention rule lets go; files not named like ours are left alone. */
export async function pruneBackups(dir: string, keep: Kept): Promise<string[]> {
  const archives = (await readdir(dir)).flatMap((name) => {
    const at = takenAt(name);
    return at ? [{ name, at }] : [];
  });
  const gone = toPrune(archives, keep);
  for (const name of gone) await rm(join(dir, name), { force: true });
  return gone;
}

/** What the console may say about a failure: the disk, or anything else (the log has the details). */
export const failureCode = (e: unknown): BackupFailureCode => (e instanceof NoSpaceError || (e as { code?: unknown } | null)?.code === 'ENOSPC' ? 'no_space' : 'failed');

/**
 * Backups taken by the server process itself (nightly, or an owner's "back up now"): one at a
 * time, each recorded in the status file and logged; a failure is recorded, never thrown at
 * the timer. With PGlite this process is the only one that can read the database.
 */
export function createBackupRunner(deps: { source: () => BackupSource; dataDir: string; version: string; keep: Kept; logger: Logger; freeBytes?: FreeBytes }): BackupRunner {
  const dir = backupsDir(deps.dataDir);
  let current: Promise<BackupRun> | undefined;
  const lastRuns = new Map<BackupRun['trigger'], BackupRun>();
  const once = async (trigger: BackupRun['trigger']): Promise<BackupRun> => {
    const startedAt = new Date();
    let run: BackupRun;
    try {
      await privateDir(dir);
      const made = await createBackup({ source: deps.source(), dataDir: deps.dataDir, outDir: dir, version: deps.version, now: startedAt, freeBytes: deps.freeBytes });
      const pruned = await pruneBackups(dir, deps.keep);
      run = { trigger, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), ok: true, file: made.file.split('/').pop()!, bytes: made.bytes, error: null, code: null };
      deps.logger.info({ trigger, file: run.file, bytes: made.bytes, tables: Object.keys(made.manifest.tables).length, files: Object.keys(made.manifest.files).length, pruned: pruned.length }, 'backup written');
    } catch (e) {
      run = { trigger, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), ok: false, file: null, bytes: null, error: (e as Error).message.split('\n')[0]!.slice(0, 500), code: failureCode(e) };
      deps.logger.error({ trigger, err: serializeError(e) }, 'backup failed');
    }
    lastRuns.set(trigger, run);
    await recordBackupRun(dir, run).catch((e: unknown) => deps.logger.error({ err: serializeError(e) }, 'backup status could not be recorded'));
    return run;
  };
  return {
    run: (trigger) => (current ??= once(trigger).finally(() => (current = undefined))),
    running: () => current !== undefined,
    lastOf: (trigger) => lastRuns.get(trigger),
    idle: async () => void (await current),
    status: () => readBackupStatus(dir),
  };
}
