import { sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { statement } from '../../core/db/statement.ts';
import { sessionReadWith } from '../auth/auth.repository.ts';

/** The shop id migration 0038 writes for a change every shop's pages show (a person's name, a TRUNCATE). */
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

/** A kept snapshot's parts: the incarnation it was taken in, and the pg_snapshot. */
export const snapshotParts = (kept: string): { incarnation: string; snapshot: string } => {
  const cut = kept.lastIndexOf('/');
  return { incarnation: kept.slice(0, cut), snapshot: kept.slice(cut + 1) };
};

/** The server's incarnation: its start time and the database's oid (a failover, a restart, a database dropped and restored under its name each change it). */
const INCARNATION = `extract(epoch from pg_postmaster_start_time())::text || '/' || (select oid from pg_database where datname = current_database())::text`;

/** This statement's snapshot, after the incarnation: for a page with none kept. */
const snapshotNow = statement<ChangesSince>('inbox_snapshot_now', `select ${INCARNATION} || '/' || pg_current_snapshot()::text as "snapshot", true as "changed"`);

/**
 * $1 the shop, $2 the kept snapshot's incarnation, $3 its pg_snapshot. Prepared (statement.ts):
 * the cache sends it for every page it answers, so its one plan must be good for any shop and
 * snapshot. The newest change of the shop and of every shop is read as max(xid), the last
 * entry of the key's range (one step of the index backwards), and compared with the
 * snapshot's xmax: as a range condition (`xid >= xmax`), the plan kept for any value reads a
 * deployment of one shop by a scan of all its changes, the planner taking a third of them to
 * match. The running transactions are looked up by key. `offset 0` keeps the incarnation's
 * subquery from being inlined, and read, at each of its two uses.
 */
export const changesSince = statement<ChangesSince>(
  'inbox_changes_since',
  `select i.incarnation || '/' || pg_current_snapshot()::text as "snapshot",
     i.incarnation <> $2::text
       or coalesce((select h.xid > pg_snapshot_xmin($3::pg_snapshot) from inbox_changes_horizon h), true)
       or coalesce(greatest((select max(c.xid) from inbox_changes c where c.shop_id = $1::uuid),
                            (select max(c.xid) from inbox_changes c where c.shop_id = '${EVERY_SHOP}'::uuid)) >= pg_snapshot_xmax($3::pg_snapshot), false)
       or exists (select 1 from inbox_changes c where c.shop_id in ($1::uuid, '${EVERY_SHOP}'::uuid) and c.xid = any(array(select pg_snapshot_xip($3::pg_snapshot))))
     as "changed"
   from (select ${INCARNATION} as incarnation offset 0) i`,
);

/**
 * Whether the shop's pages changed since `since` (a snapshot this returned earlier), and the
 * snapshot to keep for a page read next, in one statement. A change counts when its
 * transaction wrote a row of inbox_changes (migration 0038) for the shop or for every shop,
 * is committed as this statement sees it, and was not visible to `since`: its xid is at or
 * above that snapshot's xmax, or one it lists as running, two ranges of the primary key. When
 * rows that old have been removed (the horizon is above its xmin), or `since` was taken in
 * another incarnation of the server, the answer is "changed", never a guess.
 */
export async function inboxChangesSince(db: Db, shopId: string, since: string | undefined): Promise<ChangesSince> {
  const kept = since === undefined ? undefined : snapshotParts(since);
  const [row] = kept === undefined ? await snapshotNow(db, []) : await changesSince(db, [shopId, kept.incarnation, kept.snapshot]);
  return row!;
}

/**
 * What the inbox route reads in its session's statement (auth.repository.ts, AlongSession),
 * so that a kept page costs the request no statement of its own: the same facts the check
 * above weighs, for every page of the shop at once, judged in the process (changedSince).
 */
export interface InboxChangesSeen {
  /** The shop they are of ($2). */
  shopId: string;
  /** The statement's snapshot, after the incarnation, as inboxChangesSince gives it. */
  snapshot: string;
  /** The horizon's xid; null when it has none (then every page counts as changed). */
  horizon: bigint | null;
  /** The newest change of the shop or of every shop; null when there is none. */
  newest: bigint | null;
  /** The xids asked about ($3: those the shop's kept pages' snapshots list as running). */
  asked: Set<bigint>;
  /** Those of them that wrote a change of the shop or of every shop, committed as the statement sees it. */
  committed: Set<bigint>;
}

const xids = (v: unknown): Set<bigint> => new Set(((v as string[] | null) ?? []).map(BigInt));
const xidOrNull = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string));

/** The session's read with the shop's inbox changes: $3 is the xids asked about, as an array's text (`{1,2}`). The same plan for any value, as changesSince's. */
export const inboxChangesWithSession = sessionReadWith<InboxChangesSeen>(
  'auth_session_read_inbox',
  `$2::uuid::text as "inbox:shop",
   ${INCARNATION} || '/' || pg_current_snapshot()::text as "inbox:snapshot",
   (select h.xid::text from inbox_changes_horizon h) as "inbox:horizon",
   greatest((select max(c.xid) from inbox_changes c where c.shop_id = $2::uuid),
            (select max(c.xid) from inbox_changes c where c.shop_id = '${EVERY_SHOP}'::uuid))::text as "inbox:newest",
   $3::text::xid8[]::text[] as "inbox:asked",
   array(select c.xid::text from inbox_changes c where c.shop_id in ($2::uuid, '${EVERY_SHOP}'::uuid) and c.xid = any($3::text::xid8[])) as "inbox:committed"`,
  (raw) => ({
    shopId: raw['inbox:shop'] as string,
    snapshot: raw['inbox:snapshot'] as string,
    horizon: xidOrNull(raw['inbox:horizon']),
    newest: xidOrNull(raw['inbox:newest']),
    asked: xids(raw['inbox:asked']),
    committed: xids(raw['inbox:committed']),
  }),
);

/**
 * Whether something a page kept with snapshot `kept` shows was committed unseen by it, as of
 * `seen`: the check of changesSince, weighed in the process; undefined when `seen` cannot tell
 * (nothing says changed, and a running transaction of the kept snapshot was not asked about).
 */
export function changedSince(kept: string, seen: InboxChangesSeen): boolean | undefined {
  const k = snapshotParts(kept);
  const s = parsePgSnapshot(k.snapshot);
  if (!s || k.incarnation !== snapshotParts(seen.snapshot).incarnation) return true;
  if (seen.horizon === null || seen.horizon > s.xmin) return true;
  if (seen.newest !== null && seen.newest >= s.xmax) return true;
  let unasked = false;
  for (const x of s.xip) {
    if (seen.committed.has(x)) return true;
    if (!seen.asked.has(x)) unasked = true;
  }
  return unasked ? undefined : false;
}

export interface PgSnapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** A pg_snapshot's text form (`xmin:xmax:xip,…`), or undefined when it is not one. */
export function parsePgSnapshot(text: string): PgSnapshot | undefined {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (!m) return undefined;
  return { xmin: BigInt(m[1]!), xmax: BigInt(m[2]!), xip: new Set(m[3] ? m[3].split(',').map(BigInt) : []) };
}

/** The horizon moves to an xid taken at least this long before (pruneInboxChanges). */
const HORIZON_LAG = sql`interval '60 seconds'`;

/**
 * Removes the rows of inbox_changes below the horizon, in one statement. The horizon moves, at
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
    )
    select count(*)::int as "n" from gone`)) as unknown as { rows: Array<{ n: number }> };
  return r.rows[0]!.n;
}
