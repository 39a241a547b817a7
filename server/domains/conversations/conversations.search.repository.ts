import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { expectedMatches, type SearchStatistics } from './conversations.search.estimate.ts';
import { conversations } from './conversations.tables.ts';

/**
 * The inbox's text search: a conversation matches when its subject, its order number or its
 * customer's name contains the text (as `search_text` folds both), or when the text is its
 * number (`128` or `#128`). The words are looked up in the search index
 * (conversationSearch in conversations.tables.ts; migration 0034).
 *
 * Which way is cheapest depends on how many conversations match and how recent they are, and
 * the planner cannot tell, so listConversations asks in turn:
 * 1. For words the index's statistics expect in more than SEARCH_BY_ID conversations
 *    (expectedOften, on the process's copy of the statistics; not a text with digits, and no
 *    tag or SLA filter, which no index serves): the newest SEARCH_FIRST_WINDOW rows for each row of the page, each checked, when
 *    they hold a page. 配送, in one subject in eight, fills a page of 51 within 260 rows: 0.7 ms
 *    at 100,000 conversations, where the index, which gathers all of a word's matches before it
 *    answers, took 6 ms. For a rare word those 306 look-ups cost the bench 4 ms of PostgreSQL's
 *    CPU a search, for nothing: hence the statistics.
 * 2. The index, for at most SEARCH_BY_ID + 1 matches: when there are no more, the page is
 *    fetched from those ids and sorted.
 * 3. The newest SEARCH_WINDOW rows from the cursor, each checked (`textMatches`), when they hold
 *    a page (a word in one conversation in a hundred).
 * 4. Every match the index gives, sorted (a word common long ago and rare since).
 *
 * Each way is bounded by the page, the window or the matches, never by the shop's history.
 */
export const SEARCH_BY_ID = 1000;
export const SEARCH_WINDOW = 5000;
/** Rows checked first, for each row of the page asked for (one more than it shows). */
export const SEARCH_FIRST_WINDOW = 6;

/** The conversation number a search names (`128`, `#128`), if it is one. */
export const numberIn = (text: string) => {
  const n = /^#?(\d{1,9})$/.exec(text);
  return n ? Number(n[1]) : undefined;
};

/** The ids of every conversation in these shops that matches `text`, by the search index (a subquery). */
export function matchesQuery(shopIds: string[], text: string): SQL {
  const n = numberIn(text);
  const byNumber = (shop: SQL) => (n === undefined ? sql`` : sql`union all select c.id from conversations c where c.shop_id = ${shop} and c.number = ${n}`);
  const inShop = (shop: SQL) => sql`select s.conversation_id as id from conversation_search s
    where s.grams @> search_query_grams(${shop}, ${text}) and s.shop_id = ${shop} and s.text like search_pattern(${text}) ${byNumber(shop)}`;
  // One shop (the usual inbox): its id is a constant the planner folds into the grams. Several:
  // the index asked once per shop, its grams worked out for that shop. The lateral subquery is
  // fenced (OFFSET 0): pulled up into a join, it was planned as a hash join over a sequential
  // scan of the whole search table, every shop's rows checked with LIKE (650 ms for 配送 in the
  // bench's 100 shops).
  return shopIds.length === 1
    ? inShop(sql`${shopIds[0]}::uuid`)
    : sql`select x.id from unnest(${sql.param(shopIds)}::uuid[]) as sh(id) cross join lateral (${inShop(sql`sh.id`)} offset 0) x`;
}

/**
 * The index's statistics (SearchStatistics) are read from `pg_stats` at most once every
 * STATISTICS_TTL_MS per process and database: reading and unnesting them cost every word search
 * about 1 ms of PostgreSQL's CPU. ANALYZE itself runs minutes apart at best, so a copy a few
 * minutes old misleads no more than the statistics themselves do; and the estimate only picks
 * which way a search takes, never what it finds.
 */
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

/** The index's matches when there are at most SEARCH_BY_ID (the statement fetches one more), else undefined. */
const fewMatches = (ids: string[]): string[] | undefined => (ids.length > SEARCH_BY_ID ? undefined : [...new Set(ids)]);

/**
 * The shops among `shopIds` whose index statistics expect `text` in more than SEARCH_BY_ID of
 * their conversations (expectedMatches, on the process's copy of the statistics: no statement
 * while it is fresh). There the index would gather every match before answering.
 */
export async function expectedOften(db: Db, shopIds: string[], text: string): Promise<string[]> {
  const statistics = await searchStatistics(db);
  return shopIds.filter((id) => expectedMatches(statistics, id, text) > SEARCH_BY_ID);
}

/** The statement behind searchCandidates (unsent: inbox.search.test.ts reads its plan). */
export function candidatesQuery(shopIds: string[], text: string): SQL {
  return sql`select m.id from (${matchesQuery(shopIds, text)}) m limit ${SEARCH_BY_ID + 1}`;
}

/**
 * The ids of the conversations in these shops that match `text`, by the search index; undefined
 * when there are more than SEARCH_BY_ID.
 */
export async function searchCandidates(db: Db, shopIds: string[], text: string): Promise<string[] | undefined> {
  const found = (await db.execute(candidatesQuery(shopIds, text))) as unknown as { rows: Array<{ id: string }> };
  return fewMatches(found.rows.map((r) => r.id));
}

/**
 * The search as a condition on each of the newest rows: one key look-up a row, as a scalar
 * subquery, which PostgreSQL runs row by row and stops with the page. As an EXISTS, it may
 * hash the whole search table first when it expects few matches.
 */
export function textMatches(text: string, id: SQLWrapper = conversations.id, number: SQLWrapper = conversations.number): SQL {
  const n = numberIn(text);
  return sql`coalesce((select s.text like search_pattern(${text}) ${n === undefined ? sql`` : sql`or ${number} = ${n}`}
    from conversation_search s where s.conversation_id = ${id}), false)`;
}
