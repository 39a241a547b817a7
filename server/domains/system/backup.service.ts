import { type Actor, requireRole } from '../../core/actor.ts';
import type { BackupRunner } from '../../core/backup/backup.runner.ts';
import { readBackupStatus } from '../../core/backup/backup.status.ts';
import { conflict } from '../../core/errors.ts';
import type { BackupStateView } from './backup.schema.ts';

export interface BackupDeps {
  database: 'pglite' | 'postgres';
  /** Where status.json is (DATA_DIR/backups). */
  backupsDir: string;
  /** Present when this process can take backups itself (the embedded database). */
  runner?: BackupRunner;
  nightly: { enabled: boolean; hour: number; keepDaily: number; keepWeekly: number };
}

/**
 * The deployment's backups as an owner sees them: when the last one ran, whether it worked,
 * its size and error. Owners only: a failed backup's message may name folders of the server.
 */
export async function readBackupState(deps: BackupDeps, actor: Actor): Promise<BackupStateView> {
  requireRole(actor, 'owner');
  const status = deps.runner ? await deps.runner.status() : await readBackupStatus(deps.backupsDir);
  return {
    database: deps.database,
    nightly: deps.runner && deps.nightly.enabled ? { hour: deps.nightly.hour, timeZone: 'Asia/Tokyo', keepDaily: deps.nightly.keepDaily, keepWeekly: deps.nightly.keepWeekly } : null,
    canRunNow: deps.runner !== undefined,
    running: deps.runner?.running() ?? false,
    ...status,
  };
}

/**
 * Starts a backup now and answers at once (the console polls the state while it runs). A
 * second press while one runs joins it. On PostgreSQL the server does not take backups.
 */
export async function startBackupNow(deps: BackupDeps, actor: Actor): Promise<BackupStateView> {
  requireRole(actor, 'owner');
  if (!deps.runner) throw conflict('this server does not take backups itself: on PostgreSQL the operator runs npm run backup (see README, "Backup and restore")');
  void deps.runner.run('manual');
  return readBackupState(deps, actor);
}
