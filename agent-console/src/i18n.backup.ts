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
};

export const backupMessages: Record<Lang, typeof ja> = { ja, en };
