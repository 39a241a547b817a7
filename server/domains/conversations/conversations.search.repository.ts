import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
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
 *    (expectedMatches; not a text with digits, and no tag or SLA filter, which no index
 *    serves): the newest SEARCH_FIRST_WINDOW rows for each row of the page, each checked, when
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
  // One shop (the usual inbox): its id is a constant the planner folds into the grams.
  return shopIds.length === 1
    ? inShop(sql`${shopIds[0]}::uuid`)
    : sql`select x.id from unnest(${sql.param(shopIds)}::uuid[]) as sh(id) cross join lateral (${inShop(sql`sh.id`)}) x`;
}

/**
 * About how many conversations of the shop `text` matches, by the statistics ANALYZE keeps of
 * the search index (its most common grams, per shop since each gram carries the shop's key):
 * for each word, the frequency of its least frequent gram (the pairs of one word go together);
 * the words' frequencies multiplied (two words go together less); times the index's rows. A
 * gram not among the most common counts as none, so a rare word, a new table or PGlite before
 * its first ANALYZE give 0. No match is read. At 100,000 conversations: 配送 17,918 (18,008
 * match), ギフト 4,074 (3,979), 山下 太郎 94 (111). The planner's own estimate multiplies every
 * gram's frequency, the halves of one word too: it gave 5 for ギフト. (A scalar SQL expression.)
 */
function expectedMatches(shopId: string, text: string): SQL {
  return sql`(select case when count(*) > 0 and bool_and(w.f > 0) then exp(sum(ln(nullif(w.f, 0)))) else 0 end
      * greatest((select reltuples from pg_class where oid = 'conversation_search'::regclass), 0)
    from (
      select min(coalesce(e.f, 0))::float8 as f
      from regexp_split_to_table(search_text(${text}), '[[:space:]]+') as w(word)
      cross join lateral unnest(search_query_grams(${shopId}::uuid, w.word)) as g(gram)
      left join lateral (
        select st.most_common_elem_freqs[u.i] as f
        from pg_stats st cross join lateral unnest(st.most_common_elems::text::text[]) with ordinality as u(elem, i)
        where st.schemaname = (select n.nspname from pg_class t join pg_namespace n on n.oid = t.relnamespace where t.oid = 'conversation_search'::regclass)
        and st.tablename = 'conversation_search' and st.attname = 'grams' and u.elem = g.gram
      ) e on true
      where w.word <> ''
      group by w.word) w)`;
}

/** The index's matches when there are at most SEARCH_BY_ID (the probe fetches one more), else undefined. */
const fewMatches = (ids: string[]): string[] | undefined => (ids.length > SEARCH_BY_ID ? undefined : [...new Set(ids)]);

/** The statement behind candidatesUnlessCommon (unsent: inbox.search.test.ts reads its plan). */
export const candidatesUnlessCommonQuery = (shopId: string, text: string): SQL => sql`
    with e as (select ${expectedMatches(shopId, text)} as n)
    select null::uuid as id, (select n from e)::float8 as expected
    union all
    select x.id, null from (${candidatesQuery([shopId], text)}) x where (select n from e) <= ${SEARCH_BY_ID}`;

/**
 * searchCandidates for one shop, unless the index's statistics expect more than SEARCH_BY_ID
 * matches (expectedMatches): then `common`, and the index is not read, since it would gather
 * every match before answering. One statement: PostgreSQL works out the estimate first and
 * runs the index scan only when it is small.
 */
export async function candidatesUnlessCommon(db: Db, shopId: string, text: string): Promise<{ common: true } | { common: false; found: string[] | undefined }> {
  const r = (await db.execute(candidatesUnlessCommonQuery(shopId, text))) as unknown as {
    rows: Array<{ id: string | null; expected: number | string | null }>;
  };
  const expected = Number(r.rows.find((x) => x.id === null)?.expected ?? 0);
  if (expected > SEARCH_BY_ID) return { common: true };
  return { common: false, found: fewMatches(r.rows.filter((x) => x.id !== null).map((x) => x.id!)) };
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
