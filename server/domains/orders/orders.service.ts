import { sql } from 'drizzle-orm';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { recordAudit, type AuditEntry } from '../audit/audit.service.ts';
import type { Role } from '../shops/shops.tables.ts';
import {
  findOrder,
  findOrders,
  upsertOrders,
  type LineFields,
  type OrderFields,
  type OrderRecord,
  type OrderWithLines,
} from './orders.repository.ts';
import type { MaskableField, OrderInput, OrderSource } from './orders.schema.ts';
import { orders } from './orders.tables.ts';
import { toOrderView, type OrderView } from './orders.view.ts';

type Source = OrderSource;
export type UpsertResult = 'created' | 'updated' | 'unchanged';

export const viewerRole = (a: Actor): Role | 'api_key' => (a.kind === 'user' ? a.role : 'api_key');

/** Who may write orders: the shop platform's key, the merchant's own people, or the system (demo seed). */
export function requireOrderWriter(actor: Actor): void {
  if (actor.kind !== 'user') return;
  requireRole(actor, 'owner', 'staff');
}

/** Reads need a person of the shop or the shop's key; masking follows the role. */
export const requireOrderReader = (actor: Actor) => {
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
};

const date = (v: string | null | undefined) => (v ? new Date(v) : null);

export function toRecord(input: OrderInput, source: Source): OrderRecord {
  const goods = input.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const couponDiscount = input.coupon?.discount ?? 0;
  return {
    fields: {
      orderNumber: '',
      orderedAt: new Date(input.orderedAt),
      customerName: input.customer.name,
      customerEmail: input.customer.email,
      customerPhone: input.customer.phone ?? null,
      postcode: input.customer.postcode ?? null,
      prefecture: input.customer.prefecture ?? null,
      address: input.customer.address ?? null,
      shippingFee: input.shippingFee,
      codFee: input.codFee,
      couponCode: input.coupon?.code || null,
      couponDiscount,
      paymentMethod: input.paymentMethod,
      carrier: input.carrier || null,
      trackingNumber: input.trackingNumber || null,
      shippedAt: date(input.shippedAt),
      deliveredAt: date(input.deliveredAt),
      cancelledAt: date(input.cancelledAt),
      originPrefecture: input.originPrefecture ?? null,
      total: goods + input.shippingFee + input.codFee - couponDiscount,
      source,
    },
    lines: input.lines.map((l, i) => ({ lineNo: i + 1, ...l })),
  };
}

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
const comparable = (v: unknown) => (v instanceof Date ? v.getTime() : v);

/** Bookkeeping of where a snapshot came from: a change of these alone is not a change of the order. */
const provenance = new Set<keyof OrderFields>(['source', 'orderNumber', 'connectionId', 'externalId', 'externalUpdatedAt']);

/** Names of the fields that differ; never their values, which may be contact data. */
function changedFields(before: OrderWithLines, fields: OrderFields, lines: LineFields[]): string[] {
  const changed = (Object.keys(fields) as (keyof OrderFields)[]).filter((k) => !provenance.has(k) && comparable(before[k]) !== comparable(fields[k]));
  const sameLines =
    before.lines.length === lines.length &&
    lines.every((l, i) => {
      const b = before.lines[i]!;
      return b.sku === l.sku && b.name === l.name && b.quantity === l.quantity && b.unitPrice === l.unitPrice && b.taxRate === l.taxRate && sameTags(b.tags, l.tags);
    });
  return sameLines ? changed : [...changed, 'lines'];
}

interface Planned {
  orderNumber: string;
  record: OrderRecord;
  before: OrderWithLines | undefined;
  changed: string[];
}

/** Decides, before any write, which orders are new, which changed and which are unchanged. */
function plan(orderNumber: string, input: OrderInput, source: Source, before: OrderWithLines | undefined): Planned {
  const record = toRecord(input, source);
  record.fields.orderNumber = orderNumber;
  // Not mentioned is not lifted: a writer that knows no cancellations (glue code older than them, a CSV without the column) keeps the store's; null lifts it.
  if (input.cancelledAt === undefined && before) record.fields.cancelledAt = before.cancelledAt;
  return { orderNumber, record, before, changed: before ? changedFields(before, record.fields, record.lines) : [] };
}

