import { lt, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { slackIncoming } from './slack.tables.ts';

/** Slack retries within minutes; keys older than this are no use and are pruned. */
const KEEP_MS = 3 * 86_400_000;
/** One insert in this many also prunes, so the table stays small without a job of its own. */
const PRUNE_EVERY = 200;
let inserts = 0;

/**
 * Records that Slack sent `key` (an event id, an interaction's trigger, a command's trigger);
 * false when it was recorded before: a retry or a replay, not to be acted on again.
 */
export async function isNewIncoming(db: Db, key: string, teamId: string | undefined): Promise<boolean> {
  const rows = await db.insert(slackIncoming).values({ key, teamId: teamId ?? null }).onConflictDoNothing().returning({ key: slackIncoming.key });
  if (++inserts % PRUNE_EVERY === 0) await db.delete(slackIncoming).where(lt(slackIncoming.receivedAt, sql`now() - ${`${KEEP_MS} milliseconds`}::interval`));
  return rows.length > 0;
}
