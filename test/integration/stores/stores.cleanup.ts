import { gte } from 'drizzle-orm';
import type { Db } from '../../../server/core/db/client.ts';
import { storeConnections } from '../../../server/domains/stores/stores.tables.ts';

/**
 * For suites that run no jobs (JOBS=off): the store connections they made go with them, so a
 * later suite's worker on the same database (the run's PostgreSQL database is shared in a
 * process) does not run their queued syncs and have its own store's runs wait behind them.
 * Suites in a process run one after another, so what was made since the suite began is its own.
 */
export async function forgetStoresSince(db: Db, since: Date): Promise<void> {
  await db.delete(storeConnections).where(gte(storeConnections.createdAt, since));
}
