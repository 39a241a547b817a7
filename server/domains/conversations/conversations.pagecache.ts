import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import type { InboxFilter } from './conversations.list.repository.ts';
import { keyMine, keyOf } from './conversations.pagecache.keys.ts';
import type { AlongSession } from '../auth/auth.repository.ts';
import { inboxChangesSince, listChangesWithSession, MINE_MAX_ASKED, mineJudgeable, mineSince, myShops, myShopsChangesSince, myShopsWithSession, type MineSeen, type MyShop, inboxChangesWithSession, type ChangesSince, type InboxChangesSeen, type KeptList } from './conversations.pagecache.repository.ts';
import { changedSince, keptSnapshot, sees, type KeptSnapshot } from './conversations.pagecache.snapshot.ts';

/**
 * Inbox pages kept in the process, so that the many agents of a shop who look at the same view
 * get it from one read of the page, not one each (README, "An inbox page read by many agents").
 * The first pages of the returns and orders lists are kept the same way, each checked against
 * its own changes (shopPage).
 *
 * A page is kept with the snapshot of a statement sent before the page was read
 * (inboxChangesSince), so the page shows at least what that snapshot saw. Before a kept page is
 * answered, one statement reads what changed in the shop (a row of inbox_changes, migration
 * 0038: its newest change, and those of the transactions kept pages saw running), and the page
 * is judged in the process (changedSince); if anything it shows was committed unseen by its
 * snapshot, it is read again. On the console's requests that statement is the session's own
 * (`along`), so the request sends no statement more. So
 * a kept page is answered only when the page read now would be the same, as of the statement
 * that checked, except for what changes with the clock alone, the SLA badges: a page is kept
 * until the soonest moment one of its badges changes (JsonPageRow.moment). Who may see it is
 * checked on every request, as for any page: the session, the role, the shop (for all my
 * shops, the person's shops are read in the check itself).
 *
 * The key is everything the answer depends on (keyOf): the shop, whether the viewer's contact
 * data is masked (the answer is stored as sent, masked or not, never shaped afterwards), the
 * view's filters with "me" resolved to the person, and the page's size. A search, the SLA
 * filter and pages after the first are never kept. Bounded in bytes, the least recently used
 * page going first. All my shops is kept the same way, per person and view (pageMine, keyMine),
 * checked against all their shops and the shops themselves (their roles and names), with the
 * session too (`alongMine`).
 */
export class InboxPageCache {
  private readonly pages = new Map<string, KeptPage>();
  private readonly flights = new Map<string, Flight>();
  /** By shop: the xids the snapshots of its kept pages list as running, each with how many pages list it. */
  private readonly running = new Map<string, Map<bigint, number>>();
  private bytes = 0;

  constructor(readonly options: InboxPageCacheOptions) {}

  /**
   * What the inbox route reads with its session (auth.repository.ts, AlongSession): the shop's
   * changes as the kept pages' check needs them, asking about the transactions their snapshots
   * saw running: the MAX_ASKED newest of them (a page whose are not all asked about, and not
   * found changed by the rest, is checked by a statement).
   */
  readonly along: AlongSession<InboxChangesSeen> = {
    read: inboxChangesWithSession,
    params: (shopId) => (shopId === null ? undefined : this.asked(shopId.toLowerCase(), MAX_ASKED)),
  };

  /**
   * What all my shops reads with its session: the person's shops and their changes as the kept
   * pages' check needs them (MineSeen), asking about the MINE_MAX_ASKED newest of the
   * transactions any kept page of all my shops saw running (a page whose are not all asked about
   * is checked by a statement, myShopsChangesSince). The route tells the shop asked for (shopOf).
   */
  readonly alongMine: AlongSession<MineSeen> = {
    read: myShopsWithSession,
    params: () => this.asked(ACROSS, MINE_MAX_ASKED),
  };

