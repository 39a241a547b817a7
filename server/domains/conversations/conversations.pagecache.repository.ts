import { sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { statement } from '../../core/db/statement.ts';
import { sessionReadWith } from '../auth/auth.repository.ts';
import { changedSince, keptSnapshot, type KeptSnapshot } from './conversations.pagecache.snapshot.ts';
import type { Role } from '../shops/shops.tables.ts';

/** The shop id migrations 0038 and 0040 write for a change every shop's pages show (a person's name, a TRUNCATE). */
export const EVERY_SHOP = '00000000-0000-0000-0000-000000000000';

export interface ChangesSince {
  /**
   * The snapshot of this statement (pg_snapshot's text form), after the server's incarnation
   * (`<postmaster start>/<database oid>/`): a page read after it shows at least what it sees.
   * Transaction ids mean something only within one server and database: after a failover, a
   * point-in-time recovery or a restart, one kept snapshot's ids may be given out again.
   */
  snapshot: string;
  /** Whether something a page of the shop shows was committed unseen by `since`'s snapshot (always true without one, or from another incarnation). */
  changed: boolean;
}

/** The server's incarnation: its start time and the database's oid (a failover, a restart, a database dropped and restored under its name each change it). */
const INCARNATION = `extract(epoch from pg_postmaster_start_time())::text || '/' || (select oid from pg_database where datname = current_database())::text`;

/**
 * What a kept page's check reads, as of one statement: the same facts for every page of the
 * shop, judged in the process (changedSince). The inbox route reads them in its session's
 * statement (auth.repository.ts, AlongSession), so that a kept page costs the console's
 * request no statement of its own; any other request reads them alone (inboxChangesSince).
 * All my shops reads them over the person's shops (MineSeen), the same two ways.
 */
export interface InboxChangesSeen {
  /** The list whose changes they are: the inbox's (inbox_changes), or another kept list's (list_changes). */
  list: 'inbox' | KeptList;
  /** The shop they are of; for all my shops, the one asked for, '' for all of them. */
  shopId: string;
  /** The statement's snapshot, after the incarnation, as inboxChangesSince gives it. */
  snapshot: string;
  /** The horizon's xid; null when it has none (then every page counts as changed). */
  horizon: bigint | null;
  /** The newest change of the shop or of every shop; null when there is none. */
  newest: bigint | null;
  /** The xids asked about: those kept pages' snapshots list as running. */
  asked: Set<bigint>;
  /** Those of them that wrote a change of the shop or of every shop, committed as the statement sees it. */
  committed: Set<bigint>;
}

/**
 * InboxChangesSeen's columns, of `list`'s changes, for the shop and the xids asked about (an
 * array's text, `{1,2}`) in the parameters `shop` and `asked`. Prepared in the two statements below, so their one plan
 * must be good for any shop and snapshot (the check of all my shops, mineSeenColumns, reads the
 * same columns over a person's shops, its own way): the newest change of the shop and of every shop is
 * read as max(xid), the last entry of the key's range (one step of the index backwards), to
 * be compared with a kept snapshot's xmax. As a range condition (`xid >= xmax`), the plan kept
 * for any value read a deployment of one shop by a scan of all its changes, the planner taking
 * a third of them to match. The running transactions are looked up by key.
 */
const seenColumns = (list: InboxChangesSeen['list'], shop: string, asked: string) => {
  const { table, and } = changesOf(list);
  return seenColumnsOf(
    list,
    `${shop}::uuid::text`,
    `(select max(c.xid) from ${table} c where c.shop_id = ${shop}::uuid${and})`,
    `array(select c.xid::text from ${table} c where c.shop_id in (${shop}::uuid, '${EVERY_SHOP}'::uuid)${and} and c.xid = any(${asked}::text::xid8[]))`,
    asked,
  );
};

/** The lists other than the inbox whose first pages are kept (InboxPageCache.shopPage), each checked against its own changes in list_changes. */
export type KeptList = 'returns' | 'orders';

/**
 * Where `list`'s changes are, as a table and a condition to add to its key's: the inbox's in
 * inbox_changes (migration 0038), another kept list's in list_changes (0040), whose key (shop,
 * list, xid) gives the same steps.
 */
const changesOf = (list: InboxChangesSeen['list']) =>
  list === 'inbox' ? { table: 'inbox_changes', and: '' } : { table: 'list_changes', and: ` and c.list = '${list}'` };

/**
 * The columns for `list` (InboxChangesSeen.list), `label` (what InboxChangesSeen.shopId says),
 * the newest change of its shops and of every shop, which of the xids asked about wrote a change
 * of them or of every shop, and those xids.
 */
const seenColumnsOf = (list: InboxChangesSeen['list'], label: string, newest: string, committed: string, asked: string) => {
  const { table, and } = changesOf(list);
  return `'${list}' as "inbox:list", ${label} as "inbox:shop",
   ${INCARNATION} || '/' || pg_current_snapshot()::text as "inbox:snapshot",
   (select h.xid::text from inbox_changes_horizon h) as "inbox:horizon",
   greatest(${newest},
            (select max(c.xid) from ${table} c where c.shop_id = '${EVERY_SHOP}'::uuid${and}))::text as "inbox:newest",
   ${asked}::text::xid8[]::text[] as "inbox:asked",
   ${committed} as "inbox:committed"`;
};

const xids = (v: unknown): Set<bigint> => new Set(((v as string[] | null) ?? []).map(BigInt));
const xidOrNull = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string));

