import { type Actor, requireRole } from '../../core/actor.ts';
import type { BackupRunner } from '../../core/backup/backup.runner.ts';
import { readBackupStatus, type BackupFailureCode, type BackupRun } from '../../core/backup/backup.status.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, forbidden } from '../../core/errors.ts';
import { ownsEveryShop } from '../shops/shops.repository.ts';
import type { BackupRunView, BackupStateView } from './backup.schema.ts';

export interface BackupDeps {
  db: Db;
  database: 'pglite' | 'postgres';
  /** Where status.json is (DATA_DIR/backups). */
  backupsDir: string;
  /** Present when this process can take backups itself (the embedded database). */
  runner?: BackupRunner;
  nightly: { enabled: boolean; hour: number; keepDaily: number; keepWeekly: number };
  /** The least time from the end of one "back up now" to the start of the next (default 10 minutes). */
  cooldownMs?: number;
  now?: () => Date;
}

export const BACKUP_COOLDOWN_MS = 10 * 60_000;

/** What a failure is called where people read it; the cause in detail is in the log. */
export const failureMessages: Record<BackupFailureCode, string> = {
  no_space: 'ディスクの空き容量が足りないため、バックアップを取得できませんでした / not enough disk space for a backup',
  failed: 'バックアップに失敗しました。原因はサーバーのログにあります / the backup failed; the server log says why',
};

const runView = (run: BackupRun | null): BackupRunView | null =>
  run && {
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    ok: run.ok,
    file: run.file,
    bytes: run.bytes,
    failure: run.ok ? null : { code: run.code ?? 'failed', message: failureMessages[run.code ?? 'failed'] },
  };

const summary = (run: BackupRun | null) => run && { finishedAt: run.finishedAt, ok: run.ok };

/** Owners only; true when the person owns every shop of the deployment, whose data a backup holds. */
async function ownsDeployment(deps: BackupDeps, actor: Actor): Promise<boolean> {
  requireRole(actor, 'owner');
  return ownsEveryShop(deps.db, actor.userId);
}

async function stateFor(deps: BackupDeps, whole: boolean): Promise<BackupStateView> {
  const status = deps.runner ? await deps.runner.status() : await readBackupStatus(deps.backupsDir);
  if (!whole) return { scope: 'summary', last: summary(status.last), lastSuccess: summary(status.lastSuccess) };
  return {
    scope: 'deployment',
    database: deps.database,
    nightly: deps.runner && deps.nightly.enabled ? { hour: deps.nightly.hour, timeZone: 'Asia/Tokyo', keepDaily: deps.nightly.keepDaily, keepWeekly: deps.nightly.keepWeekly } : null,
    canRunNow: deps.runner !== undefined,
    running: deps.runner?.running() ?? false,
    last: runView(status.last),
    lastSuccess: runView(status.lastSuccess),
  };
}

/**
 * The deployment's backups as an owner sees them. The person who owns every shop: when the
 * last one ran, whether it worked (a code and message when not), its size, and whether one
 * runs. Any other owner: when, and whether it worked. Everyone else: forbidden.
 */
export async function readBackupState(deps: BackupDeps, actor: Actor): Promise<BackupStateView> {
  return stateFor(deps, await ownsDeployment(deps, actor));
}

/**
 * Starts a backup now and answers at once (the console polls the state while it runs). Only
 * for the person who owns every shop: a backup holds them all and holds PGlite's query lock
 * while it dumps. One at a time (409 while one runs, the nightly one too), and not sooner
 * than `cooldownMs` after the last one started this way ended (429 with Retry-After). On
 * PostgreSQL the server does not take backups (409).
 */
export async function startBackupNow(deps: BackupDeps, actor: Actor): Promise<BackupStateView> {
  if (!(await ownsDeployment(deps, actor))) {
    throw forbidden('バックアップには全ショップのデータが含まれるため、すべてのショップのオーナーだけが開始できます / a backup holds every shop’s data: only a person who owns every shop may start one');
  }
  const runner = deps.runner;
  if (!runner) {
    throw conflict('このサーバーは自分ではバックアップを取得しません。PostgreSQL ではサーバー管理者が npm run backup を実行します / this server does not take backups itself: on PostgreSQL the operator runs npm run backup (see README, "Backup and restore")');
  }
  // From here to run() nothing awaits, so two requests cannot both start one.
  if (runner.running()) throw conflict('バックアップはすでに実行中です。終わるまでお待ちください / a backup is already running; wait for it to finish', { running: true });
  const cooldownMs = deps.cooldownMs ?? BACKUP_COOLDOWN_MS;
  const previous = runner.lastOf('manual');
  const waitMs = previous ? Date.parse(previous.finishedAt) + cooldownMs - (deps.now?.() ?? new Date()).getTime() : 0;
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    const minutes = Math.ceil(seconds / 60);
    const every = Math.round(cooldownMs / 60_000);
    throw new DomainError(
      'rate_limited',
      `今すぐバックアップは ${every} 分に 1 回までです。あと ${minutes} 分お待ちください / "back up now" may run once every ${every} minutes; try again in ${minutes} minute(s)`,
      { retryAfterSeconds: seconds },
      { 'Retry-After': String(seconds) },
    );
  }
  void runner.run('manual');
  return stateFor(deps, true);
}
