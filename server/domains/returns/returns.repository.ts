import { and, asc, desc, eq, gte, inArray, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import { shopFaultBases, type ReturnStatus } from './returns.model.ts';
import { endedStatuses } from './returns.machine.ts';
import type { BankAccountInput } from './returns.bank.ts';
import type { StoredPhoto } from './returns.photos.ts';
import { returnBankAccounts, returnCounters, returnItems, returnPhotos, returnRequests, returnTransitions } from './returns.tables.ts';

export type ReturnRow = typeof returnRequests.$inferSelect;
export type ReturnItemRow = typeof returnItems.$inferSelect;
export type TransitionRow = typeof returnTransitions.$inferSelect;
export type ReturnWithItems = ReturnRow & { items: ReturnItemRow[] };

/** Returns that no longer hold on to the order's quantities. */
const released: ReturnStatus[] = ['rejected', 'canceled', 'expired'];

/** Statuses a return cannot be released from any more: its parcel is back (or it was a refused delivery, which starts there). */
export const settledStatuses: ReturnStatus[] = ['received', 'inspected', 'refund_pending', 'refund_failed', 'exchange_pending', 'refunded', 'exchanged', 'closed'];

/** This order's returns that still hold their quantities (not released), but the one being re-judged. */
const liveOf = (shopId: string, orderId: string, except?: string) =>
  and(eq(returnRequests.shopId, shopId), eq(returnRequests.orderId, orderId), notInArray(returnRequests.status, released), except ? ne(returnRequests.id, except) : undefined);

export interface Taken {
  lineNo: number;
  /** Taken by live or finished returns. */
  quantity: number;
  /** Of those, taken by returns that can no longer be released (settledStatuses). */
  settled: number;
}

/** Quantities per line number already taken by this order's returns, in one read. */
export async function takenQuantities(db: Db, shopId: string, orderId: string, except?: string): Promise<Taken[]> {
  return db
    .select({
      lineNo: returnItems.lineNo,
      quantity: sql<number>`sum(${returnItems.quantity})::int`,
      settled: sql<number>`(coalesce(sum(${returnItems.quantity}) filter (where ${inArray(returnRequests.status, settledStatuses)}), 0))::int`,
    })
    .from(returnItems)
    .innerJoin(returnRequests, eq(returnRequests.id, returnItems.returnId))
    .where(liveOf(shopId, orderId, except))
    .groupBy(returnItems.lineNo);
}

/** An earlier live return of this order already gives back its shipping and COD fee. */
export async function feesTakenEarlier(db: Db, shopId: string, orderId: string, except?: string): Promise<boolean> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(returnRequests)
    .where(and(liveOf(shopId, orderId, except), eq(returnRequests.feesIncluded, true)));
  return (row?.n ?? 0) > 0;
}

/** Returns filed for orders of this email since `since` (the abuse flag counts them). */
export async function countRecentReturns(db: Db, shopId: string, email: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(returnRequests)
    .innerJoin(orders, eq(orders.id, returnRequests.orderId))
    .where(
      and(
        eq(returnRequests.shopId, shopId),
        eq(orders.shopId, shopId),
        sql`lower(${orders.customerEmail}) = lower(${email})`,
        gte(returnRequests.createdAt, since),
        // The shop's own faults and refused parcels say nothing about the customer's habits.
        notInArray(returnRequests.legalBasis, [...shopFaultBases]),
        ne(returnRequests.kind, 'refused_delivery'),
      ),
    );
  return row?.n ?? 0;
}

/** Statuses in which a request ended with the goods still with the customer, its notice given. */
const endedUnreturned: ReturnStatus[] = ['expired', 'rejected'];

/**
 * Statutory requests of this order that ended without the shop taking the goods back: expired
 * waiting for their parcel (before such requests stopped expiring), or rejected. Their notice
 * reached the shop and stands (民法 §540②); a rejection gives the items back to be asked for
 * again, so a new request for the same items is judged at that first notice, never at a date the
 * shop's own refusal pushed past the 8 days.
 */
export async function lapsedStatutoryNotices(db: Db, shopId: string, orderId: string): Promise<Array<{ number: number; noticeAt: Date; lineNos: number[] }>> {
  const rows = await db
    .select({ id: returnRequests.id, number: returnRequests.number, noticeAt: returnRequests.noticeAt, lineNo: returnItems.lineNo })
    .from(returnRequests)
    .innerJoin(returnItems, and(eq(returnItems.returnId, returnRequests.id), eq(returnItems.shopId, shopId)))
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.orderId, orderId), inArray(returnRequests.status, endedUnreturned), eq(returnRequests.legalBasis, 'statutory')));
  const byReturn = new Map<string, { number: number; noticeAt: Date; lineNos: number[] }>();
  for (const r of rows) {
    const found = byReturn.get(r.id) ?? { number: r.number, noticeAt: r.noticeAt, lineNos: [] };
    found.lineNos.push(r.lineNo);
    byReturn.set(r.id, found);
  }
  return [...byReturn.values()];
}