/** Writes the planned orders that differ from what is stored; returns each one's result and audit entry. */
async function write(tx: Db, actor: Actor, planned: Planned[], source: Source): Promise<{ result: UpsertResult; audit?: AuditEntry }[]> {
  const toWrite = planned.filter((p) => !p.before || p.changed.length);
  const written = new Map((await upsertOrders(tx, actor.shopId, toWrite.map((p) => p.record))).map((w) => [w.orderNumber, w]));
  return planned.map((p) => {
    const w = written.get(p.orderNumber);
    if (!w) return { result: 'unchanged' as const };
    const base = { objectType: 'order', objectId: w.id };
    if (p.before) return { result: 'updated' as const, audit: { ...base, action: 'order.updated', summary: { orderNumber: p.orderNumber, changed: p.changed, source } } };
    // Another writer created it between our read and our write; ours replaced theirs.
    if (!w.inserted) return { result: 'updated' as const, audit: { ...base, action: 'order.updated', summary: { orderNumber: p.orderNumber, changed: ['*'], concurrent: true, source } } };
    return { result: 'created' as const, audit: { ...base, action: 'order.created', summary: { orderNumber: p.orderNumber, source } } };
  });
}

/**
 * Creates or replaces an order by (shop, order number); pushing the same snapshot twice
 * writes nothing the second time and answers `unchanged`.
 */
/** Thrown to roll a dry run's transaction back once its answer is known. */
const rollBack = Symbol('dry run');

/**
 * Creates or replaces an order. `dryRun`: the same write in a transaction that is rolled back,
 * so the answer (created, updated, unchanged, or the database's refusal) is what the real call
 * would get, and nothing is stored or audited.
 */
