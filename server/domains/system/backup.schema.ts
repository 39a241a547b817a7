import { z } from 'zod';
import { backupFailureCode, backupRun } from '../../core/backup/backup.status.ts';

/**
 * A run as the person who owns every shop sees it. Never the error text the log and
 * status.json keep (it may name the server's folders): a code and a message in both languages.
 */
export const backupRunView = backupRun.pick({ trigger: true, startedAt: true, finishedAt: true, ok: true, file: true, bytes: true }).extend({
  failure: z.object({ code: backupFailureCode, message: z.string() }).nullable(),
});

/** A run as the owner of some of the shops sees it: when, and whether it worked. */
export const backupRunSummary = backupRun.pick({ finishedAt: true, ok: true });

/**
 * What the console's backup panel shows (GET and POST /api/shops/:shopId/backups). A backup
 * holds every shop of the deployment, so its details and "back up now" are for the person who
 * owns every shop (`deployment`); another owner sees when the last one ran and whether it
 * worked (`summary`).
 */
export const backupStateView = z.discriminatedUnion('scope', [
  z.object({
    scope: z.literal('deployment'),
    database: z.enum(['pglite', 'postgres']),
    /** The server's own nightly backups: on with the embedded database; null on PostgreSQL (the operator's job). */
    nightly: z.object({ hour: z.number(), timeZone: z.literal('Asia/Tokyo'), keepDaily: z.number(), keepWeekly: z.number() }).nullable(),
    /** Whether "back up now" is possible here (the server process holds the embedded database). */
    canRunNow: z.boolean(),
    running: z.boolean(),
    last: backupRunView.nullable(),
    lastSuccess: backupRunView.nullable(),
  }),
  z.object({
    scope: z.literal('summary'),
    last: backupRunSummary.nullable(),
    lastSuccess: backupRunSummary.nullable(),
  }),
]);
export type BackupStateView = z.infer<typeof backupStateView>;
export type BackupRunView = z.infer<typeof backupRunView>;
