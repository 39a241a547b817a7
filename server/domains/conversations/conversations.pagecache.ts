import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { InboxFilter } from './conversations.repository.ts';
import { inboxChangesSince, pruneInboxChanges, snapshotParts } from './conversations.pagecache.repository.ts';

/**
 * Inbox pages kept in the process, so that the many agents of a shop who look at the same view
 * get it from one read of the page, not one each (README, "An inbox page read by many agents").
 *
 * A page is kept with the snapshot of a statement sent before the page was read
 * (inboxChangesSince), so the page shows at least what that snapshot saw. Before a kept page is
 * answered, one statement asks whether anything a page of the shop shows was committed unseen
 * by that snapshot (a row of inbox_changes, migration 0038); if so, the page is read again. So
 * a kept page is answered only when the page read now would be the same, as of the statement
 * that checked, except for what changes with the clock alone, the SLA badges: a page is kept
 * until the soonest moment one of its badges changes (JsonPageRow.moment). Who may see it is
 * checked before, on every request, as for any page (the session, the role, the shop).
 *
 * The key is everything the answer depends on (keyOf): the shop, whether the viewer's contact
 * data is masked (the answer is stored as sent, masked or not, never shaped afterwards), the
 * view's filters with "me" resolved to the person, and the page's size. A search, the SLA
 * filter and pages after the first are never kept. Bounded in bytes, the least recently used
 * page going first.
 */
export class InboxPageCache {
  private readonly pages = new Map<string, KeptPage>();
  private readonly flights = new Map<string, Flight>();
  private bytes = 0;

  constructor(readonly options: InboxPageCacheOptions) {}

  get enabled(): boolean {
    return this.options.maxBytes > 0;
  }

  /**
   * The page of `f` for a viewer masked or not, as the bytes to send: from the cache when nothing
   * it shows changed since; `read` reads it otherwise. Kept as bytes, so that answering a kept
   * page neither measures nor encodes its text again (a tenth of a page's cost in the process).
   */
  async page(db: Db, shopId: string, masked: boolean, f: InboxFilter, read: () => Promise<ReadPage>): Promise<Buffer> {
    const key = this.enabled ? keyOf(shopId, masked, f) : undefined;
    if (key === undefined) return Buffer.from((await read()).json);
    const now = Date.now();
    const kept = this.fresh(key, now);
    const since = await inboxChangesSince(db, shopId, kept?.snapshot);
    if (kept && !since.changed) {
      this.options.observe?.('hit');
      return kept.body;
    }
    // Changed: what it showed is not kept a moment longer than it is needed.
    if (kept && this.pages.get(key) === kept) this.drop(key, kept);
    // A page being read already, from a snapshot that sees all this one does, is as good as a new one.
    const flight = this.flights.get(key);
    if (flight && sees(flight.snapshot, since.snapshot)) {
      const got = await flight.page.catch(() => undefined);
      if (got && (got.moment === null || Date.now() < got.moment)) {
        this.options.observe?.('joined');
        return got.body;
      }
    }
    this.options.observe?.(kept ? 'changed' : 'miss');
    const page = read().then((r): Answer => ({ body: Buffer.from(r.json), moment: r.moment }));
    const mine: Flight = { snapshot: since.snapshot, page };
    this.flights.set(key, mine);
    try {
      const got = await page;
      const until = Math.min(got.moment ?? Infinity, now + this.options.maxAgeMs);
      this.keep(key, { snapshot: since.snapshot, body: got.body, from: now, until, bytes: got.body.length + 2 * (key.length + since.snapshot.length) + ENTRY_OVERHEAD });
      return got.body;
    } finally {
      if (this.flights.get(key) === mine) this.flights.delete(key);
    }
  }

  /** How many pages are kept and their size (the metrics). */
  size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }

  /** Drops every page past its time, asked again or not (the prune's timer): none stays in memory for long after it stopped being valid. */
  sweep(now = Date.now()): void {
    for (const [k, p] of this.pages) if (outOfTime(p, now)) this.drop(k, p);
  }

  private fresh(key: string, now: number): KeptPage | undefined {
    const kept = this.pages.get(key);
    if (!kept) return undefined;
    if (outOfTime(kept, now)) {
      this.drop(key, kept);
      return undefined;
    }
    // Least recently used first: a Map iterates in insertion order.
    this.pages.delete(key);
    this.pages.set(key, kept);
    return kept;
  }

  private keep(key: string, page: KeptPage): void {
    const old = this.pages.get(key);
    if (old) this.drop(key, old);
    if (page.bytes > this.options.maxBytes) return;
    this.pages.set(key, page);
    this.bytes += page.bytes;
    while (this.bytes > this.options.maxBytes) {
      const [k, p] = this.pages.entries().next().value!;
      this.drop(k, p);
    }
  }

  private drop(key: string, page: KeptPage): void {
    this.pages.delete(key);
    this.bytes -= page.bytes;
  }
}

