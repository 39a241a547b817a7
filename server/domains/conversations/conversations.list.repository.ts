import { and, desc, eq, inArray, isNull, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, customers, messages, type ConversationStatus } from './conversations.tables.ts';
import type { CustomerRow } from './conversations.customers.repository.ts';
import { isoSql, rowsAs } from '../../core/db/statement.ts';
import { slaBadgeJsonSql, slaMomentSql } from '../sla/sla.repository.ts';
import type { ConversationDto } from './conversations.dto.ts';
import { customerVisible, type ConversationRow } from './conversations.repository.ts';
import { expectedOften, matchesQuery, SEARCH_FIRST_WINDOW, SEARCH_WINDOW, searchCandidates, textMatches } from './conversations.search.repository.ts';

/*
 * The inbox's lists: the filter of a view, its conditions and order, a page of one shop as
 * rows or as the JSON PostgreSQL writes (with each row's details: customer, assignee, preview,
 * SLA badge), as conversations.inbox.ts and all my shops (conversations.across.repository.ts)
 * read them.
 */

export interface InboxFilter {
  statuses?: ConversationStatus[];
  assigneeId?: string | null;
  tag?: string;
  priority?: string;
  ids?: SQL;
  /**
   * The search (conversations.search.repository.ts). How its matches are found is decided per
   * request (listConversations; for several shops, searchAcross): `found`, the ids the index
   * gave when they are few (and, across shops, the matches of the shops' newest rows); else
   * `scan: 'recent'`, each of the newest SEARCH_WINDOW rows checked; else `scan: 'all'`, every
   * match the index gives, sorted.
   */
  text?: string;
  found?: string[];
  /** With `found` (several shops' search: searchAcross): every match of these shops too, by the index. */
  allIn?: string[];
  scan?: 'recent' | 'all';
  /** With `scan: 'recent'`: how many of the newest rows are checked (SEARCH_WINDOW unless said). */
  window?: number;
  before?: { updatedAt: Date; id: string };
  limit: number;
  /**
   * The moment the SLA badges are taken at (slaBadgeJsonSql), the one `ids` was made with when it
   * filters by SLA state (inboxFilter): a row is shown with the state it was filtered by.
   */
  now?: Date;
}

/** The inbox filter's conditions, for the shops in `shopIds`, or the shop of a lateral join (a column: all my shops' `shops.id` or `mine.id`, conversations.across.repository.ts). */
export function inboxConditions(shopIds: string[] | SQLWrapper, f: InboxFilter): SQL[] {
  const where: SQL[] = [Array.isArray(shopIds) ? inArray(conversations.shopId, shopIds) : eq(conversations.shopId, shopIds), isNull(conversations.mergedIntoId)];
  if (f.statuses) where.push(inArray(conversations.status, f.statuses));
  if (f.assigneeId === null) where.push(isNull(conversations.assigneeId));
  else if (f.assigneeId) where.push(eq(conversations.assigneeId, f.assigneeId));
  if (f.tag) where.push(sql`${conversations.tags} @> array[${f.tag}]::text[]`);
  if (f.priority) where.push(eq(conversations.priority, f.priority as ConversationRow['priority']));
  if (f.ids) where.push(f.ids);
  if (f.text) {
    // Matches over several shops are gathered first (an array), then fetched by key: offered the
    // matches as a subquery to join, the planner sorted every conversation of the deployment and
    // probed them for each (2.2 s over the bench's 100 shops).
    if (f.found && f.allIn?.length) where.push(sql`${conversations.id} = any(array(select unnest(${sql.param(f.found)}::uuid[]) union all ${matchesQuery(f.allIn, f.text)}))`);
    else if (f.found) where.push(sql`${conversations.id} = any(${sql.param(f.found)}::uuid[])`);
    else if (f.scan === 'recent') where.push(textMatches(f.text));
    else if (Array.isArray(shopIds)) where.push(sql`${conversations.id} in (${matchesQuery(shopIds, f.text)})`);
    // A lateral join's shop is a column, which the search index cannot be asked for (inboxQueryAcross searches without it).
    else throw new Error('inboxConditions: a search needs the shops as values');
  }
  // updated_at holds milliseconds, the cursor's precision (migration 0033): the order and the
  // cursor's comparison are on the column itself, so each view reads its index backwards.
  if (f.before) where.push(sql`(${conversations.updatedAt}, ${conversations.id}) < (${f.before.updatedAt}::timestamptz, ${f.before.id}::uuid)`);
  return where;
}

