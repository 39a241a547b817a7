/**
 * The port a shop platform's adapter plugs into (Shopify, BASE: one folder each). An adapter
 * only talks to its platform and maps what it gets; the core (stores.service.ts) validates and
 * stores orders, keeps the schedule, records each run and decides what a failure means.
 */
import type { Config } from '../../config.ts';
import type { Logger } from '../../core/logger.ts';
import type { OrderInputJson } from '../orders/orders.schema.ts';
import type { Platform, StoreErrorKind, SyncTrigger } from './stores.model.ts';
import type { storeConnections } from './stores.tables.ts';

export type { Platform, SyncTrigger } from './stores.model.ts';

export type StoreConnection = typeof storeConnections.$inferSelect;

/** One order as the platform has it, mapped; `input` is validated by the core with orderInput. */
export interface StoreOrder {
  /** As the merchant and the customer know it: Shopify's `name` (#1001), BASE's unique_key. */
  orderNumber: string;
  /** The platform's own id of the order. */
  externalId: string;
  /** The platform's updated time: an older snapshot never overwrites a newer one. */
  updatedAt: Date;
  input: OrderInputJson;
}

/**
 * A platform refused or failed. `kind` decides what the core does: `auth` (token revoked or
 * invalid) marks the connection broken and stops its schedule until it is connected again;
 * the others record the run as failed and back off (1, 2, 4 … 60 minutes, or the platform's
 * Retry-After when longer).
 */
export class StoreApiError extends Error {
  override readonly name = 'StoreApiError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The same in Japanese, for the merchant's console. */
    readonly ja: string,
    readonly opts: { status?: number; retryAfterMs?: number; code?: string } = {},
  ) {
    super(message);
  }
}

export interface StoreSecrets {
  access: string;
  refresh: string | null;
  webhook: string | null;
}

export interface SyncContext {
  connection: StoreConnection;
  config: Config;
  /** The connection's secrets, unsealed on demand (a 503 `unavailable` when the key is gone). */
  secrets(): StoreSecrets;
  /** Stores refreshed tokens at once, in their own transaction (a refresh token is often single use). */
  saveTokens(t: { access: string; refresh?: string | null; expiresAt?: Date | null }): Promise<void>;
  /** Validates and stores a page of orders now, counted into the run; a bad order is recorded as rejected, never half-written. */
  save(orders: StoreOrder[]): Promise<void>;
  /** An order the adapter could not map at all (a foreign currency, a shape it does not know): counted as rejected with the reason. */
  reject(orderNumber: string, reason: string, ja: string): void;
  /**
   * The adapter's cursor, stored with the run's end. Called after a page is saved with the position up to which all is
   * saved, it is kept even when the run fails later (a long backfill cut by its deadline goes on from there); an adapter
   * that only knows its cursor at the end calls it then.
   */
  setState(state: Record<string, unknown>): void;
  fetch: typeof fetch;
  logger: Logger;
  /** Aborted when the run passes its deadline. */
  signal: AbortSignal;
}

export interface StoreAdapter {
  platform: Platform;
  /** One run: pull what changed since `ctx.connection.state` (for 'backfill': the last backfill_days) and `ctx.save` each page. */
  sync(ctx: SyncContext, trigger: SyncTrigger): Promise<void>;
  /** When the schedule runs next after a good run. */
  nextSyncAfterMs(config: Config): number;
  /** One stored webhook: map its payload and `ctx.save` it. */
  handleWebhook?(ctx: SyncContext, hook: { topic: string; payload: unknown }): Promise<void>;
  /** Best effort at disconnect (remove webhooks, revoke tokens); must not throw. */
  disconnect?(ctx: SyncContext): Promise<void>;
}
