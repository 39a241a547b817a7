import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import { InboxPageCache } from './conversations.pagecache.ts';

/** A page is read again at the latest this long after it was read, changed or not. */
const MAX_AGE_MS = 5 * 60_000;

/**
 * The process's inbox page cache (INBOX_CACHE_MB), and at /metrics:
 * - `inbox_page_cache_requests_total{result,list}`, one per request: `hit` (answered kept), `miss` (none kept), `changed`
 *   (kept, but something it shows changed since), `joined` (answered from a read another
 *   request had started, from a snapshot that saw as much); `list`: `inbox` (all my shops too),
 *   `returns` or `orders` (their first pages, InboxPageCache.shopPage);
 * - `inbox_page_cache_pages`, `inbox_page_cache_bytes`: what is kept.
 * Numbers only: nothing of a page reaches these.
 */
export function inboxPageCache(config: Pick<Config, 'INBOX_CACHE_MB'>, registry: Registry): InboxPageCache {
  const requests = new Counter({ name: 'inbox_page_cache_requests_total', help: 'Inbox pages (and the first pages of the returns and orders lists) asked of the cache, by how they were answered and list', labelNames: ['result', 'list'] as const, registers: [registry] });
  const cache = new InboxPageCache({ maxBytes: Math.floor(config.INBOX_CACHE_MB * 1024 * 1024), maxAgeMs: MAX_AGE_MS, observe: (result, list) => requests.labels(result, list).inc() });
  new Gauge({ name: 'inbox_page_cache_pages', help: 'Inbox pages kept in this process', registers: [registry], collect() { this.set(cache.size().pages); } });
  new Gauge({ name: 'inbox_page_cache_bytes', help: 'Bytes of inbox pages kept in this process', registers: [registry], collect() { this.set(cache.size().bytes); } });
  return cache;
}
