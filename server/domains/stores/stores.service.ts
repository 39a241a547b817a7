import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { and, desc, eq, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import { requireRole, type Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { conflict, isDomainError, notFound } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { japaneseIssue } from '../../core/messages.ts';
import { nulAt, withoutNul } from '../../core/nul.ts';
import { enqueue, lockKey } from '../../core/outbox.ts';
import { outbox } from '../../core/outbox.tables.ts';
import { seal, unseal, type Keyring } from '../../core/sealed.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { orderInput, orderNumber } from '../orders/orders.schema.ts';
import { saveStoreOrders, type StoreSnapshot } from '../orders/orders.service.ts';
import { orders } from '../orders/orders.tables.ts';
import { storeAdapters } from './stores.adapters.ts';
import type { Platform, RejectedOrder, StoreError, StoreVia, SyncTrigger } from './stores.model.ts';
import { StoreApiError, type StoreAdapter, type StoreConnection, type StoreOrder, type StoreSecrets, type SyncContext } from './stores.port.ts';
import { storeConnections, storeSyncRuns, storeWebhooks } from './stores.tables.ts';

export const STORE_SYNC_TOPIC = 'store.sync';
export const STORE_WEBHOOK_TOPIC = 'store.webhook';
export const STORE_DUE_TOPIC = 'stores.due';
export const STORE_PRUNE_TOPIC = 'stores.prune';

export interface StoreDeps {
  db: Db;
  keyring: Keyring;
  config: Config;
  logger: Logger;
  /** The platforms' HTTP calls (tests may count them); global fetch by default. */
  fetch?: typeof fetch;
  /** The dispatcher's poke, so a queued run starts now rather than at the next poll. */
  poke?: () => void;
  /** Adapters by platform; storeAdapters by default. */
  adapters?: Partial<Record<Platform, StoreAdapter>>;
}

/** A run holds its connection this long at most; one that died frees it after. */
const LEASE_MS = 15 * 60_000;
/** A run is stopped (its signal aborted) after this long. */
const RUN_DEADLINE_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 60 * 60_000;
/** Store runs going at once in a process (its job worker runs 4 jobs at once: mail and alerts keep the rest). */
const MAX_RUNNING = 2;
/** A run that found the worker's share taken goes again this much later. */
const BUSY_WAIT_MS = 5_000;
const KEPT_REJECTIONS = 20;

const aad = (kind: 'access' | 'refresh' | 'webhook', connectionId: string) => `store:${kind}:${connectionId}`;
const adapterOf = (deps: StoreDeps, platform: Platform) => (deps.adapters ?? storeAdapters)[platform];

// ---------------------------------------------------------------------------------------------------------------
// Views

export function toStoreView(c: StoreConnection) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: c.id,
    platform: c.platform,
    account: c.account,
    accountName: c.accountName,
    via: c.via,
    status: c.status,
    brokenReason: c.brokenReason,
    brokenAt: iso(c.brokenAt),
    backfillDays: c.backfillDays,
    lastSyncAt: iso(c.lastSyncAt),
    lastSuccessAt: iso(c.lastSuccessAt),
    nextSyncAt: iso(c.nextSyncAt),
    ordersReceived: c.ordersReceived,
    lastError: c.lastError ?? null,
    syncing: c.syncStartedAt !== null && Date.now() - c.syncStartedAt.getTime() < LEASE_MS,
    createdAt: c.createdAt.toISOString(),
  };
}
export type StoreView = ReturnType<typeof toStoreView>;

type RunRow = typeof storeSyncRuns.$inferSelect;
const toRunView = (r: RunRow) => ({
  id: r.id,
  trigger: r.trigger,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  received: r.received,
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
  rejections: r.rejections,
  error: r.error ?? null,
});

// ---------------------------------------------------------------------------------------------------------------
// Reading

export async function connectionById(db: Db, id: string): Promise<StoreConnection | undefined> {
  const [row] = await db.select().from(storeConnections).where(eq(storeConnections.id, id));
  return row;
}