const seenOf = (raw: Record<string, unknown>): InboxChangesSeen => ({
  list: raw['inbox:list'] as InboxChangesSeen['list'],
  shopId: raw['inbox:shop'] as string,
  snapshot: raw['inbox:snapshot'] as string,
  horizon: xidOrNull(raw['inbox:horizon']),
  newest: xidOrNull(raw['inbox:newest']),
  asked: xids(raw['inbox:asked']),
  committed: xids(raw['inbox:committed']),
});

/** $1 the shop, $2 the xids asked about: a kept page's check on its own. */
export const changesSeen = statement('inbox_changes_seen', `select ${seenColumns('inbox', '$1', '$2')}`, seenOf);

/** For each other kept list, $1 the shop, $2 the xids asked about: a kept page's check on its own. */
const listChangesSeen = {
  returns: statement('returns_changes_seen', `select ${seenColumns('returns', '$1', '$2')}`, seenOf),
  orders: statement('orders_changes_seen', `select ${seenColumns('orders', '$1', '$2')}`, seenOf),
} satisfies Record<KeptList, unknown>;

/** For each other kept list, the session's read with the shop's changes of the list: $2 the shop (the session's own), $3 the xids asked about. */
export const listChangesWithSession = {
  returns: sessionReadWith('auth_session_read_returns', seenColumns('returns', '$2', '$3'), seenOf),
  orders: sessionReadWith('auth_session_read_orders', seenColumns('orders', '$2', '$3'), seenOf),
} satisfies Record<KeptList, unknown>;

/**
 * A person's shops as all my shops reads them (`who` the person's id, `$2` one of their shops
 * or null for all): each with its role and name, which the page shows masked and named by.
 */
const mineOf = (who: string) => `mine as (select m.shop_id, m.role, s.name from memberships m join shops s on s.id = m.shop_id
   where m.user_id = ${who} and ($2::uuid is null or m.shop_id = $2::uuid))`;

/** $1 the person. */
const MINE = mineOf('$1::uuid');

/**
 * What the shops of `mine` are, with their roles and names, in a few bytes: a page of them is
 * kept under it, and answered only while it is the same. Unambiguous: an id is 36 characters,
 * a role letters only, and a name comes after its length; SHA-256, as shop owners choose the
 * names. (As json_agg's text: 0.3 ms.)
 */
const MINE_TAG = `(select encode(sha256(convert_to(coalesce(string_agg(x.shop_id::text || x.role || length(x.name) || ':' || x.name, ',' order by x.shop_id), ''), 'UTF8')), 'hex') from mine x)`;

export interface MyShop {
  shopId: string;
  shopName: string;
  role: Role;
}

/** $1 the person, $2 one of their shops or null: their shops by name, and their tag (MINE_TAG), also when there are none. */
const myShopsRead = statement<{ shopId: string | null; shopName: string | null; role: Role | null; tag: string }>(
  'my_shops_read',
  `with ${MINE} select m.shop_id as "shopId", m.name as "shopName", m.role as "role", t.tag as "tag"
   from (select ${MINE_TAG} as tag) t left join mine m on true order by m.name`,
);

