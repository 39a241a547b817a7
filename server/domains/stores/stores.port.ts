// PLACEHOLDER from the base part, per /work/wt/CONTRACT16.md, so its adapter typechecks before
// core lands; on merge, main's file (core's) replaces this one entirely.
import type { Config } from '../../config.ts';
import type { Logger } from '../../core/logger.ts';
import type { OrderInputJson } from '../orders/orders.schema.ts';

export type Platform = 'shopify' | 'base';
export type SyncTrigger = 'backfill' | 'webhook' | 'poll' | 'reconcile' | 'manual';
export interface StoreOrder {
  orderNumber: string;
  externalId: string;
  updatedAt: Date;
  input: OrderInputJson & { cancelledAt?: string | null };
}
export class StoreApiError extends Error {
  constructor(
    readonly kind: 'auth' | 'rate_limited' | 'unavailable' | 'bad_response' | 'not_found',
    message: string,
    readonly ja: string,
    readonly opts: { status?: number; retryAfterMs?: number; code?: string } = {},
  ) {
    super(message);
  }
}
export interface StoreConnection {
  id: string;
  shopId: string;
  platform: Platform;
  account: string;
  backfillDays: number;
  state: Record<string, unknown>;
  tokenExpiresAt: Date | null;
}
export interface SyncContext {
  connection: StoreConnection;
  secrets(): { access: string; refresh: string | null; webhook: string | null };
  saveTokens(t: { access: string; refresh?: string | null; expiresAt?: Date | null }): Promise<void>;
  save(orders: StoreOrder[]): Promise<void>;
  setState(state: Record<string, unknown>): void;
  fetch: typeof fetch;
  logger: Logger;
  signal: AbortSignal;
}
export interface StoreAdapter {
  platform: Platform;
  sync(ctx: SyncContext, trigger: SyncTrigger): Promise<void>;
  nextSyncAfterMs(config: Config): number;
  handleWebhook?(ctx: SyncContext, hook: { topic: string; payload: unknown }): Promise<void>;
  disconnect?(ctx: SyncContext): Promise<void>;
}