export async function connectionFor(db: Db, shopId: string, platform: Platform): Promise<StoreConnection | undefined> {
  const [row] = await db.select().from(storeConnections).where(and(eq(storeConnections.shopId, shopId), eq(storeConnections.platform, platform)));
  return row;
}

const requireManager = (actor: Actor) => requireRole(actor, 'owner', 'staff');

async function ownConnection(db: Db, actor: Actor, id: string): Promise<StoreConnection> {
  const [row] = await db.select().from(storeConnections).where(and(eq(storeConnections.shopId, actor.shopId), eq(storeConnections.id, id)));
  if (!row) throw notFound('store connection');
  return row;
}

/** What this deployment can connect: a pasted Shopify token always, OAuth where the app's credentials are configured. */
export const availablePlatforms = (config: Config) => ({
  shopify: { token: true, oauth: Boolean(config.SHOPIFY_CLIENT_ID) },
  base: { oauth: Boolean(config.BASE_CLIENT_ID) },
});

export async function listStores(deps: StoreDeps, actor: Actor) {
  requireManager(actor);
  const rows = await deps.db.select().from(storeConnections).where(eq(storeConnections.shopId, actor.shopId)).orderBy(storeConnections.platform);
  return { stores: rows.map(toStoreView), available: availablePlatforms(deps.config) };
}

export async function getStore(deps: StoreDeps, actor: Actor, id: string) {
  requireManager(actor);
  const row = await ownConnection(deps.db, actor, id);
  const runs = await deps.db.select().from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, id)).orderBy(desc(storeSyncRuns.startedAt), desc(storeSyncRuns.id)).limit(20);
  return { store: toStoreView(row), runs: runs.map(toRunView) };
}

// ---------------------------------------------------------------------------------------------------------------
// Connecting and disconnecting

export interface NewConnection {
  shopId: string;
  platform: Platform;
  account: string;
  accountName?: string | null;
  via: StoreVia;
  access: string;
  refresh?: string | null;
  webhookSecret?: string | null;
  expiresAt?: Date | null;
  scopes?: string[];
  backfillDays?: number;
  /** The person who connected it (audited); null for a system path. */
  actor: Actor;
  requestId?: string;
}

/**
 * Stores a connection (replacing the shop's earlier one of that platform, whose orders stay
 * linked), sealed, healthy, and queues its backfill. The platform-specific checks (the token
 * works, the currency is yen) come before, in the platform's connect code.
 */
export async function createConnection(deps: StoreDeps, input: NewConnection): Promise<StoreView> {
  const row = await deps.db.transaction(async (tx) => {
    await lockKey(tx, `store-connect:${input.shopId}:${input.platform}`);
    const before = await connectionFor(tx, input.shopId, input.platform);
    // A run's page being saved finishes first; the runs after see their lease is gone (runSync).
    if (before) await lockKey(tx, `store:${before.id}`);
    const id = before?.id ?? randomUUID();
    const sameStore = before?.account === input.account;
    const fields = {
      account: input.account,
      accountName: input.accountName ?? null,
      via: input.via,
      accessSealed: seal(deps.keyring, input.access, aad('access', id)),
      refreshSealed: input.refresh ? seal(deps.keyring, input.refresh, aad('refresh', id)) : null,
      webhookSecretSealed: input.webhookSecret ? seal(deps.keyring, input.webhookSecret, aad('webhook', id)) : null,
      tokenExpiresAt: input.expiresAt ?? null,
      scopes: input.scopes ?? [],
      status: 'ok' as const,
      brokenReason: null,
      brokenAt: null,
      backfillDays: input.backfillDays ?? before?.backfillDays ?? 30,
      // The same store again keeps its cursor; another store starts over.
      state: sameStore ? before.state : {},
      // The run queued below is due now; should its job be lost, the schedule runs it after the lease (as queueDueSyncs does).
      nextSyncAt: new Date(Date.now() + LEASE_MS),
      syncStartedAt: null,
      failures: 0,
      lastError: null,
      ordersReceived: sameStore ? before.ordersReceived : 0,
      createdBy: input.actor.kind === 'user' ? input.actor.userId : null,
      updatedAt: new Date(),
    };
    const [saved] = before
      ? await tx.update(storeConnections).set(fields).where(eq(storeConnections.id, id)).returning()
      : await tx.insert(storeConnections).values({ id, shopId: input.shopId, platform: input.platform, ...fields }).returning();
    // Another store in the same place: the orders of the one before are no longer this connection's.
    if (before && !sameStore) {
      await tx.update(orders).set({ connectionId: null }).where(eq(orders.connectionId, id));
      // Its webhooks not yet worked are its orders, not the new store's: closed unworked.
      await tx
        .update(storeWebhooks)
        .set({ processedAt: new Date(), error: 'another store was connected in its place' })
        .where(and(eq(storeWebhooks.connectionId, id), isNull(storeWebhooks.processedAt)));
    }
    await queueSyncIn(tx, saved!, sameStore ? 'reconcile' : 'backfill');
    await recordAudit(
      tx,
      input.actor,
      { action: 'store.connected', objectType: 'store_connection', objectId: id, summary: { platform: input.platform, account: input.account, via: input.via, replaced: before ? before.account : null } },
      input.requestId,
    );
    return saved!;
  });
  deps.poke?.();
  return toStoreView(row);
}

