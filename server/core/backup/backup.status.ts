import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Why a backup failed, as the console may say it: `no_space` (the disk), `failed` (anything else; the log says what). */
export const backupFailureCode = z.enum(['no_space', 'failed']);
export type BackupFailureCode = z.infer<typeof backupFailureCode>;

export const backupRun = z.object({
  trigger: z.enum(['nightly', 'manual', 'command']),
  startedAt: z.string(),
  finishedAt: z.string(),
  ok: z.boolean(),
  /** The archive's file name (in DATA_DIR/backups unless the command wrote elsewhere). */
  file: z.string().nullable(),
  bytes: z.number().nullable(),
  /** For the log and the operator: may name folders of the server, so never shown in the console. */
  error: z.string().nullable(),
  /** Set when ok is false (absent in files written before it existed: read as null, shown as `failed`). */
  code: backupFailureCode.nullable().default(null),
});
export type BackupRun = z.infer<typeof backupRun>;

const statusFile = z.object({ last: backupRun.nullable(), lastSuccess: backupRun.nullable() });
export type BackupStatus = z.infer<typeof statusFile>;

const STATUS = 'status.json';
const empty: BackupStatus = { last: null, lastSuccess: null };

/**
 * The outcome of the last backup and of the last good one, in DATA_DIR/backups/status.json:
 * beside the archives it describes, and readable without the database (which a failed backup
 * may be the symptom of).
 */
export async function readBackupStatus(backupsDir: string): Promise<BackupStatus> {
  try {
    const parsed = statusFile.safeParse(JSON.parse(await readFile(join(backupsDir, STATUS), 'utf8')));
    return parsed.success ? parsed.data : empty;
  } catch {
    return empty;
  }
}

/** Records a run; written to a temp file and renamed, so a reader never sees half of it. */
export async function recordBackupRun(backupsDir: string, run: BackupRun): Promise<BackupStatus> {
  const before = await readBackupStatus(backupsDir);
  const next: BackupStatus = { last: run, lastSuccess: run.ok ? run : before.lastSuccess };
  await mkdir(backupsDir, { recursive: true, mode: 0o700 });
  const temp = join(backupsDir, `.${STATUS}.${randomBytes(4).toString('hex')}`);
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, join(backupsDir, STATUS));
  return next;
}