export async function nextReturnNumber(tx: Db, shopId: string): Promise<number> {
  const [row] = await tx
    .insert(returnCounters)
    .values({ shopId, last: 1 })
    .onConflictDoUpdate({ target: returnCounters.shopId, set: { last: sql`${returnCounters.last} + 1` } })
    .returning({ last: returnCounters.last });
  return row!.last;
}

export async function insertReturn(
  tx: Db,
  row: typeof returnRequests.$inferInsert,
  items: Array<Omit<typeof returnItems.$inferInsert, 'returnId' | 'shopId'>>,
): Promise<ReturnWithItems> {
  const [created] = await tx.insert(returnRequests).values(row).returning();
  const stored = await tx
    .insert(returnItems)
    .values(items.map((i) => ({ ...i, shopId: row.shopId, returnId: created!.id })))
    .returning();
  return { ...created!, items: stored.sort((a, b) => a.lineNo - b.lineNo) };
}

/**
 * Appends one move, timed after the return's previous one. The column's default, now(), is
 * the transaction's start: the moves one transaction makes (file → send_to_review, approve →
 * request_shipment) would share it, and the history, read in time order, would list them in
 * the random order of their ids. The clock's time, never before the last move's, keeps them in
 * the order they were made (the moves of one return are serialised by its row lock).
 */
export async function insertTransition(tx: Db, row: typeof returnTransitions.$inferInsert): Promise<void> {
  const t = returnTransitions;
  const after = sql`(select max(${t.createdAt}) + interval '1 microsecond' from ${t} where ${t.returnId} = ${row.returnId})`;
  await tx.insert(t).values({ ...row, createdAt: sql`greatest(clock_timestamp(), ${after})` });
}

/**
 * Moves a return only if it is still in `from`: of two people acting at once, one changes a
 * row and the other changes none and gets a 409.
 */
export async function updateReturnIf(tx: Db, shopId: string, id: string, from: ReturnStatus, patch: Partial<ReturnRow>): Promise<ReturnRow | undefined> {
  const [row] = await tx
    .update(returnRequests)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.id, id), eq(returnRequests.status, from)))
    .returning();
  return row;
}

async function withItems(db: Db, shopId: string, rows: ReturnRow[]): Promise<ReturnWithItems[]> {
  if (!rows.length) return [];
  const items = await db
    .select()
    .from(returnItems)
    .where(and(eq(returnItems.shopId, shopId), inArray(returnItems.returnId, rows.map((r) => r.id))))
    .orderBy(asc(returnItems.lineNo));
  // The rows are this read's own: each gains its items in place (see withLines in orders.repository.ts).
  return rows.map((r) => Object.assign(r, { items: items.filter((i) => i.returnId === r.id) }));
}

export async function findReturn(db: Db, shopId: string, id: string): Promise<ReturnWithItems | undefined> {
  const rows = await db.select().from(returnRequests).where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.id, id)));
  return (await withItems(db, shopId, rows))[0];
}

export async function findReturnsOfOrder(db: Db, shopId: string, orderId: string): Promise<ReturnWithItems[]> {
  const rows = await db
    .select()
    .from(returnRequests)
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.orderId, orderId)))
    .orderBy(desc(returnRequests.number));
  return withItems(db, shopId, rows);
}

export interface ReturnFilter {
  status?: ReturnStatus[];
  /** Numbers below this (the cursor of the previous page). */
  before?: number;
  limit: number;
}

/** What the list shows of each return: not its items, snapshots, address or notes (most of a row's bytes). */
const listed = {
  id: returnRequests.id,
  number: returnRequests.number,
  status: returnRequests.status,
  kind: returnRequests.kind,
  reason: returnRequests.reason,
  legalBasis: returnRequests.legalBasis,
  refundTotal: returnRequests.refundTotal,
  refundLimit: returnRequests.refundLimit,
  flags: returnRequests.flags,
  reviewReasons: returnRequests.reviewReasons,
  createdAt: returnRequests.createdAt,
  updatedAt: returnRequests.updatedAt,
  orderNumber: orders.orderNumber,
  customerName: orders.customerName,
};
/** Newest first, by number. */
export async function listReturns(db: Db, shopId: string, f: ReturnFilter) {
  return db
    .select(listed)
    .from(returnRequests)
    .innerJoin(orders, and(eq(orders.id, returnRequests.orderId), eq(orders.shopId, shopId)))
    .where(and(eq(returnRequests.shopId, shopId), f.status?.length ? inArray(returnRequests.status, f.status) : undefined, f.before ? lt(returnRequests.number, f.before) : undefined))
    .orderBy(desc(returnRequests.number))
    .limit(f.limit);
}

export async function listTransitions(db: Db, shopId: string, returnId: string): Promise<TransitionRow[]> {
  return db
    .select()
    .from(returnTransitions)
    .where(and(eq(returnTransitions.shopId, shopId), eq(returnTransitions.returnId, returnId)))
    .orderBy(asc(returnTransitions.createdAt), asc(returnTransitions.id));
}

/* ---------- photos, bank details and the reasons report ---------- */