/** Past its badges' next moment or its age, or read at a time the clock has since gone back before. */
const outOfTime = (p: KeptPage, now: number) => now >= p.until || now < p.from;

/** What a kept page costs beside its strings (the entry, its Map slot), roughly. */
const ENTRY_OVERHEAD = 256;

export interface InboxPageCacheOptions {
  /** At most this many bytes of pages (their bytes as sent, with their keys and snapshots as JavaScript strings, two bytes a character); 0 keeps none. */
  maxBytes: number;
  /** A page is read again at the latest this long after it was read. */
  maxAgeMs: number;
  /** Told how each request was answered: kept (`hit`), none kept (`miss`), kept but changed (`changed`), or from a read another request had under way (`joined`). */
  observe?: (result: 'hit' | 'miss' | 'changed' | 'joined') => void;
}

/** A page as read: the answer's JSON, and the soonest moment one of its SLA badges changes (ms since the epoch; null when none will). */
export interface ReadPage {
  json: string;
  moment: number | null;
}

/** A page as answered: its bytes, and its badges' next moment. */
interface Answer {
  body: Buffer;
  moment: number | null;
}

interface KeptPage {
  snapshot: string;
  body: Buffer;
  /** When it was read and until when it holds (ms since the epoch). */
  from: number;
  until: number;
  bytes: number;
}

interface Flight {
  snapshot: string;
  page: Promise<Answer>;
}

/**
 * How each field of an inbox filter counts for the cache: part of the key, a view never kept,
 * or not part of the answer (`now` moves only the SLA badges, which bound a kept page's time).
 * Written for every field, so a field added to InboxFilter does not compile until it is placed.
 */
const FIELDS = {
  statuses: 'key',
  assigneeId: 'key',
  tag: 'key',
  priority: 'key',
  limit: 'key',
  // Pages after the first are rarely shared, and any date makes one: only first pages are kept.
  before: 'never',
  text: 'never',
  found: 'never',
  allIn: 'never',
  scan: 'never',
  window: 'never',
  ids: 'never',
  now: 'ignored',
} as const satisfies Record<keyof InboxFilter, 'key' | 'never' | 'ignored'>;

/** The cache's key of a view, or undefined for one that is never kept (a search, the SLA filter, a page after the first). */
export function keyOf(shopId: string, masked: boolean, f: InboxFilter): string | undefined {
  const parts: unknown[] = [shopId.toLowerCase(), masked];
  for (const [field, use] of Object.entries(FIELDS) as Array<[keyof InboxFilter, (typeof FIELDS)[keyof InboxFilter]]>) {
    if (use === 'never' && f[field] !== undefined) return undefined;
    // undefined (not filtered) and null (assignee: nobody) stay apart.
    if (use === 'key') parts.push(f[field] === undefined ? '*' : f[field]);
  }
  return JSON.stringify(parts);
}

interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** A pg_snapshot's text form (`xmin:xmax:xip,…`), or undefined when it is not one. */
export function parseSnapshot(text: string): Snapshot | undefined {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (!m) return undefined;
  return { xmin: BigInt(m[1]!), xmax: BigInt(m[2]!), xip: new Set(m[3] ? m[3].split(',').map(BigInt) : []) };
}

/**
 * Whether snapshot `a` sees every transaction `b` sees (both as inboxChangesSince gives them:
 * the server's incarnation, then pg_snapshot's text). b sees an xid below its xmax and not in
 * its xip. Conservative: false whenever b's xmax is above a's, though every xid between might
 * be one b does not see either, and for snapshots of two incarnations.
 */
export function sees(a: string, b: string): boolean {
  const [pa, pb] = [snapshotParts(a), snapshotParts(b)];
  const x = parseSnapshot(pa.snapshot);
  const y = parseSnapshot(pb.snapshot);
  if (!x || !y || pa.incarnation !== pb.incarnation || y.xmax > x.xmax) return false;
  for (const id of x.xip) if (id < y.xmax && !y.xip.has(id)) return false;
  return true;
}

/**
 * Removes what no kept page can need any more from inbox_changes (pruneInboxChanges), and the
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
      logger.warn({ err }, 'could not remove old rows of inbox_changes; trying again later');
    } finally {
      running = false;
    }
  };
  await run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