async function queueSyncIn(tx: Db, c: Pick<StoreConnection, 'id' | 'shopId'>, trigger: SyncTrigger): Promise<void> {
  await enqueue(tx, { shopId: c.shopId, topic: STORE_SYNC_TOPIC, payload: { connectionId: c.id, trigger } });
}

/** "Sync now" from the console: a run queued at once (a broken connection must be connected again first). */
export async function requestSync(deps: StoreDeps, actor: Actor, id: string, requestId?: string) {
  requireManager(actor);
  await deps.db.transaction(async (tx) => {
    const row = await ownConnection(tx, actor, id);
    if (row.status === 'broken') {
      throw conflict('the connection is broken; connect the store again first', [
        { path: 'storeId', message: `the connection is broken (${row.brokenReason ?? 'refused'}); connect the store again first`, ja: `連携が切れています（${row.brokenReason ?? '拒否'}）。先にストアをもう一度連携してください` },
      ]);
    }
    // A run still queued (not finished) will read what this one would: one is enough.
    const [queued] = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.shopId, row.shopId), eq(outbox.topic, STORE_SYNC_TOPIC), isNull(outbox.completedAt), isNull(outbox.failedAt), sql`${outbox.payload}->>'connectionId' = ${row.id}`))
      .limit(1);
    if (!queued) await queueSyncIn(tx, row, 'manual');
    // That job's run may be going already, past the change the person wants: it is due again once that run ends.
    else await dueAfterRun(tx, row.id, new Date());
    await recordAudit(tx, actor, { action: 'store.sync_requested', objectType: 'store_connection', objectId: id, summary: { platform: row.platform } }, requestId);
  });
  deps.poke?.();
  return { queued: true as const };
}

/** Disconnects: the platform is asked to forget us (best effort), the connection and its history deleted; orders stay. */
export async function disconnectStore(deps: StoreDeps, actor: Actor, id: string, requestId?: string): Promise<void> {
  requireManager(actor);
  const row = await ownConnection(deps.db, actor, id);
  const adapter = adapterOf(deps, row.platform);
  if (adapter?.disconnect) {
    const ctx = contextFor(deps, row, { signal: AbortSignal.timeout(10_000) });
    await adapter.disconnect(ctx).catch((e: unknown) => deps.logger.warn({ err: e, connectionId: id }, 'stores: the platform could not be told of the disconnect'));
  }
  await deps.db.transaction(async (tx) => {
    await tx.delete(storeConnections).where(eq(storeConnections.id, id));
    await recordAudit(tx, actor, { action: 'store.disconnected', objectType: 'store_connection', objectId: id, summary: { platform: row.platform, account: row.account } }, requestId);
  });
}