export async function putOrder(db: Db, actor: Actor, orderNumber: string, input: OrderInput, requestId?: string, opts: { dryRun?: boolean } = {}) {
  requireOrderWriter(actor);
  const dryRun = opts.dryRun === true;
  let answer: { result: UpsertResult; order: ReturnType<typeof toOrderView> } | undefined;
  try {
    await db.transaction(async (tx) => {
      const before = await findOrder(tx, actor.shopId, orderNumber, { forUpdate: true });
      const [{ result, audit }] = (await write(tx, actor, [plan(orderNumber, input, 'api', before)], 'api')) as [{ result: UpsertResult; audit?: AuditEntry }];
      if (audit) await recordAudit(tx, actor, audit, requestId);
      const order = result === 'unchanged' ? before! : (await findOrder(tx, actor.shopId, orderNumber))!;
      answer = { result, order: toOrderView(order, viewerRole(actor)) };
      if (dryRun) throw rollBack;
    });
  } catch (e) {
    if (e !== rollBack) throw e;
  }
  return { ...answer!, dryRun };
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** Writes the already-validated orders of an import in one transaction: all of them or none. */
export async function saveImportedOrders(
  db: Db,
  actor: Actor,
  parsed: { orderNumber: string; input: OrderInput }[],
  meta: { requestId?: string; rows: number; rejected: number; encoding: string; preset?: string },
): Promise<ImportCounts> {
  requireOrderWriter(actor);
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
  if (!parsed.length) return counts;
  return db.transaction(async (tx) => {
    const existing = await findOrders(tx, actor.shopId, parsed.map((p) => p.orderNumber));
    const outcomes = await write(tx, actor, parsed.map((p) => plan(p.orderNumber, p.input, 'csv', existing.get(p.orderNumber))), 'csv');
    const audits: AuditEntry[] = [];
    for (const o of outcomes) {
      counts[o.result]++;
      if (o.audit) audits.push(o.audit);
    }
    audits.push({ action: 'orders.imported', objectType: 'order_import', summary: { ...counts, rows: meta.rows, rejected: meta.rejected, encoding: meta.encoding, preset: meta.preset ?? 'madoguchi' } });
    await recordAudit(tx, actor, audits, meta.requestId);
    return counts;
  });
}

/** One order a connected store sent (server/domains/stores), validated. */
export interface StoreSnapshot {
  orderNumber: string;
  input: OrderInput;
  externalId: string;
  /** The platform's updated time of this snapshot. */
  updatedAt: Date;
}

export type StoreSaveResult = UpsertResult | 'stale';

/**
 * Writes orders a connected store sent, in the caller's transaction (which holds the
 * connection's lock, so two runs of one store never interleave). An order whose stored snapshot
 * is newer than the one sent (a late webhook, a reconcile page read before an update) is left
 * as it is and answered `stale`.
 */
export async function saveStoreOrders(tx: Db, actor: Actor, source: Exclude<Source, 'api' | 'csv'>, connectionId: string, snapshots: StoreSnapshot[]): Promise<Map<string, StoreSaveResult>> {
  requireOrderWriter(actor);
  // The newest of each order, should a page carry one twice.
  const newest = new Map<string, StoreSnapshot>();
  for (const s of snapshots) {
    const seen = newest.get(s.orderNumber);
    if (!seen || seen.updatedAt <= s.updatedAt) newest.set(s.orderNumber, s);
  }
  const existing = await findOrders(tx, actor.shopId, [...newest.keys()]);
  const results = new Map<string, StoreSaveResult>();
  const planned: Planned[] = [];
  for (const s of newest.values()) {
    const before = existing.get(s.orderNumber);
    // Only the same platform order is older or newer: another store's order at this number (a shop moved stores) is written over as the API and CSV would.
    if (before?.externalUpdatedAt && before.externalId === s.externalId && before.externalUpdatedAt > s.updatedAt) {
      results.set(s.orderNumber, 'stale');
      continue;
    }
    const p = plan(s.orderNumber, s.input, source, before);
    // An order the API or a CSV wrote, now sent by the store: written so it is linked to the store.
    if (before && !p.changed.length && (before.connectionId !== connectionId || before.externalId !== s.externalId)) p.changed.push('source');
    Object.assign(p.record.fields, { connectionId, externalId: s.externalId, externalUpdatedAt: s.updatedAt });
    planned.push(p);
  }
  const outcomes = await write(tx, actor, planned, source);
  const audits: AuditEntry[] = [];
  // Unchanged here but newer on the platform: its time is kept, so a late older snapshot is stale against it.
  const newer: { id: string; at: Date }[] = [];
  outcomes.forEach((o, i) => {
    const p = planned[i]!;
    results.set(p.orderNumber, o.result);
    if (o.audit) audits.push(o.audit);
    const at = p.record.fields.externalUpdatedAt!;
    if (o.result === 'unchanged' && p.before && (!p.before.externalUpdatedAt || p.before.externalUpdatedAt < at)) newer.push({ id: p.before.id, at });
  });
  if (newer.length) {
    await tx.execute(sql`
      update ${orders} set external_updated_at = v.at
      from unnest(array[${sql.join(newer.map((n) => sql`${n.id}`), sql`, `)}]::uuid[], array[${sql.join(newer.map((n) => sql`${n.at.toISOString()}`), sql`, `)}]::timestamptz[]) as v(id, at)
      where ${orders.shopId} = ${actor.shopId} and ${orders.id} = v.id`);
  }
  if (audits.length) await recordAudit(tx, actor, audits);
  return results;
}

/** One order as the viewer may see it; the view itself is audited (APPI: who saw whose data). */
export async function getOrder(db: Db, actor: Actor, orderNumber: string, requestId?: string): Promise<OrderView> {
  requireOrderReader(actor);
  const order = await findOrder(db, actor.shopId, orderNumber);
  if (!order) throw notFound('order');
  const view = toOrderView(order, viewerRole(actor));
  await recordAudit(db, actor, { action: 'order.viewed', objectType: 'order', objectId: order.id, summary: { orderNumber, masked: view.masked } }, requestId);
  return view;
}

const rawField = (o: OrderWithLines, f: MaskableField) =>
  ({ email: o.customerEmail, phone: o.customerPhone, postcode: o.postcode, address: o.address })[f];

/** Reveals one masked field to a person who gives a reason; who, which field and why are audited. */
export async function revealOrderField(db: Db, actor: Actor, orderNumber: string, field: MaskableField, reason: string, requestId?: string) {
  requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
  const order = await findOrder(db, actor.shopId, orderNumber);
  if (!order) throw notFound('order');
  const value = rawField(order, field);
  if (value === null) throw notFound(`${field} on this order`);
  await recordAudit(db, actor, { action: 'order.revealed', objectType: 'order', objectId: order.id, summary: { orderNumber, field, reason } }, requestId);
  return { field, value };
}