export const newestFirst = [desc(conversations.updatedAt), desc(conversations.id)];
/**
 * The same order, in a form no index serves: for matches already found by the search index,
 * fetched by key and sorted. With the index's order on offer, the planner would read the
 * shop's history backwards for them, which costs the whole history when they are old.
 */
export const sortedNewestFirst = [desc(sql`${conversations.updatedAt} + interval '0 ms'`), desc(conversations.id)];
const orderFor = (f: InboxFilter) => (f.text && f.scan !== 'recent' ? sortedNewestFirst : newestFirst);

/** One shop's inbox, newest activity first, `f.limit` rows from the cursor (unsent: the plans tests read it). */
export function inboxQuery(db: Db, shopId: string, f: InboxFilter) {
  if (f.text && f.scan === 'recent') {
    // The newest SEARCH_WINDOW rows from the cursor, then those that match.
    const { text: _text, scan: _scan, window = SEARCH_WINDOW, ...rest } = f;
    const recent = db.select().from(conversations).where(and(...inboxConditions([shopId], rest))).orderBy(...newestFirst).limit(window).as('recent');
    return db
      .select(recent._.selectedFields)
      .from(recent)
      .where(textMatches(f.text, recent.id, recent.number))
      .orderBy(desc(recent.updatedAt), desc(recent.id))
      .limit(f.limit);
  }
  return db
    .select()
    .from(conversations)
    .where(and(...inboxConditions([shopId], f)))
    .orderBy(...orderFor(f))
    .limit(f.limit);
}

/**
 * One shop's inbox. A search is answered the cheapest of three ways, each bounded by the page
 * or by the matches, never by the shop's history: the index's matches when there are at most
 * SEARCH_BY_ID; else the newest SEARCH_WINDOW rows checked one by one, when they hold a page;
 * else every match the index gives, sorted. A word the index's statistics expect in many
 * conversations (expectedOften, from the process's copy of them) is first looked
 * for in the newest SEARCH_FIRST_WINDOW rows a row of the page: it fills its page there, and
 * the index would gather every one of its matches first. `run` sends the chosen
 * statement (as it is, or as the page the inbox answers: listConversationPageJson); `size` counts the
 * rows of what it answers.
 */
async function inboxWay<T>(db: Db, shopId: string, f: InboxFilter, run: (q: ReturnType<typeof inboxQuery>) => Promise<T>, size: (t: T) => number): Promise<T> {
  if (!f.text || f.found || f.scan) return run(inboxQuery(db, shopId, f));
  // Not with a tag or an SLA state: no index serves those, so finding the window's rows could
  // read the shop's history (a tag nobody uses: 56 ms at 100,000, against 4 ms without). Not for
  // a text with digits (an order number, a phone number: rare by nature). And only for words
  // the index's statistics expect often: for a rare one the window's look-ups are wasted.
  if (mayLookInNewest(f) && (await expectedOften(db, [shopId], f.text)).length) {
    const first = await run(inboxQuery(db, shopId, { ...f, scan: 'recent', window: SEARCH_FIRST_WINDOW * f.limit }));
    if (size(first) >= f.limit) return first;
  }
  const found = await searchCandidates(db, [shopId], f.text);
  if (found) return run(inboxQuery(db, shopId, { ...f, found }));
  const recent = await run(inboxQuery(db, shopId, { ...f, scan: 'recent' }));
  return size(recent) >= f.limit ? recent : run(inboxQuery(db, shopId, { ...f, scan: 'all' }));
}

export async function listConversations(db: Db, shopId: string, f: InboxFilter): Promise<ConversationRow[]> {
  return inboxWay(db, shopId, f, async (q): Promise<ConversationRow[]> => await q, (rows) => rows.length);
}

/**
 * A row of an inbox page as JSON (detailedJsonQuery): its ConversationDto as text, its cursor's
 * key (`updatedAt|id`), and the next moment its SLA badge changes by itself, as the clock
 * reaches it (ISO 8601; null when it will not: no open clock, or breached already).
 */