/** The person's shops (or `shopId`, if theirs), by name, as a page of all my shops reads them, and their tag. */
export async function myShops(db: Db, userId: string, shopId: string | undefined): Promise<{ shops: MyShop[]; tag: string }> {
  const rows = await myShopsRead(db, [userId, shopId ?? null]);
  return { shops: rows.filter((r): r is MyShop & { tag: string } => r.shopId !== null), tag: rows[0]!.tag };
}

/**
 * The check of a page of all my shops, over `mine`, $2 one of their shops or null, $3 the
 * xids asked about: how many shops they have and their tag, and the changes seen over those
 * shops, the newest of each read as a step of its key backwards (a hundred shops, a hundred
 * steps). The label (InboxChangesSeen.shopId) is $2, '' for none.
 */
const mineSeenColumns = `(select count(*) from mine)::int as "mine:count", ${MINE_TAG} as "mine:tag", ${seenColumnsOf(
  'inbox',
  `coalesce($2::uuid::text, '')`,
  `(select max(n.xid) from mine cross join lateral (select max(c.xid) as xid from inbox_changes c where c.shop_id = mine.shop_id) n)`,
  // Each xid asked about looked up in each shop by its whole key, a step of the index each
  // (at most MINE_MAX_ASKED are asked about). Over all the shops at once, or an xid's range in a
  // shop, or as an EXISTS (made a join), the plan kept for any value read every change of the
  // shops and filtered them when they held few (5,800 over a hundred shops for 0 asked: 2.1 ms).
  // A scalar subquery with a LIMIT stays a look-up for each pair.
  `array(select distinct a.xid::text from unnest($3::text::xid8[]) a(xid)
     cross join (select shop_id from mine union all select '${EVERY_SHOP}'::uuid) s
     where (select true from inbox_changes c where c.shop_id = s.shop_id and c.xid = a.xid limit 1))`,
  '$3',
)}`;

/** What the check of a page of all my shops reads: the changes seen over the person's shops, how many shops they have (for the one asked for: 0 when not theirs) and their tag. */
export interface MineSeen extends InboxChangesSeen {
  count: number;
  tag: string;
}

// The count tells a shop asked for that is not theirs without reading their shops (the tag would only say they changed).
const mineSeenOf = (raw: Record<string, unknown>): MineSeen => Object.assign(seenOf(raw), { count: raw['mine:count'] as number, tag: raw['mine:tag'] as string });

/** $1 the person, $2 one of their shops or null, $3 the xids asked about: the check on its own. */
export const myShopsSeen = statement('my_shops_changes_seen', `with ${MINE} select ${mineSeenColumns}`, mineSeenOf);

/**
 * The session's read with the check of a page of all my shops (all my shops' AlongSession):
 * $1 the session (whose person's shops are read), $2 one of their shops or null, $3 the xids
 * asked about.
 */
export const myShopsWithSession = sessionReadWith('auth_session_read_mine', mineSeenColumns, mineSeenOf, mineOf('(select ss.user_id from sessions ss where ss.id = $1)'));

/**
 * Whether a page of all my shops read with snapshot `kept` can be judged later: its snapshot saw
 * at most MINE_MAX_ASKED transactions running, each asked about in every shop. One that saw more
 * is changed at its first check (mineSince), so it is never kept (InboxPageCache).
 */
export const mineJudgeable = (kept: KeptSnapshot | undefined): boolean => (kept?.pg?.xip.size ?? 0) <= MINE_MAX_ASKED;

/**
 * Whether a page of all my shops kept with snapshot `kept` (none: never kept) is changed as of
 * `seen` (changedSince), and their shops' count and tag; undefined when `seen` cannot tell (a
 * running transaction not asked about). A page that is not mineJudgeable is changed.
 */
export function mineSince(kept: KeptSnapshot | undefined, seen: MineSeen): (ChangesSince & { count: number; tag: string }) | undefined {
  const changed = kept === undefined || !mineJudgeable(kept) || changedSince(kept, seen);
  return changed === undefined ? undefined : { snapshot: seen.snapshot, changed, count: seen.count, tag: seen.tag };
}