  /** What another kept list's route reads with its session (shopPage): the shop's changes of that list, as `along` reads the inbox's. */
  readonly alongList: Record<KeptList, AlongSession<InboxChangesSeen>> = {
    returns: this.alongOf('returns'),
    orders: this.alongOf('orders'),
  };

  private alongOf(list: KeptList): AlongSession<InboxChangesSeen> {
    return { read: listChangesWithSession[list], params: (shopId) => (shopId === null ? undefined : this.asked(listScope(list, shopId.toLowerCase()), MAX_ASKED)) };
  }

  /** The xids to ask about for `scope`'s kept pages, an array's text: the `most` newest of those their snapshots saw running. */
  private asked(scope: string, most: number): [string] | undefined {
    if (!this.enabled) return undefined;
    const ids = [...(this.running.get(scope)?.keys() ?? [])];
    // A Map iterates in insertion order: the last are those of the pages kept last.
    return [`{${ids.slice(-most).join(',')}}`];
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0;
  }

  /**
   * The page of `f` for a viewer masked or not, as the bytes to send: from the cache when nothing
   * it shows changed since; `read` reads it otherwise. Kept as bytes, so that answering a kept
   * page neither measures nor encodes its text again (a tenth of a page's cost in the process).
   */
  async page(db: Db, shopId: string, masked: boolean, f: InboxFilter, read: () => Promise<ReadPage>, seen?: InboxChangesSeen): Promise<Buffer> {
    const key = this.enabled ? keyOf(shopId, masked, f) : undefined;
    if (key === undefined) return Buffer.from((await read()).json);
    const shop = shopId.toLowerCase();
    return (await this.answer('inbox', key, shop, (kept) => judged('inbox', shop, kept, seen) ?? inboxChangesSince(db, shopId, kept?.snapshot), read)).body;
  }

  /**
   * A page of another list of one shop under `key` (undefined: never kept), checked as an inbox
   * page is, against that list's own changes (list_changes, migration 0040): the first pages of
   * the returns list (returns.queries.ts) and of the orders list (orders.list.ts). `seen` is
   * what its route read with the session (alongList). `key` holds everything the answer
   * depends on, and never equals an inbox page's (keyOf: those start with the shop's id).
   * Answered with what the page's read said it shows (ReadPage.shown), for the request's audit
   * row.
   */
  async shopPage(db: Db, list: KeptList, shopId: string, key: string | undefined, read: () => Promise<ReadPage>, seen?: InboxChangesSeen): Promise<Shown> {
    if (key === undefined || !this.enabled) {
      const r = await read();
      return { body: Buffer.from(r.json), shown: r.shown };
    }
    const shop = shopId.toLowerCase();
    return this.answer(list, key, listScope(list, shop), (kept) => judged(list, shop, kept, seen) ?? inboxChangesSince(db, shopId, kept?.snapshot, list), read);
  }

  /**
   * The page of `f` over a person's shops (all my shops; `shopId`, one of them), as the bytes to
   * send: from the cache when the check finds their shops as they were (each with their role in
   * it and its name: the tag) and none of them changed anything a page shows since; `read` reads
   * it otherwise, with their shops read then (myShops). The check is `seen`, read with the
   * session (alongMine), when it is for this shop (or all) and can tell, else a statement of its
   * own (myShopsChangesSince). Kept per person and view (keyMine). Refused with not_found when
   * `shopId` is not one of theirs.
   */
  async pageMine(db: Db, userId: string, shopId: string | undefined, f: InboxFilter, read: (shops: MyShop[]) => Promise<ReadPage>, seen?: MineSeen): Promise<Buffer> {
    const readMine = async (): Promise<ReadPage> => {
      const mine = await myShops(db, userId, shopId);
      if (shopId && !mine.shops.length) throw notMine();
      return { ...(await read(mine.shops)), shopsTag: mine.tag };
    };
    const key = this.enabled ? keyMine(userId, shopId, f) : undefined;
    if (key === undefined) return Buffer.from((await readMine()).json);
    const answered = await this.answer('inbox', key, ACROSS, async (kept) => {
      // Read with the session (alongMine) for this very shop or none, when it can tell; else a statement of its own.
      const fromSession = seen && seen.shopId === (shopId?.toLowerCase() ?? '') ? mineSince(kept?.read, seen) : undefined;
      const since = fromSession ?? (await myShopsChangesSince(db, userId, shopId, kept?.snapshot));
      if (shopId && !since.count) throw notMine();
      return { snapshot: since.snapshot, changed: since.changed || kept?.shopsTag !== since.tag };
    }, readMine);
    return answered.body;
  }