export interface JsonPageRow {
  dto: string;
  key: string;
  moment: string | null;
  /** Its shop's id (all my shops shape each row for the person's role in its shop). */
  shop: string;
  /** The DTO's `customer` as JSON, the very text `dto` holds after `"customer":` (a masked viewer's row reshapes only it). */
  customer: string;
}

/**
 * listConversations as the page the inbox answers, in one statement: each row's
 * ConversationDto as JSON text, built by PostgreSQL (detailedJsonQuery), for a viewer who
 * sees contact data.
 */
export async function listConversationPageJson(db: Db, shopId: string, f: InboxFilter): Promise<JsonPageRow[]> {
  return inboxWay(db, shopId, f, (q) => jsonPage(db, q, f.now), (rows) => rows.length);
}

/** detailedJsonQuery of `page` sent, its rows as they come. */
export const jsonPage = async (db: Db, page: SQLWrapper, now?: Date) => ((await db.execute(detailedJsonQuery(page, now))) as unknown as { rows: JsonPageRow[] }).rows;

/** Whether a search may look in the newest rows first (inboxWay): not for digits (rare by nature), nor with a tag or an SLA state, which no index serves. */
export function mayLookInNewest(f: InboxFilter): f is InboxFilter & { text: string } {
  return !!f.text && !/[\d０-９]/.test(f.text) && !f.tag && !f.ids;
}

export interface ConversationDetails {
  customers: Map<string, CustomerRow>;
  assignees: Map<string, string>;
  previews: Map<string, string>;
  /** Each conversation's SLA badge (slaBadgeJsonSql). */
  sla: Map<string, ConversationDto['sla']>;
}

const toCustomer = rowsAs(customers);
const noDetails = (): ConversationDetails => ({ customers: new Map(), assignees: new Map(), previews: new Map(), sla: new Map() });

/**
 * What a page of conversations shows beside each row, for the rows of `c` (columns id,
 * shop_id, customer_id, assignee_id, last_seq): the customer, the assignee's name, the last
 * message the customer can see (read backwards along (conversation, seq) from the row's
 * last_seq, so a long conversation costs no more; without that bound the planner gathered all
 * of a conversation's messages and sorted them, twice the cost at ten messages) and the SLA
 * badge, from the summary of its clocks on the conversation's row `badge` (columns sla_*; `c`
 * itself unless said). Each look-up is scoped by the row's own shop.
 */
const detailColumns = (c: SQL, now: Date, badge: SQL = c) => sql`
      (select to_jsonb(cu) from customers cu where cu.id = ${c}.customer_id and cu.shop_id = ${c}.shop_id) as "details:customer",
      ${assigneeNameOf(c)} as "details:assignee",
      ${previewOf(c)} as "details:preview",
      ${slaBadgeJsonSql(badge, now)} as "details:sla"`;

const assigneeNameOf = (c: SQL) => sql`(select u.name from users u where u.id = ${c}.assignee_id)`;
/** How many characters (code points, as left() counts them) of the last message an inbox row shows: previewText (conversations.view.ts) cuts live rows the same. */
export const PREVIEW_LENGTH = 140;

/** The row's preview: the last message its customer can see, cut as toActivity cuts it (PREVIEW_LENGTH characters). */
const previewOf = (c: SQL) =>
  sql`(select left(${messages.body}, ${sql.raw(String(PREVIEW_LENGTH))}) from ${messages} where ${messages.conversationId} = ${c}.id and ${messages.seq} <= ${c}.last_seq and ${messages.shopId} = ${c}.shop_id and ${customerVisible()}
        order by ${messages.seq} desc limit 1)`;

/**
 * A row's ConversationDto as columns named after its fields, in toConversationDto's order, with
 * the details looked up as in detailColumns, for a viewer who sees contact data (the caller
 * masks it for the others: conversations.inbox.ts); times as toISOString writes them.
 * `dto.json.test.ts` holds it equal to toConversationDto, row for row.
 */