export async function insertPhotos(tx: Db, shopId: string, returnId: string, photos: StoredPhoto[]): Promise<void> {
  if (photos.length) await tx.insert(returnPhotos).values(photos.map((p, position) => ({ ...p, shopId, returnId, position })));
}

export async function listPhotos(db: Db, shopId: string, returnId: string) {
  return db
    .select({ id: returnPhotos.id, contentType: returnPhotos.contentType, sizeBytes: returnPhotos.sizeBytes, filename: returnPhotos.filename })
    .from(returnPhotos)
    .where(and(eq(returnPhotos.shopId, shopId), eq(returnPhotos.returnId, returnId)))
    .orderBy(asc(returnPhotos.position));
}

export async function findPhoto(db: Db, shopId: string, returnId: string, photoId: string) {
  const [p] = await db
    .select()
    .from(returnPhotos)
    .where(and(eq(returnPhotos.shopId, shopId), eq(returnPhotos.returnId, returnId), eq(returnPhotos.id, photoId)));
  return p;
}

export async function insertBankAccount(tx: Db, shopId: string, returnId: string, b: BankAccountInput): Promise<void> {
  await tx.insert(returnBankAccounts).values({ shopId, returnId, ...b });
}

/**
 * Where a bank account is no longer needed: the return ended (refunded, exchanged, closed,
 * rejected, withdrawn, expired; see `endedStatuses`) before `before`.
 */
export const bankDoneStatuses: readonly ReturnStatus[] = endedStatuses;

/** Bank accounts whose return ended before `before`, oldest first; across shops, for the retention job. */
export async function bankAccountsDue(db: Db, before: Date, limit: number): Promise<Array<{ shopId: string; returnId: string; number: number }>> {
  return db
    .select({ shopId: returnRequests.shopId, returnId: returnRequests.id, number: returnRequests.number })
    .from(returnBankAccounts)
    .innerJoin(returnRequests, and(eq(returnRequests.id, returnBankAccounts.returnId), eq(returnRequests.shopId, returnBankAccounts.shopId)))
    .where(and(inArray(returnRequests.status, [...bankDoneStatuses]), lt(sql`coalesce(${returnRequests.refundedAt}, ${returnRequests.updatedAt})`, before)))
    .orderBy(asc(sql`coalesce(${returnRequests.refundedAt}, ${returnRequests.updatedAt})`))
    .limit(limit);
}

/** Deletes a return's bank account and notes when; false when it was gone already (another run). */
export async function deleteBankAccount(tx: Db, shopId: string, returnId: string, at: Date): Promise<boolean> {
  const gone = await tx.delete(returnBankAccounts).where(and(eq(returnBankAccounts.shopId, shopId), eq(returnBankAccounts.returnId, returnId))).returning({ id: returnBankAccounts.returnId });
  if (!gone.length) return false;
  await tx.update(returnRequests).set({ bankPurgedAt: at }).where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.id, returnId)));
  return true;
}

export async function findBankAccount(db: Db, shopId: string, returnId: string): Promise<BankAccountInput | undefined> {
  const [row] = await db
    .select({ bankName: returnBankAccounts.bankName, branchName: returnBankAccounts.branchName, accountType: returnBankAccounts.accountType, accountNumber: returnBankAccounts.accountNumber, holderKana: returnBankAccounts.holderKana })
    .from(returnBankAccounts)
    .where(and(eq(returnBankAccounts.shopId, shopId), eq(returnBankAccounts.returnId, returnId)));
  return row as BankAccountInput | undefined;
}

/** A line of the order as the return was filed against it (its snapshot): the product it returned, whatever the order says now. */
const filedLine = (field: 'sku' | 'name') =>
  // '' for a line the snapshot lacks, as the return's own view shows it (returns.view.ts).
  sql<string>`coalesce((select e->>${sql.raw(`'${field}'`)} from jsonb_array_elements(${returnRequests.orderSnapshot}->'lines') e where (e->>'lineNo')::int = ${returnItems.lineNo}), '')`;

/** Returned quantities by Tokyo month, product and reason, for requests filed in [from, until). */
export async function reasonRows(db: Db, shopId: string, from: Date, until: Date) {
  const m = sql<string>`to_char(${returnRequests.createdAt} at time zone 'Asia/Tokyo', 'YYYY-MM')`;
  const sku = filedLine('sku');
  return db
    .select({
      month: m,
      sku,
      name: sql<string>`min(${filedLine('name')})`,
      reason: returnRequests.reason,
      requests: sql<number>`count(distinct ${returnRequests.id})::int`,
      quantity: sql<number>`sum(${returnItems.quantity})::int`,
    })
    .from(returnItems)
    .innerJoin(returnRequests, and(eq(returnRequests.id, returnItems.returnId), eq(returnRequests.shopId, shopId)))
    // A refused parcel was never a customer's reason for sending something back.
    .where(and(eq(returnItems.shopId, shopId), ne(returnRequests.kind, 'refused_delivery'), gte(returnRequests.createdAt, from), lt(returnRequests.createdAt, until)))
    .groupBy(m, sku, returnRequests.reason)
    .orderBy(m, sku, returnRequests.reason);
}