  /** The kept page under `key` when `check` finds nothing it shows changed, else read (or joined to a read under way) and kept; `shop` is the shop whose running transactions it counts (AlongSession), ACROSS for all my shops. */
  private async answer(list: InboxChangesSeen['list'], key: string, shop: string, check: (kept: KeptPage | undefined) => ChangesSince | Promise<ChangesSince>, read: () => Promise<ReadPage>): Promise<Shown> {
    const now = Date.now();
    const kept = this.fresh(key, now);
    const since = await check(kept);
    if (kept && !since.changed) {
      this.options.observe?.('hit', list);
      return kept;
    }
    // Changed: what it showed is not kept a moment longer than it is needed.
    if (kept && this.pages.get(key) === kept) this.drop(key, kept);
    // A page being read already, from a snapshot that sees all this one does, is as good as a new one.
    const flight = this.flights.get(key);
    if (flight && sees(flight.snapshot, since.snapshot)) {
      const got = await flight.page.catch(() => undefined);
      if (got && (got.moment === null || Date.now() < got.moment)) {
        this.options.observe?.('joined', list);
        return got;
      }
    }
    this.options.observe?.(kept ? 'changed' : 'miss', list);
    const page = read().then((r): Answer => ({ body: ownBytes(r.json), moment: r.moment, shopsTag: r.shopsTag, shown: r.shown }));
    const mine: Flight = { snapshot: since.snapshot, page };
    this.flights.set(key, mine);
    try {
      const got = await page;
      const until = Math.min(got.moment ?? Infinity, now + this.options.maxAgeMs);
      const parsed = keptSnapshot(since.snapshot);
      const shownBytes = got.shown?.reduce((n, x) => n + 2 * x.length + SHOWN_OVERHEAD, 0) ?? 0;
      const bytes = got.body.length + 2 * (key.length + since.snapshot.length) + XID_BYTES * (parsed.pg?.xip.size ?? 0) + shownBytes + ENTRY_OVERHEAD;
      this.keep(key, { shop, shopsTag: got.shopsTag, shown: got.shown, snapshot: since.snapshot, read: parsed, body: got.body, from: now, until, bytes });
      return got;
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
    if (page.bytes > this.options.maxBytes || unjudged(page)) return;
    this.pages.set(key, page);
    this.bytes += page.bytes;
    const xip = page.read.pg?.xip;
    if (xip?.size) {
      const ids = this.running.get(page.shop) ?? new Map<bigint, number>();
      for (const x of xip) {
        const n = ids.get(x) ?? 0;
        // Last in the Map's order, as the newest asked about: a transaction running long, listed by each new page, stays asked.
        ids.delete(x);
        ids.set(x, n + 1);
      }
      this.running.set(page.shop, ids);
    }
    while (this.bytes > this.options.maxBytes) {
      const [k, p] = this.pages.entries().next().value!;
      this.drop(k, p);
    }
  }

  private drop(key: string, page: KeptPage): void {
    this.pages.delete(key);
    this.bytes -= page.bytes;
    const ids = this.running.get(page.shop);
    if (!ids) return;
    for (const x of page.read.pg?.xip ?? []) {
      const n = ids.get(x)! - 1;
      if (n > 0) ids.set(x, n);
      else ids.delete(x);
    }
    if (ids.size === 0) this.running.delete(page.shop);
  }
}

/** Where the running transactions of pages of all my shops are counted (`running`): no shop's id. */
const ACROSS = '*';

/** Where the running transactions of another list's pages of a shop are counted (`running`): apart from the inbox's, as their changes are. */
const listScope = (list: KeptList, shop: string) => `${list}:${shop}`;

/** A page of all my shops that is not mineJudgeable: never kept, and its transactions, asked about with the session, would crowd out other pages'. */
const unjudged = (page: KeptPage) => page.shop === ACROSS && !mineJudgeable(page.read);

/** A shop asked for that is not one of the person's. */
const notMine = () => new DomainError('not_found', 'shop not found');

/** Past its badges' next moment or its age, or read at a time the clock has since gone back before. */
const outOfTime = (p: KeptPage, now: number) => now >= p.until || now < p.from;

/**
 * The text's UTF-8 bytes in memory of their own: Buffer.from takes a text under 4 KB from an
 * 8 KB slab it shares, and a kept page of a few rows would hold its whole slab for minutes,
 * unseen by the cache's count of bytes.
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** At most this many running transactions of a shop's kept pages are asked about with the session. */
const MAX_ASKED = 256;

/**
 * A kept page of `list` and `shop` (lower case) judged by what was read with the session, and
 * the snapshot for a page read now; undefined when there is nothing read with it, it is another
 * list's or shop's, or it cannot tell.
 */
function judged(list: InboxChangesSeen['list'], shop: string, kept: KeptPage | undefined, seen: InboxChangesSeen | undefined): ChangesSince | undefined {
  if (!seen || seen.list !== list || seen.shopId !== shop) return undefined;
  const changed = kept === undefined ? true : changedSince(kept.read, seen);
  return changed === undefined ? undefined : { snapshot: seen.snapshot, changed };
}

/** What a running transaction of a kept page costs, in its list and its shop's count, roughly. */
const XID_BYTES = 64;

/** What a string of ReadPage.shown costs beside its characters, roughly. */
const SHOWN_OVERHEAD = 32;

/** What a kept page costs beside its strings (the entry, its Map slot), roughly. */
const ENTRY_OVERHEAD = 256;

export interface InboxPageCacheOptions {
  /** At most this many bytes of pages (their bytes as sent, with their keys and snapshots as JavaScript strings, two bytes a character); 0 keeps none. */
  maxBytes: number;
  /** A page is read again at the latest this long after it was read. */
  maxAgeMs: number;
  /** Told how each request was answered: kept (`hit`), none kept (`miss`), kept but changed (`changed`), or from a read another request had under way (`joined`); and of which list (all my shops: the inbox). */
  observe?: (result: 'hit' | 'miss' | 'changed' | 'joined', list: InboxChangesSeen['list']) => void;
}

/** A page as read: the answer's JSON, and the soonest moment one of its SLA badges changes (ms since the epoch; null when none will). */
export interface ReadPage {
  json: string;
  moment: number | null;
  /** All my shops: the person's shops the page was read with (MINE_TAG), which its check must find the same. */
  shopsTag?: string;
  /** What the page shows that the request's audit row names (the orders list: its order numbers), kept with it. */
  shown?: readonly string[];
}

/** A page as shopPage answers it: its bytes, and ReadPage.shown. */
export interface Shown {
  body: Buffer;
  shown?: readonly string[];
}

/** A page as answered: its bytes, its badges' next moment, ReadPage's shopsTag and shown. */
interface Answer extends Shown {
  moment: number | null;
  shopsTag?: string;
}

interface KeptPage {
  /** Its shop (lower case), ACROSS for a page of several shops, or listScope for another list's: where its running transactions are counted. */
  shop: string;
  /** ReadPage.shopsTag. */
  shopsTag?: string;
  /** ReadPage.shown. */
  shown?: readonly string[];
  /** Its snapshot as inboxChangesSince gave it, and read once (its check's and its running transactions' count's). */
  snapshot: string;
  read: KeptSnapshot;
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