/**
 * inboxChangesSince for a page of a person's shops (all my shops): whether any of them, or
 * every shop, changed since `since`, and how many shops they have now and their tag, which the
 * page's own must equal (a role, a shop left or joined, a shop renamed).
 */
export async function myShopsChangesSince(db: Db, userId: string, shopId: string | undefined, since: string | undefined): Promise<ChangesSince & { count: number; tag: string }> {
  const kept = since === undefined ? undefined : keptSnapshot(since);
  // A page that is not judgeable is read again rather than asked about: each xid costs a step in every shop.
  const [seen] = await myShopsSeen(db, [userId, shopId ?? null, mineJudgeable(kept) ? xipOf(kept) : '{}']);
  return mineSince(kept, seen!) ?? { snapshot: seen!.snapshot, changed: true, count: seen!.count, tag: seen!.tag };
}

/** At most this many running transactions of a kept page of all my shops are asked about: each is a step of the key in every shop (a hundred shops, eight: 808 steps, about what reading the page again costs). */
export const MINE_MAX_ASKED = 8;

/** The session's read with the shop's changes: $2 the shop (the session's own), $3 the xids asked about. */
export const inboxChangesWithSession = sessionReadWith('auth_session_read_inbox', seenColumns('inbox', '$2', '$3'), seenOf);

/**
 * Whether the shop's pages changed since `since` (a snapshot this returned earlier: always
 * true without one), and the snapshot to keep for a page read next, in one statement: the
 * changes seen (changedSince), asking about the transactions `since` lists as running. Of the
 * inbox's pages, or of `list`'s.
 */
export async function inboxChangesSince(db: Db, shopId: string, since: string | undefined, list?: KeptList): Promise<ChangesSince> {
  const kept = since === undefined ? undefined : keptSnapshot(since);
  const [seen] = await (list ? listChangesSeen[list] : changesSeen)(db, [shopId, xipOf(kept)]);
  return { snapshot: seen!.snapshot, changed: kept === undefined || (changedSince(kept, seen!) ?? true) };
}

/** The transactions a kept snapshot lists as running, as an array's text (`{1,2}`), to be asked about. */
const xipOf = (kept: KeptSnapshot | undefined) => `{${[...(kept?.pg?.xip ?? [])].join(',')}}`;



/** The horizon moves to an xid taken at least this long before (pruneInboxChanges). */
const HORIZON_LAG = sql`interval '60 seconds'`;

/**
 * Removes the rows of inbox_changes and list_changes below the horizon, in one statement. The horizon moves, at
 * most once a minute however many processes remove, to the oldest running transaction's xid
 * as it was taken at the move before (at least a minute ago), and that xid is taken again now:
 * a page kept from a snapshot older than the horizon is read again, so with writes going on a
 * kept page is read again every one to two minutes at the latest. Rows with an xid this server
 * has not reached (a database restored from another server's dump) go at once, and a horizon
 * there is taken back: kept, they would make every page count as changed. Returns how many
 * rows went.
 */
export async function pruneInboxChanges(db: Db): Promise<number> {
  // A horizon or its next step at or past xmax is another server's (a restored dump): taken back to now's xmin.
  const r = (await db.execute(sql`
    with s as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin, pg_snapshot_xmax(pg_current_snapshot()) as xmax),
    h as (
      update inbox_changes_horizon h set
        xid = case when h.xid >= s.xmax or h.next_xid >= s.xmax then s.xmin
                   when h.next_at <= now() - ${HORIZON_LAG} then greatest(h.xid, h.next_xid) else h.xid end,
        next_xid = case when h.next_at <= now() - ${HORIZON_LAG} or h.next_xid >= s.xmax then s.xmin else h.next_xid end,
        next_at = case when h.next_at <= now() - ${HORIZON_LAG} or h.next_xid >= s.xmax then now() else h.next_at end
      from s
      returning h.xid
    ),
    gone as (
      delete from inbox_changes where xid < (select xid from h) or xid >= (select xmax from s) returning 1
    ),
    gone_lists as (
      delete from list_changes where xid < (select xid from h) or xid >= (select xmax from s) returning 1
    )
    select (select count(*) from gone)::int + (select count(*) from gone_lists)::int as "n"`)) as unknown as { rows: Array<{ n: number }> };
  return r.rows[0]!.n;
}
