import type { BackupStateView } from '../../server/domains/system/backup.schema.ts';
import { request } from './api.ts';

export type BackupState = BackupStateView;

const path = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}/backups`;

/** The owner's backup panel: the deployment's last backup, and "back up now". */
export const backupApi = {
  state: (shopId: string, signal?: AbortSignal) => request<BackupState>(path(shopId), signal ? { signal } : {}),
  runNow: (shopId: string) => request<BackupState>(path(shopId), { method: 'POST' }),
};
