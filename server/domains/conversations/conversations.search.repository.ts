import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations } from './conversations.tables.ts';

/**
 * The inbox's text search: a conversation matches when its subject, its order number or its
 * customer's name contains the text (as `search_text` folds both), or when the text is its
 * number (`128` or `#128`). The words are looked up in the search index first
 * (conversationSearch in conversations.tables.ts; migration 0034).
 *
 * Which way is cheaper depends on how common the text is, and the planner cannot tell: a rare
 * name is found fastest from the index and sorted, a common word (配送, in one subject in
 * eight) fastest by reading the inbox in its order and checking each row until the page is
 * full. So the index is asked for at most SEARCH_BY_ID + 1 matches. When there are no more
 * than that, the page is listed from those ids; when there are more, matches are dense, and
 * the inbox is read in its order with each row checked (`textMatches`). Either way a page
 * costs about the same in a shop of a thousand conversations as in one of a hundred thousand.
 */
export const SEARCH_BY_ID = 1000;

const numberIn = (text: string) => {
  const n = /^#?(\d{1,9})$/.exec(text);
  return n ? Number(n[1]) : undefined;
};

/** The statement behind searchCandidates (unsent: inbox.search.test.ts reads its plan). */
export function candidatesQuery(shopIds: string[], text: string): SQL {
  const n = numberIn(text);
  const byNumber = (shop: SQL) => (n === undefined ? sql`` : sql`union all select c.id from conversations c where c.shop_id = ${shop} and c.number = ${n}`);
  const inShop = (shop: SQL) => sql`select s.conversation_id as id from conversation_search s
    where s.grams @> search_query_grams(${shop}, ${text}) and s.shop_id = ${shop} and s.text like search_pattern(${text}) ${byNumber(shop)}`;
  // One shop (the usual inbox): its id is a constant the planner folds into the grams.
  return shopIds.length === 1
    ? sql`${inShop(sql`${shopIds[0]}::uuid`)} limit ${SEARCH_BY_ID + 1}`
    : sql`select x.id from unnest(${sql.param(shopIds)}::uuid[]) as sh(id) cross join lateral (${inShop(sql`sh.id`)}) x limit ${SEARCH_BY_ID + 1}`;
}

/**
 * The ids of the conversations in these shops that match `text`, by the search index; undefined
 * when there are more than SEARCH_BY_ID (then list with `textMatches`).
 */
export async function searchCandidates(db: Db, shopIds: string[], text: string): Promise<string[] | undefined> {
  const found = (await db.execute(candidatesQuery(shopIds, text))) as unknown as { rows: Array<{ id: string }> };
  return found.rows.length > SEARCH_BY_ID ? undefined : [...new Set(found.rows.map((r) => r.id))];
}

/**
 * The search as a condition on each row of the inbox read in its order: a semi-join on the
 * search table's key, which PostgreSQL runs as one key look-up per row read, stopping at the
 * page's end, when its statistics say matches are dense (they are: more than SEARCH_BY_ID).
 * The number is checked inside it: an OR outside would keep the planner from the semi-join.
 */
export function textMatches(text: string): SQL {
  const n = numberIn(text);
  return sql`exists (select 1 from conversation_search s where s.conversation_id = ${conversations.id}
    and (s.text like search_pattern(${text}) ${n === undefined ? sql`` : sql`or ${conversations.number} = ${n}`}))`;
}
