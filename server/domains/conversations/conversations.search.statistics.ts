import { sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';

/**
 * How often the search index's words occur, as ANALYZE last saw them: the most common grams of
 * `conversation_search.grams` with their frequencies (at most ten times the statistics target:
 * 1,000 by default), and the index's rows. Read from `pg_stats` at most once every
 * STATISTICS_TTL_MS per process and database: reading and unnesting them cost every word search
 * about 1 ms of PostgreSQL's CPU. ANALYZE itself runs minutes apart at best, so a copy a few
 * minutes old misleads no more than the statistics themselves do; and the estimate only picks
 * which way a search takes, never what it finds.
 */
export interface SearchStatistics {
  /** Each most common gram (shop key and gram, as search_query_grams writes it) and its frequency. */
  frequencies: Map<string, number>;
  /** The index's rows, as the statistics count them (0 before the first ANALYZE). */
  rows: number;
}

export const STATISTICS_TTL_MS = 5 * 60_000;

interface Held {
  at: number;
  statistics: Promise<SearchStatistics>;
}

const held = new WeakMap<Db, Held>();

async function readStatistics(db: Db): Promise<SearchStatistics> {
  const r = (await db.execute(sql`
    select null::text as gram, greatest((select reltuples from pg_class where oid = 'conversation_search'::regclass), 0)::float8 as f
    union all
    select u.elem, st.most_common_elem_freqs[u.i]::float8
    from pg_stats st cross join lateral unnest(st.most_common_elems::text::text[]) with ordinality as u(elem, i)
    where st.schemaname = (select n.nspname from pg_class t join pg_namespace n on n.oid = t.relnamespace where t.oid = 'conversation_search'::regclass)
      and st.tablename = 'conversation_search' and st.attname = 'grams'`)) as unknown as { rows: Array<{ gram: string | null; f: number | string }> };
  const frequencies = new Map<string, number>();
  let rows = 0;
  for (const x of r.rows) {
    if (x.gram === null) rows = Number(x.f);
    else frequencies.set(x.gram, Number(x.f));
  }
  return { frequencies, rows };
}

/** The search index's statistics (SearchStatistics), read again once the copy is STATISTICS_TTL_MS old; one read at a time. */
export function searchStatistics(db: Db, now = Date.now()): Promise<SearchStatistics> {
  const h = held.get(db);
  // A clock set back counts as the copy's end, as its age does.
  if (h && now >= h.at && now - h.at < STATISTICS_TTL_MS) return h.statistics;
  const statistics = readStatistics(db);
  const entry = { at: now, statistics };
  held.set(db, entry);
  // A failed read is not kept: the next search asks again.
  statistics.catch(() => held.get(db) === entry && held.delete(db));
  return statistics;
}

/** Forgets this database's statistics, so the next search reads them (after an ANALYZE, in tests and benches). */
export const forgetSearchStatistics = (db: Db) => void held.delete(db);

/** search_text (migration 0034) in the process: NFKC, lower case. */
const searchText = (p: string) => p.normalize('NFKC').toLowerCase();

/** search_key (migration 0034): a shop's key, the first 12 hex digits of its id and the dash, as uuid's text writes them (lower case). */
const searchKey = (shopId: string) => shopId.slice(0, 13).toLowerCase();

/**
 * search_query_grams (migration 0034) in the process, word by word: each word's pairs at its
 * 1st, 3rd, 5th… characters and its last pair, or the word itself when it has one character,
 * each prefixed with the shop's key. Characters are code points, as PostgreSQL counts them.
 * `inbox.search.test.ts` holds it equal to the SQL function for Japanese, Latin, full- and
 * half-width and emoji texts. Where the two could still differ (lower case outside ASCII under
 * a C locale, rare kinds of white space), only the estimate differs: it picks the way a search
 * takes, and every way finds the same rows.
 */
export function queryGramsByWord(shopId: string, text: string): string[][] {
  const key = searchKey(shopId);
  return searchText(text)
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map((word) => {
      const c = Array.from(word);
      if (c.length === 1) return [key + word];
      const grams = new Set<string>();
      for (let i = 0; i < c.length - 1; i += 2) grams.add(key + c[i] + c[i + 1]);
      grams.add(key + c[c.length - 2] + c[c.length - 1]);
      return [...grams];
    });
}

/**
 * About how many conversations of the shop `text` matches, by the index's statistics: for each
 * word, the frequency of its least frequent gram (the pairs of one word go together); the
 * words' frequencies multiplied (two words go together less); times the index's rows. A gram
 * not among the most common counts as none, so a rare word, a new table or PGlite before its
 * first ANALYZE give 0. At 100,000 conversations: 配送 17,918 (18,008 match), ギフト 4,074
 * (3,979), 山下 太郎 94 (111). The planner's own estimate multiplies every gram's frequency, the
 * halves of one word too: it gave 5 for ギフト.
 */
export function expectedMatches(s: SearchStatistics, shopId: string, text: string): number {
  const words = queryGramsByWord(shopId, text);
  if (!words.length) return 0;
  let share = 1;
  for (const grams of words) share *= Math.min(...grams.map((g) => s.frequencies.get(g) ?? 0));
  return share * s.rows;
}
