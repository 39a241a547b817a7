import type { InboxChangesSeen } from './conversations.pagecache.repository.ts';

/*
 * The snapshots inbox pages are kept with (conversations.pagecache.ts): the server's
 * incarnation, then pg_snapshot's text, as inboxChangesSince gives them; read, compared, and
 * judged against what a check read (InboxChangesSeen). No I/O.
 */

/** A kept snapshot's parts: the incarnation it was taken in, and the pg_snapshot. */
export const snapshotParts = (kept: string): { incarnation: string; snapshot: string } => {
  const cut = kept.lastIndexOf('/');
  return { incarnation: kept.slice(0, cut), snapshot: kept.slice(cut + 1) };
};

/** A kept snapshot, read once: the incarnation it was taken in, and its pg_snapshot (undefined when it is not one). */
export interface KeptSnapshot {
  incarnation: string;
  pg: PgSnapshot | undefined;
}

export const keptSnapshot = (text: string): KeptSnapshot => {
  const { incarnation, snapshot } = snapshotParts(text);
  return { incarnation, pg: parsePgSnapshot(snapshot) };
};

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

/**
 * Whether something a page kept with snapshot `kept` shows was committed unseen by it, as of
 * `seen`: a change of the shop or of every shop at or past its xmax, or by a transaction it
 * lists as running; "changed" too when rows that old have been removed (the horizon is above
 * its xmin) or it was taken in another incarnation of the server, never a guess. Undefined
 * when `seen` cannot tell: nothing says changed, and a running transaction of `kept` was not
 * asked about.
 */
export function changedSince(kept: KeptSnapshot, seen: InboxChangesSeen): boolean | undefined {
  const s = kept.pg;
  if (!s || kept.incarnation !== snapshotParts(seen.snapshot).incarnation) return true;
  if (seen.horizon === null || seen.horizon > s.xmin) return true;
  if (seen.newest !== null && seen.newest >= s.xmax) return true;
  let unasked = false;
  for (const x of s.xip) {
    if (seen.committed.has(x)) return true;
    if (!seen.asked.has(x)) unasked = true;
  }
  return unasked ? undefined : false;
}

/**
 * Whether snapshot `a` sees every transaction `b` sees (both as inboxChangesSince gives them:
 * the server's incarnation, then pg_snapshot's text). b sees an xid below its xmax and not in
 * its xip. Conservative: false whenever b's xmax is above a's, though every xid between might
 * be one b does not see either, and for snapshots of two incarnations.
 */
export function sees(a: string, b: string): boolean {
  const [ka, kb] = [keptSnapshot(a), keptSnapshot(b)];
  const [x, y] = [ka.pg, kb.pg];
  if (!x || !y || ka.incarnation !== kb.incarnation || y.xmax > x.xmax) return false;
  for (const id of x.xip) if (id < y.xmax && !y.xip.has(id)) return false;
  return true;
}
