import { and, desc, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { shops } from '../shops/shops.tables.ts';
import { conversations } from './conversations.tables.ts';
import { uuidIn } from './conversations.repository.ts';
import { inboxConditions, jsonPage, mayLookInNewest, newestFirst, sortedNewestFirst, type InboxFilter, type JsonPageRow } from './conversations.list.repository.ts';
import { expectedOften, SEARCH_FIRST_WINDOW, textMatches } from './conversations.search.repository.ts';

/*
 * All my shops: several shops' inboxes as one page (conversations.myqueue.ts), on the one shop's
 * inbox's filters, order and JSON rows (conversations.list.repository.ts).
 */

/**
 * Several shops' inboxes as one, newest activity first, in one statement: each shop's
 * newest rows through its own index (a lateral join per shop), then the newest `f.limit` of
 * those, fetched by key. The shops' rows are read as their id and time alone: carrying every
 * column of a page per shop through the sort took PostgreSQL twice as long (4.5–8 against
 * 2.3–2.5 ms over the bench's 100 shops). A search instead takes the matches searchAcross
 * found (`found`, and every match the index gives in the shops of `allIn`; with neither, every
 * match in all of them), fetched by key and sorted.
 *
 * Over many shops, a page per shop is most of the cost (5,100 rows for a page over 100 shops,
 * where 51 are shown), so each shop is first asked for its newest few rows (ACROSS_FIRST), and
 * the `f.limit`-th newest of those bounds the page: at least `f.limit` rows are that new, so no
 * row of the page is older. A shop's rows at or after the bound are all among its first rows
 * unless its first read came back full with its oldest row not older than the bound; only such
 * a shop reads again, down to the bound, and the page is the newest of both reads. With fewer
 * than `f.limit` rows in all the first reads there is no bound, and every shop whose first read
 * came back full reads a page. A page and a few rows per shop at most, whatever the shop's
 * history, for the views an index serves in their order; a tag or the SLA filter is checked
 * row by row along the shop's index until enough rows match.
 */
export function inboxQueryAcross(db: Db, shopIds: string[], f: InboxFilter) {
  if (f.text) {
    const matches = f.found ? f : { ...f, found: [], allIn: shopIds };
    return db.select().from(conversations).where(and(...inboxConditions(shopIds, { ...matches, scan: undefined }))).orderBy(...sortedNewestFirst).limit(f.limit);
  }
  // The shops, sent once: a hundred ids are 3.7 KB of a statement's parameters.
  const mine = db.$with('mine').as(db.select({ id: shops.id }).from(shops).where(uuidIn(shops.id, shopIds)));
  const first = ACROSS_FIRST(f.limit, shopIds.length);
  const perShop = (shop: SQLWrapper, n: number, where: SQL[]) =>
    db
      .select({ id: conversations.id, updatedAt: conversations.updatedAt })
      .from(conversations)
      .where(and(...inboxConditions(shop, f), ...where))
      .orderBy(...newestFirst)
      .limit(n)
      .as('c');
  const outer = (newest: SQLWrapper) =>
    // The ids come from the person's shops already; the outer read is scoped to them too, as every read of a shop's rows is.
    and(sql`${conversations.id} = any(array(${newest}))`, sql`${conversations.shopId} = any(array(select ${mine.id} from ${mine}))`);
  if (first >= f.limit) {
    const rows = perShop(mine.id, f.limit, []);
    const newest = db.select({ id: rows.id }).from(mine).innerJoinLateral(rows, sql`true`).orderBy(desc(rows.updatedAt), desc(rows.id)).limit(f.limit);
    return db.with(mine).select().from(conversations).where(outer(newest)).orderBy(...sortedNewestFirst);
  }
  const firstRead = perShop(mine.id, first, []);
  const firsts = db.$with('firsts').as(
    db
      .select({ shopId: sql<string>`${mine.id}`.as('shop_id'), id: firstRead.id, updatedAt: firstRead.updatedAt })
      .from(mine)
      .innerJoinLateral(firstRead, sql`true`),
  );
  const bound = db.$with('bound').as(
    db
      .select({ id: firsts.id, updatedAt: firsts.updatedAt })
      .from(firsts)
      .orderBy(desc(firsts.updatedAt), desc(firsts.id))
      .offset(f.limit - 1)
      .limit(1),
  );
  // No bound (fewer rows than a page in all the first reads): every row is at or after the least key.
  const boundAt = sql`coalesce((select ${bound.updatedAt} from ${bound}), '-infinity'::timestamptz)`;
  const atOrAfterBound = sql`(${conversations.updatedAt}, ${conversations.id}) >= (${boundAt}, coalesce((select ${bound.id} from ${bound}), ${NIL_UUID}::uuid))`;
  // A shop whose oldest first row is older than the bound (to the millisecond: a tie reads again) has shown all it has after it.
  const more = db.$with('more').as(
    db
      .select({ shopId: firsts.shopId })
      .from(firsts)
      .groupBy(firsts.shopId)
      .having(sql`count(*) = ${first} and min(${firsts.updatedAt}) >= ${boundAt}`),
  );
  // Qualified: Drizzle writes a CTE's aliased column bare (`more.shopId` is `"shop_id"`), which inside the read would be the conversation's own shop_id.
  const again = perShop(sql`${sql.identifier('more')}.${sql.identifier('shop_id')}`, f.limit, [atOrAfterBound]);
  const newest = sql`select u.id from (${db.select({ id: firsts.id, updatedAt: firsts.updatedAt }).from(firsts)} union ${db.select({ id: again.id, updatedAt: again.updatedAt }).from(more).innerJoinLateral(again, sql`true`)}) u
    order by u.updated_at desc, u.id desc limit ${f.limit}`;
  return db
    .with(mine, firsts, bound, more)
    .select()
    .from(conversations)
    .where(outer(newest))
    .orderBy(...sortedNewestFirst);
}

/**
 * How many rows each of `shops` shops is first asked for (inboxQueryAcross): enough for twice
 * a page in all, so a few shops with less than their share still leave a bound; over fewer than
 * three shops, a page each (the first reads would cost what they save).
 */
const ACROSS_FIRST = (limit: number, shops: number) => Math.min(limit, Math.ceil((2 * limit) / Math.max(shops, 1)));

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Several shops' inboxes as one (inboxQueryAcross), as the JSON rows of the inbox's own page
 * (detailedJsonQuery), each with its shop; a search's matches are first found shop by shop
 * (searchAcross). When some shop's matches come from its newest rows, those rows stand for its
 * newest matches only as of their statement, so the page is read in the same snapshot (a
 * read-only REPEATABLE READ transaction): a match that moved up meanwhile, or rows that stopped
 * matching, cannot leave out one of that shop's matches.
 */
export async function listConversationPageAcross(db: Db, shopIds: string[], f: InboxFilter): Promise<JsonPageRow[]> {
  if (!shopIds.length) return [];
  if (!f.text || f.found) return jsonPage(db, inboxQueryAcross(db, shopIds, f), f.now);
  const often = mayLookInNewest(f) ? await expectedOften(db, shopIds, f.text) : [];
  const page = async (q: Db) => jsonPage(q, inboxQueryAcross(q, shopIds, { ...f, ...(await searchAcross(q, shopIds, often, f as InboxFilter & { text: string })) }), f.now);
  return often.length ? db.transaction(page, { isolationLevel: 'repeatable read', accessMode: 'read only' }) : page(db);
}

/**
 * A search over several shops, decided shop by shop as inboxWay decides for one, so that a
 * word common in one shop costs that shop a page, not every match it has. In the shops whose
 * statistics expect the word often (`often`), the newest SEARCH_FIRST_WINDOW rows a row of the
 * page are checked, all those shops in one statement (a lateral join per shop): a shop whose
 * window holds a page has its newest matches there. The others, and a shop whose window came
 * short, give every match the index has for them (`allIn`), gathered in the page's own
 * statement and fetched by key: asking the index for at most SEARCH_BY_ID ids first, as one
 * shop's inbox does, would read it twice whenever there are more. The page is then the newest
 * of all those.
 */
async function searchAcross(db: Db, shopIds: string[], often: string[], f: InboxFilter & { text: string }): Promise<Pick<InboxFilter, 'found' | 'allIn'>> {
  const found: string[] = [];
  const short = new Set(shopIds.filter((id) => !often.includes(id)));
  if (often.length) {
    const rows = await newestMatchesAcross(db, often, f);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.shopId, (counts.get(r.shopId) ?? 0) + 1);
    for (const id of often) if ((counts.get(id) ?? 0) < f.limit) short.add(id);
    for (const r of rows) if (!short.has(r.shopId)) found.push(r.id);
  }
  return short.size ? { found, allIn: [...short] } : { found };
}

/** Each of these shops' matches among its newest SEARCH_FIRST_WINDOW rows a row of the page, a page at most per shop, in one statement. */
function newestMatchesAcross(db: Db, shopIds: string[], f: InboxFilter & { text: string }) {
  const { text, ...rest } = f;
  const recent = db
    .select({ id: conversations.id, shopId: conversations.shopId, number: conversations.number, updatedAt: conversations.updatedAt })
    .from(conversations)
    .where(and(...inboxConditions(shops.id, rest)))
    .orderBy(...newestFirst)
    .limit(SEARCH_FIRST_WINDOW * f.limit)
    .as('recent');
  const matching = db
    .select({ shopId: recent.shopId, id: recent.id })
    .from(recent)
    .where(textMatches(text, recent.id, recent.number))
    .orderBy(desc(recent.updatedAt), desc(recent.id))
    .limit(f.limit)
    .as('matching');
  return db.select({ shopId: matching.shopId, id: matching.id }).from(shops).innerJoinLateral(matching, sql`true`).where(uuidIn(shops.id, shopIds));
}