/** The platform refused the connection's credentials (revoked, uninstalled): no more runs until it is connected again. */
export async function markBroken(db: Db, connectionId: string, reason: string, error?: StoreError): Promise<void> {
  const now = new Date();
  await db
    .update(storeConnections)
    .set({ status: 'broken', brokenReason: reason, brokenAt: now, nextSyncAt: null, updatedAt: now, ...(error ? { lastError: error } : {}) })
    .where(eq(storeConnections.id, connectionId));
}

// ---------------------------------------------------------------------------------------------------------------
// Webhooks (the inbox)

/** Stores a verified webhook with the job that works it, in one transaction; a delivery seen before is a no-op. */
export async function storeWebhook(db: Db, c: Pick<StoreConnection, 'id' | 'shopId'>, hook: { webhookId: string; topic: string; payload: unknown }): Promise<'stored' | 'duplicate'> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(storeWebhooks)
      .values({ connectionId: c.id, shopId: c.shopId, webhookId: hook.webhookId, topic: hook.topic, payload: withoutNul(JSON.parse(JSON.stringify(hook.payload ?? null))) as object })
      .onConflictDoNothing()
      .returning({ id: storeWebhooks.id });
    if (!row) return 'duplicate';
    await enqueue(tx, { shopId: c.shopId, topic: STORE_WEBHOOK_TOPIC, payload: { webhookId: row.id } });
    return 'stored';
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Running

interface Tally {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: RejectedOrder[];
}

const emptyTally = (): Tally => ({ received: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [] });

