import { z } from 'zod';
import { backupRun } from '../../core/backup/backup.status.ts';

/** What the console's backup panel shows an owner (GET and POST /api/shops/:shopId/backups). */
export const backupStateView = z.object({
  database: z.enum(['pglite', 'postgres']),
  /** The server's own nightly backups: on with the embedded database; null on PostgreSQL (the operator's job). */
  nightly: z.object({ hour: z.number(), timeZone: z.literal('Asia/Tokyo'), keepDaily: z.number(), keepWeekly: z.number() }).nullable(),
  /** Whether "back up now" is possible here (the server process holds the embedded database). */
  canRunNow: z.boolean(),
  running: z.boolean(),
  last: backupRun.nullable(),
  lastSuccess: backupRun.nullable(),
});
export type BackupStateView = z.infer<typeof backupStateView>;
