import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { backupStateView } from './backup.schema.ts';
import { readBackupState, startBackupNow, type BackupDeps } from './backup.service.ts';

const tag = 'Backups';

export function backupRoutes(api: Api, deps: BackupDeps): void {
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/backups',
    tag,
    summary: "The deployment's last backup: when, whether it succeeded, size and error (owner)",
    auth: 'session',
    params: shopIdParams,
    response: backupStateView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => readBackupState(deps, actor),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/backups',
    tag,
    summary: 'Take a backup now, into DATA_DIR/backups (owner; embedded database only)',
    description: 'Answers 202 at once; GET shows `running` until it is done. A press while one runs joins it.',
    auth: 'session',
    params: shopIdParams,
    status: 202,
    response: backupStateView,
    errors: ['not_found', 'forbidden', 'conflict'],
    handler: ({ actor }) => startBackupNow(deps, actor),
  });
}