const dtoColumns = (c: SQL, now: Date) => sql`${c}.id as "id", ${c}.shop_id as "shopId", ${c}.number as "number",
        ${c}.channel as "channel", ${c}.subject as "subject", ${c}.order_number as "orderNumber", ${c}.status as "status", ${c}.priority as "priority", ${c}.tags as "tags",
        (select row_to_json(a) from (select ${c}.assignee_id as "id", coalesce(${assigneeNameOf(c)}, '') as "name") a where ${c}.assignee_id is not null) as "assignee",
        ${c}.awaiting_assignment as "awaitingAssignment",
        (select row_to_json(k) from (select cu.id as "id", cu.name as "name", cu.email as "email", cu.verified as "verified", cu.external_id as "externalId"
          from customers cu where cu.id = ${c}.customer_id and cu.shop_id = ${c}.shop_id) k) as "customer",
        ${c}.last_seq as "lastSeq", ${c}.customer_read_seq as "customerReadSeq", ${c}.agent_read_seq as "agentReadSeq", ${isoSql(sql`${c}.snoozed_until`)} as "snoozedUntil",
        ${c}.merged_into_id as "mergedIntoId", ${isoSql(sql`${c}.last_message_at`)} as "lastMessageAt", ${previewOf(c)} as "lastMessagePreview",
        ${isoSql(sql`${c}.first_response_at`)} as "firstResponseAt", ${isoSql(sql`${c}.resolved_at`)} as "resolvedAt", ${isoSql(sql`${c}.created_at`)} as "createdAt",
        ${isoSql(sql`${c}.updated_at`)} as "updatedAt", ${slaBadgeJsonSql(c, now)} as "sla"`;

type DetailCells = { id: string; assignee_id: string | null; 'details:customer': Record<string, unknown> | null; 'details:assignee': string | null; 'details:preview': string | null; 'details:sla': ConversationDto['sla'] };

function addDetails(out: ConversationDetails, r: DetailCells): void {
  const customer = r['details:customer'];
  if (customer) {
    const c = toCustomer(customer);
    out.customers.set(c.id, c);
  }
  const assignee = r['details:assignee'];
  if (r.assignee_id && assignee !== null) out.assignees.set(r.assignee_id, assignee);
  const preview = r['details:preview'];
  if (preview !== null) out.previews.set(r.id, preview);
  out.sla.set(r.id, r['details:sla']);
}

/** Details of rows already read (a single conversation, a broadcast's rows), in one statement however many rows and shops; the SLA badges as of `now`. */
export async function conversationDetails(db: Db, rows: ConversationRow[], now = new Date()): Promise<ConversationDetails> {
  const out = noDetails();
  if (!rows.length) return out;
  const col = <T>(f: (r: ConversationRow) => T) => sql.param(rows.map(f));
  const found = (await db.execute(sql`
    select r.id, r.assignee_id, ${detailColumns(sql`r`, now, sql`latest`)}
    from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.shopId)}::uuid[], ${col((r) => r.customerId)}::uuid[], ${col((r) => r.assigneeId)}::uuid[], ${col((r) => r.lastSeq)}::int[])
      as r(id, shop_id, customer_id, assignee_id, last_seq)
      left join ${conversations} latest on latest.id = r.id and latest.shop_id = r.shop_id`)) as unknown as { rows: DetailCells[] };
  for (const r of found.rows) addDetails(out, r);
  return out;
}

/**
 * A page of the inbox as one statement, as JSON (listConversationPageJson; unsent: the plans
 * tests read it): the page's query, limited, so the look-ups run for its rows only, and planned
 * as it is alone (PostgreSQL does not pull up a subquery with a LIMIT); then each row's DTO
 * (dtoColumns) as text, its cursor's key, its shop and its customer's text again, which the
 * process sends on without decoding a row. The rows and their details as columns cost the
 * process about 1 ms a page to decode, shape and encode again (bench/api.ts; all my shops:
 * 3.5 ms, with a page's 51 rows shaped for each shop's role). The DTO's columns come from a lateral subquery, so
 * `row_to_json` sees only them and the rows keep the page's own order; `offset 0` keeps it a
 * subquery, or PostgreSQL pulls it up and computes each column it is asked for again (the
 * customer's look-up twice a row, for the DTO and for `customer`).
 */
export const detailedJsonQuery = (page: SQLWrapper, now = new Date()): SQL =>
  sql`select row_to_json(d)::text as "dto", d."updatedAt" || '|' || p.id as "key", ${isoSql(slaMomentSql(sql`p`, now))} as "moment", p.shop_id as "shop", d."customer"::text as "customer"
    from (${page}) p cross join lateral (select ${dtoColumns(sql`p`, now)} offset 0) d order by p.updated_at desc, p.id desc`;
