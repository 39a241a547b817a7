import { z } from 'zod';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { invalidInput } from '../../core/errors.ts';
import { JsonText } from '../../core/json.ts';
import { searchRecord } from '../audit/audit.search.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { InboxPageCache, ReadPage } from '../conversations/conversations.pagecache.ts';
import { keyFrom } from '../conversations/conversations.pagecache.keys.ts';
import type { InboxChangesSeen } from '../conversations/conversations.pagecache.repository.ts';
import type { Role } from '../shops/shops.tables.ts';
import { listOrders, type OrderListFilter, type OrderWithLines } from './orders.repository.ts';
import { maskers, masksContactData } from './orders.mask.ts';
import { requireOrderReader, viewerRole } from './orders.service.ts';
import { toOrderView, type OrderView } from './orders.view.ts';

/*
 * The orders list: a page of the shop's orders as a viewer may see them, its cursor, and the
 * audit row of who saw which orders.
 */

const encodeCursor = (o: OrderWithLines) => Buffer.from(JSON.stringify([o.orderedAt.toISOString(), o.id])).toString('base64url');

const cursorShape = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

function decodeCursor(cursor: string) {
  try {
    const [at, id] = cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return { orderedAt: new Date(at), id };
  } catch {
    // Built by hand, so not through zod's details: the Japanese goes in beside the English here.
    throw invalidInput('cursor is not valid', [
      { in: 'query', path: 'cursor', message: 'use nextCursor from the previous page', ja: 'ページの位置が正しくありません。最初のページから開き直してください（API では前のページの nextCursor をそのまま使ってください）' },
    ]);
  }
}

/**
 * A page of the shop's orders, newest first, narrowed by the filter, as the answer's text. Email
 * and phone match only for viewers who see them: a contractor must not confirm a hidden address
 * by finding an order with it. The first page of a filter (orderListKey) is kept
 * (InboxPageCache.shopPage, checked with the session's statement, `seen`, on the console's
 * requests): answered again only while nothing it shows changed (list_changes, migration
 * 0040). An answer, kept or read, writes its audit row naming the orders it showed when it
 * showed any, and a search always.
 */
export async function listShopOrders(db: Db, actor: Actor, query: OrderListQuery, requestId?: string, pages?: InboxPageCache, seen?: InboxChangesSeen): Promise<JsonText<OrderListAnswer>> {
  requireOrderReader(actor);
  const viewer = viewerRole(actor);
  const read = async (): Promise<ReadPage> => {
    const answer = await orderPage(db, actor.shopId, viewer, query);
    return { json: JSON.stringify(answer), moment: null, shown: answer.orders.map((v) => v.orderNumber) };
  };
  const page = pages ? await pages.shopPage(db, 'orders', actor.shopId, orderListKey(actor.shopId, masksContactData(viewer), query), read, seen) : await read().then((r) => ({ body: r.json, shown: r.shown }));
  const orderNumbers = page.shown ?? [];
  // A search is recorded even when it finds nothing: looking for someone is worth knowing too.
  if (orderNumbers.length || query.q) {
    const search = query.q ? await searchSummary(db, actor.shopId, query.q) : null;
    await recordAudit(db, actor, { action: 'orders.listed', objectType: 'order', summary: { orderNumbers, search } }, requestId);
  }
  return new JsonText(page.body);
}

type OrderListQuery = OrderListFilter & { limit: number; cursor?: string };

export interface OrderListAnswer {
  orders: OrderView[];
  nextCursor: string | null;
}

async function orderPage(db: Db, shopId: string, viewer: Role | 'api_key', query: OrderListQuery): Promise<OrderListAnswer> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const { cursor: _cursor, ...filter } = query;
  const rows = await listOrders(db, shopId, { ...filter, limit: query.limit + 1, after, matchContact: !masksContactData(viewer) });
  const page = rows.slice(0, query.limit);
  return { orders: page.map((o) => toOrderView(o, viewer)), nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null };
}

/**
 * How each field of the list's query counts for the page cache: part of the key, or a page never
 * kept. Written for every field, so a field added to the query does not compile until it is
 * placed. A search, a carrier (text, compared in lower case) and a later page are rarely
 * shared; a day is counted in the shop's time zone, read from the shop's row, whose change
 * writes no row of list_changes.
 */
const FIELDS = {
  status: 'key',
  prefecture: 'key',
  limit: 'key',
  q: 'never',
  carrier: 'never',
  from: 'never',
  to: 'never',
  cursor: 'never',
} as const satisfies Record<keyof OrderListQuery, 'key' | 'never'>;

/**
 * The page cache's key of a page of the orders list, or undefined for one never kept (FIELDS):
 * the shop, whether the viewer's contact data is masked (toOrderView decides by that alone),
 * then the filter. Never an inbox page's key (those start with the shop's id, or "mine"), nor
 * the returns list's.
 */
const orderListKey = (shopId: string, masked: boolean, q: OrderListQuery) => keyFrom(['orders', shopId.toLowerCase(), masked], FIELDS, q);

/**
 * What was searched for, without the text (often an address, a phone number or a name): its
 * kind, a keyed digest the owner can look a value up by, and for an address or a phone the
 * same mask a contractor sees ("t***@e***.jp", "***-****-5678").
 */
async function searchSummary(db: Db, shopId: string, q: string) {
  const record = await searchRecord(db, shopId, q);
  return record.kind === 'text' ? record : { ...record, masked: maskers[record.kind](q.normalize('NFKC').trim().toLowerCase()) };
}