/** The order's issues as one line in each language, each with its field's path. */
function describeIssues(issues: readonly z.core.$ZodIssue[], ja: boolean): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || 'order'}: ${ja ? japaneseIssue(i) : i.message}`)
    .join(ja ? '／' : '; ');
}

/** A run's connection was taken over (connected again, disconnected) while it ran: the run stops and leaves the connection alone. */
class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

const superseded = (at: Date): StoreError => ({
  code: 'superseded',
  message: 'the store was connected again or disconnected during the run; the run stopped',
  ja: '同期中にストアが連携し直されたか解除されたため、この同期は中止しました',
  at: at.toISOString(),
});

/** The connection row while the run that took it at `lease` still holds it. */
const heldBy = (id: string, lease: Date | undefined) => (lease ? and(eq(storeConnections.id, id), eq(storeConnections.syncStartedAt, lease)) : eq(storeConnections.id, id));

function contextFor(
  deps: StoreDeps,
  c: StoreConnection,
  opts: { signal: AbortSignal; tally?: Tally; runId?: number; lease?: Date; onState?: (s: Record<string, unknown>) => void },
): SyncContext {
  const { db } = deps;
  const tally = opts.tally ?? emptyTally();
  const reject = (r: RejectedOrder) => {
    tally.rejected++;
    if (tally.rejections.length < KEPT_REJECTIONS) tally.rejections.push(r);
  };
  return {
    connection: c,
    config: deps.config,
    secrets(): StoreSecrets {
      return {
        access: unseal(deps.keyring, c.accessSealed, aad('access', c.id)),
        refresh: c.refreshSealed ? unseal(deps.keyring, c.refreshSealed, aad('refresh', c.id)) : null,
        webhook: c.webhookSecretSealed ? unseal(deps.keyring, c.webhookSecretSealed, aad('webhook', c.id)) : null,
      };
    },
    async saveTokens(t) {
      const fields = {
        accessSealed: seal(deps.keyring, t.access, aad('access', c.id)),
        ...(t.refresh !== undefined ? { refreshSealed: t.refresh ? seal(deps.keyring, t.refresh, aad('refresh', c.id)) : null } : {}),
        ...(t.expiresAt !== undefined ? { tokenExpiresAt: t.expiresAt } : {}),
        updatedAt: new Date(),
      };
      const saved = await db.update(storeConnections).set(fields).where(heldBy(c.id, opts.lease)).returning({ id: storeConnections.id });
      if (!saved.length) throw new LeaseLost('the connection was taken over during the run');
      Object.assign(c, fields);
    },
    async save(orders: StoreOrder[]) {
      if (!orders.length) return;
      tally.received += orders.length;
      const good: StoreSnapshot[] = [];
      for (const o of orders) {
        const key = orderNumber.safeParse(o.orderNumber);
        if (!key.success) {
          reject({ orderNumber: o.orderNumber, reason: `orderNumber: ${key.error.issues[0]!.message}`, ja: `注文番号：${japaneseIssue(key.error.issues[0]!)}` });
          continue;
        }
        // PostgreSQL text cannot hold NUL: one such order would fail its whole page's write, run after run.
        if (nulAt(o.input)) {
          reject({ orderNumber: o.orderNumber, reason: 'order: a text holds a NUL character', ja: '注文：文字列に NUL 文字が含まれています' });
          continue;
        }
        // The snapshot rule compares it: an unreadable one would fail the whole page's write.
        if (!(o.updatedAt instanceof Date) || Number.isNaN(o.updatedAt.getTime())) {
          reject({ orderNumber: o.orderNumber, reason: 'updatedAt: the platform’s updated time is not a date', ja: '更新日時：ストアの更新日時が日時として読めません' });
          continue;
        }
        const parsed = orderInput.safeParse(o.input);
        if (parsed.success) good.push({ orderNumber: o.orderNumber, externalId: o.externalId, updatedAt: o.updatedAt, input: parsed.data });
        else reject({ orderNumber: o.orderNumber, reason: describeIssues(parsed.error.issues, false), ja: describeIssues(parsed.error.issues, true) });
      }
      const actor: Actor = { kind: 'system', shopId: c.shopId, name: c.platform };
      await db.transaction(async (tx) => {
        await lockKey(tx, `store:${c.id}`);
        if (opts.lease) {
          const [held] = await tx.select({ id: storeConnections.id }).from(storeConnections).where(heldBy(c.id, opts.lease));
          if (!held) throw new LeaseLost('the connection was taken over during the run');
        }
        const results = good.length ? await saveStoreOrders(tx, actor, c.platform, c.id, good) : new Map();
        let changed = 0;
        for (const r of results.values()) {
          if (r === 'created' || r === 'updated') changed++;
          if (r === 'stale') tally.unchanged++;
          else tally[r as 'created' | 'updated' | 'unchanged']++;
        }
        if (changed) await tx.update(storeConnections).set({ ordersReceived: sql`${storeConnections.ordersReceived} + ${changed}` }).where(eq(storeConnections.id, c.id));
        if (opts.runId !== undefined) {
          await tx
            .update(storeSyncRuns)
            .set({ received: tally.received, created: tally.created, updated: tally.updated, unchanged: tally.unchanged, rejected: tally.rejected, rejections: tally.rejections })
            .where(eq(storeSyncRuns.id, opts.runId));
        }
      });
    },
    reject(orderNumber, reason, ja) {
      tally.received++;
      reject({ orderNumber, reason, ja });
    },
    setState(state) {
      opts.onState?.(state);
    },
    fetch: deps.fetch ?? fetch,
    logger: deps.logger.child({ store: c.platform, connectionId: c.id }),
    signal: opts.signal,
  };
}

/** A failure as the console shows it, and what it means for the connection. */
export function storeErrorOf(e: unknown): { error: StoreError; kind: StoreApiError['kind']; retryAfterMs?: number } {
  const at = new Date().toISOString();
  if (e instanceof StoreApiError) {
    return { error: { code: e.opts.code ?? e.kind, message: e.message, ja: e.ja, at }, kind: e.kind, retryAfterMs: e.opts.retryAfterMs };
  }
  if (isDomainError(e) && e.code === 'unavailable') {
    return { error: { code: 'secret_unavailable', message: e.message, ja: '保存されたトークンを開けません（鍵の設定を確認してください）', at }, kind: 'unavailable' };
  }
  // A failed query's message quotes its values (customer contact data): only its SQLSTATE is told.
  if (e instanceof Error && (sqlState(e) || 'query' in e || 'params' in e)) {
    const state = sqlState(e);
    return {
      error: { code: 'database', message: `the database refused the write${state ? ` (SQLSTATE ${state})` : ''}`, ja: `データベースへの保存に失敗しました${state ? `（SQLSTATE ${state}）` : ''}`, at },
      kind: 'unavailable',
    };
  }
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return { error: { code: 'timeout', message: 'the platform did not answer in time', ja: 'ストアの API が時間内に応答しませんでした', at }, kind: 'unavailable' };
  }
  // Kept in jsonb, which refuses NUL; an adapter's message may quote anything.
  const message = (e instanceof Error ? e.message : String(e)).replaceAll('\u0000', '').slice(0, 500);
  // fetch's own failure (DNS, refused, reset): the platform cannot be reached.
  if (e instanceof TypeError) return { error: { code: 'unreachable', message: `the platform cannot be reached: ${message}`, ja: 'ストアの API に接続できませんでした', at }, kind: 'unavailable' };
  return { error: { code: 'failed', message, ja: `同期に失敗しました：${message}`, at }, kind: 'bad_response' };
}

/** The longest Retry-After believed: a platform (or a header misread) asking for more waits a day. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** The wait before the next try after `failures` failed runs in a row: 1, 2, 4 … 60 minutes, or the platform's Retry-After when longer (a day at most; one that is not a number is ignored). */
export const backoffMs = (failures: number, retryAfterMs = 0) =>
  Math.max(Number.isFinite(retryAfterMs) ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : 0, Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** Math.max(0, failures - 1)));

/** Makes a connection whose run is going due again when that run ends (see the end of runSync); one not running is left alone. */
async function dueAfterRun(db: Db, connectionId: string, now: Date): Promise<void> {
  await db
    .update(storeConnections)
    .set({ nextSyncAt: now })
    .where(and(eq(storeConnections.id, connectionId), eq(storeConnections.status, 'ok'), gte(storeConnections.syncStartedAt, new Date(now.getTime() - LEASE_MS))));
}

/**
 * One sync run of a connection: takes its lease (a run already going, or a broken connection,
 * and this one does nothing), pulls through the adapter, and records the run, the cursor and
 * the schedule. The platform failing is recorded, never thrown: the schedule tries again.
 */
export async function runSync(deps: StoreDeps, connectionId: string, trigger: SyncTrigger): Promise<{ ran: boolean; ok?: boolean }> {
  const { db } = deps;
  const now = new Date();
  // Runs wait on the platforms' limits for minutes: a few at most in a process, so they never hold every slot of its job
  // worker (mail and alerts keep theirs). One more goes again a little later, its trigger kept.
  if ((running.get(deps) ?? 0) >= MAX_RUNNING) {
    const [waiting] = await db.select({ shopId: storeConnections.shopId }).from(storeConnections).where(and(eq(storeConnections.id, connectionId), eq(storeConnections.status, 'ok')));
    if (waiting) await db.transaction((tx) => enqueue(tx, { shopId: waiting.shopId, topic: STORE_SYNC_TOPIC, payload: { connectionId, trigger }, runAt: new Date(now.getTime() + BUSY_WAIT_MS) }));
    return { ran: false };
  }
  running.set(deps, (running.get(deps) ?? 0) + 1);
  try {
    return await leaseAndRun(deps, connectionId, trigger, now);
  } finally {
    running.set(deps, (running.get(deps) ?? 1) - 1);
  }
}

/** Store runs going now, per job worker (its deps: one per process). */
const running = new WeakMap<StoreDeps, number>();

async function leaseAndRun(deps: StoreDeps, connectionId: string, trigger: SyncTrigger, now: Date): Promise<{ ran: boolean; ok?: boolean }> {
  const { db } = deps;
  const [c] = await db
    .update(storeConnections)
    .set({ syncStartedAt: now })
    .where(
      and(
        eq(storeConnections.id, connectionId),
        eq(storeConnections.status, 'ok'),
        or(isNull(storeConnections.syncStartedAt), lt(storeConnections.syncStartedAt, new Date(now.getTime() - LEASE_MS))),
      ),
    )
    .returning();
  if (!c) {
    // A person asked while a run holds it: that run may have read past their change, so the connection is due again once it ends.
    if (trigger === 'manual') await dueAfterRun(db, connectionId, now);
    return { ran: false };
  }
  const adapter = adapterOf(deps, c.platform);
  const [run] = await db.insert(storeSyncRuns).values({ connectionId: c.id, shopId: c.shopId, trigger }).returning({ id: storeSyncRuns.id });
  const tally = emptyTally();
  let state: Record<string, unknown> | undefined;
  try {
    if (!adapter) throw new StoreApiError('bad_response', `no adapter for ${c.platform} in this version`, `このバージョンには ${c.platform} の連携がありません`);
    const ctx = contextFor(deps, c, { signal: AbortSignal.timeout(RUN_DEADLINE_MS), tally, runId: run!.id, lease: now, onState: (s) => (state = s) });
    await adapter.sync(ctx, trigger);
  } catch (e) {
    const end = new Date();
    if (e instanceof LeaseLost) {
      await db.update(storeSyncRuns).set({ finishedAt: end, error: superseded(end) }).where(eq(storeSyncRuns.id, run!.id));
      return { ran: true, ok: false };
    }
    const failed = storeErrorOf(e);
    if (!(e instanceof StoreApiError)) deps.logger.warn({ err: e, connectionId, trigger }, 'stores: a sync run failed');
    await db.transaction(async (tx) => {
      await tx.update(storeSyncRuns).set({ finishedAt: end, error: failed.error }).where(eq(storeSyncRuns.id, run!.id));
      if (failed.kind === 'auth') {
        await tx
          .update(storeConnections)
          .set({ status: 'broken', brokenReason: failed.error.code, brokenAt: end, nextSyncAt: null, syncStartedAt: null, lastSyncAt: end, lastError: failed.error, updatedAt: end })
          .where(heldBy(c.id, now));
      } else {
        await tx
          .update(storeConnections)
          .set({
            failures: c.failures + 1,
            nextSyncAt: new Date(end.getTime() + backoffMs(c.failures + 1, failed.retryAfterMs)),
            syncStartedAt: null,
            lastSyncAt: end,
            lastError: failed.error,
            // What was saved before the failure stays saved, and so does the progress the adapter reported for it (a
            // long backfill cut by the deadline goes on from there); without one the cursor stays and the next run reads it again.
            ...(state ? { state } : {}),
            updatedAt: end,
          })
          .where(heldBy(c.id, now));
      }
    });
    return { ran: true, ok: false };
  }
  const end = new Date();
  return db.transaction(async (tx) => {
    // Taken over meanwhile: the cursor of what this run read is not the connection's any more.
    const [held] = await tx
      .update(storeConnections)
      .set({
        ...(state ? { state } : {}),
        failures: 0,
        lastError: null,
        lastSyncAt: end,
        lastSuccessAt: end,
        // Asked for during this run (runSync's 'manual' above): due now, else after the adapter's interval. At or after
        // the run's start, not only after: a request in the run's first millisecond has the start's own time.
        nextSyncAt: sql`case when ${storeConnections.nextSyncAt} >= ${now.toISOString()}::timestamptz and ${storeConnections.nextSyncAt} <= ${end.toISOString()}::timestamptz then ${storeConnections.nextSyncAt} else ${new Date(end.getTime() + adapter!.nextSyncAfterMs(deps.config)).toISOString()}::timestamptz end`,
        syncStartedAt: null,
        updatedAt: end,
      })
      .where(heldBy(c.id, now))
      .returning({ id: storeConnections.id });
    await tx.update(storeSyncRuns).set({ finishedAt: end, ...(held ? {} : { error: superseded(end) }) }).where(eq(storeSyncRuns.id, run!.id));
    return { ran: true, ok: Boolean(held) };
  });
}

/**
 * One stored webhook: mapped and saved by its platform's adapter. A platform failure is kept
 * on the webhook and the connection and thrown, so the job is tried again; an auth refusal
 * breaks the connection and ends the webhook.
 */
export async function runWebhook(deps: StoreDeps, webhookId: number): Promise<void> {
  const { db } = deps;
  const [hook] = await db.select().from(storeWebhooks).where(eq(storeWebhooks.id, webhookId));
  if (!hook || hook.processedAt) return;
  const c = await connectionById(db, hook.connectionId);
  const finish = (error: string | null) => db.update(storeWebhooks).set({ processedAt: new Date(), error }).where(eq(storeWebhooks.id, webhookId));
  const adapter = c && adapterOf(deps, c.platform);
  if (!c || c.status === 'broken' || !adapter?.handleWebhook) {
    await finish(!c ? 'the connection is gone' : c.status === 'broken' ? 'the connection is broken' : 'no webhook handler');
    return;
  }
  const tally = emptyTally();
  try {
    await adapter.handleWebhook(contextFor(deps, c, { signal: AbortSignal.timeout(60_000), tally }), { topic: hook.topic, payload: hook.payload });
  } catch (e) {
    const failed = storeErrorOf(e);
    if (failed.kind === 'auth') {
      await markBroken(db, c.id, failed.error.code, failed.error);
      await finish(failed.error.message);
      return;
    }
    await db.update(storeWebhooks).set({ error: failed.error.message }).where(eq(storeWebhooks.id, webhookId));
    await db.update(storeConnections).set({ lastError: failed.error, updatedAt: new Date() }).where(eq(storeConnections.id, c.id));
    throw e;
  }
  const rejected = tally.rejections.map((r) => `${r.orderNumber}: ${r.reason}`).join('; ');
  await db.transaction(async (tx) => {
    await tx.update(storeWebhooks).set({ processedAt: new Date(), error: rejected || null }).where(eq(storeWebhooks.id, webhookId));
    await tx.update(storeConnections).set({ lastSyncAt: new Date(), updatedAt: new Date() }).where(eq(storeConnections.id, c.id));
  });
}

/** The schedule: a run queued for each healthy connection that is due (and not running), pushed past the run's lease so it is not queued twice. */
export async function queueDueSyncs(db: Db, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: storeConnections.id, shopId: storeConnections.shopId, platform: storeConnections.platform })
      .from(storeConnections)
      .where(
        and(
          eq(storeConnections.status, 'ok'),
          lte(storeConnections.nextSyncAt, now),
          or(isNull(storeConnections.syncStartedAt), lt(storeConnections.syncStartedAt, new Date(now.getTime() - LEASE_MS))),
        ),
      )
      .for('update', { skipLocked: true });
    if (!due.length) return 0;
    await enqueue(
      tx,
      due.map((c) => ({ shopId: c.shopId, topic: STORE_SYNC_TOPIC, payload: { connectionId: c.id, trigger: c.platform === 'shopify' ? 'reconcile' : 'poll' } })),
    );
    await tx
      .update(storeConnections)
      .set({ nextSyncAt: new Date(now.getTime() + LEASE_MS) })
      .where(inArray(storeConnections.id, due.map((c) => c.id)));
    return due.length;
  });
}

/** Keeps the last 100 runs of each connection and a week of worked webhooks. */
export async function pruneStoreHistory(db: Db): Promise<{ runs: number; webhooks: number }> {
  const runs = await db.execute(sql`
    delete from store_sync_runs r using (
      select id from (select id, row_number() over (partition by connection_id order by started_at desc, id desc) as n from store_sync_runs) ranked where n > 100
    ) old where r.id = old.id`);
  const hooks = await db.delete(storeWebhooks).where(and(lt(storeWebhooks.receivedAt, new Date(Date.now() - 7 * 86_400_000)), sql`${storeWebhooks.processedAt} is not null`)).returning({ id: storeWebhooks.id });
  return { runs: (runs as { affectedRows?: number; rowCount?: number }).rowCount ?? (runs as { affectedRows?: number }).affectedRows ?? 0, webhooks: hooks.length };
}
