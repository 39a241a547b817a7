import type { BackupFailureCode } from '../../server/core/backup/backup.status.ts';
import type { Lang } from './i18n.ts';

/** The owner's backup panel; Japanese is the source, so English cannot miss a key. */
const ja = {
  title: 'バックアップ',
  none: 'まだバックアップはありません',
  ok: '成功',
  failed: '失敗',
  running: 'バックアップ中…',
  runNow: '今すぐバックアップ',
  nightly: (hour: number, daily: number, weekly: number) => `毎晩 ${hour}:00 に自動で取得（直近 ${daily} 日分と ${weekly} 週分を保管）`,
  operator: 'PostgreSQL ではサーバー管理者がバックアップを取得します',
  lastGood: '最後に成功',
  loadFailed: 'バックアップの状態を読み込めませんでした',
  runFailed: 'バックアップを開始できませんでした',
  alreadyRunning: 'バックアップはすでに実行中です',
  coolingDown: (minutes: number) => `今すぐバックアップは少し間をあけてください（あと約 ${Math.max(1, Math.ceil(minutes))} 分）`,
  notAllowed: 'バックアップを開始できるのは、すべてのショップのオーナーだけです',
  deploymentOwners: 'バックアップには全ショップのデータが含まれるため、詳細と操作はすべてのショップのオーナーだけが利用できます',
  failure: {
    no_space: 'ディスクの空き容量が足りません',
    failed: '原因はサーバーのログをご確認ください',
  } as Record<BackupFailureCode, string>,
};

const en: typeof ja = {
  title: 'Backups',
  none: 'No backup yet',
  ok: 'succeeded',
  failed: 'failed',
  running: 'Backing up…',
  runNow: 'Back up now',
  nightly: (hour, daily, weekly) => `Taken every night at ${hour}:00 (keeps ${daily} daily and ${weekly} weekly)`,
  operator: 'On PostgreSQL the server operator takes the backups',
  lastGood: 'Last success',
  loadFailed: 'Could not read the backup status',
  runFailed: 'Could not start a backup',
  alreadyRunning: 'A backup is already running',
  coolingDown: (minutes) => `Please wait a little before backing up again (about ${Math.max(1, Math.ceil(minutes))} min)`,
  notAllowed: 'Only the owner of every shop can start a backup',
  deploymentOwners: 'A backup holds every shop’s data: its details and controls are for the owner of every shop',
  failure: {
    no_space: 'Not enough disk space',
    failed: 'The server log says why',
  },
};

export const backupMessages: Record<Lang, typeof ja> = { ja, en };
