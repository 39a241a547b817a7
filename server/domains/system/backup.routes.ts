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
    summary: "The deployment's last backup: when and whether it succeeded (owners); its size, failure code and whether one runs (the owner of every shop)",
    description: 'A backup holds every shop of the deployment: `scope: deployment` answers the person who owns every shop, `scope: summary` (when and whether) any other owner. A failure is a code and a message in Japanese and English, never the server-side error text (that is in the log).',
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
    summary: 'Take a backup now, into DATA_DIR/backups (the owner of every shop; embedded database only)',
    description: 'Answers 202 at once; GET shows `running` until it is done. 403 for an owner of only some of the shops; 409 while a backup runs (or on PostgreSQL, where the operator takes them); 429 with Retry-After within 10 minutes of the last one started this way.',
    auth: 'session',
    params: shopIdParams,
    status: 202,
    response: backupStateView,
    errors: ['not_found', 'forbidden', 'conflict', 'rate_limited'],
    handler: ({ actor }) => startBackupNow(deps, actor),
  });
}
