import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { InboxPageCache } from './conversations.pagecache.ts';
import { pruneInboxChanges } from './conversations.pagecache.repository.ts';

/**
 * Removes what no kept page can need any more from inbox_changes and list_changes
 * (pruneInboxChanges), and the
 * pages past their time from `cache`, now and every `everyMs`; a database away is a warning and
 * a try at the next turn. Resolves once the first removal is done (or failed): rows a restored
 * dump brought from another server are gone before the process answers. Returns the stop.
 */
export async function pruneInboxChangesEvery(db: Db, logger: Logger, everyMs: number, cache?: InboxPageCache): Promise<() => void> {
  let running = false;
  const run = async () => {
    cache?.sweep();
    if (running) return;
    running = true;
    try {
      await pruneInboxChanges(db);
    } catch (err) {
      logger.warn({ err }, 'could not remove old rows of inbox_changes and list_changes; trying again later');
    } finally {
      running = false;
    }
  };
  await run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
