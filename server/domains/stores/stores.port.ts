// PLACEHOLDER on the shopify branch until core's stores.port.ts lands on main: the contract's
// shapes (CONTRACT16.md), so the Shopify adapter can be written and tested. On merge, main's wins.
import type { Config } from '../../config.ts';
import type { Logger } from '../../core/logger.ts';
import type { OrderInputJson } from '../orders/orders.schema.ts';

export type Platform = 'shopify' | 'base';
export type SyncTrigger = 'backfill' | 'webhook' | 'poll' | 'reconcile' | 'manual';
export interface StoreOrder {
  orderNumber: string;
  externalId: string;
  updatedAt: Date;
  input: OrderInputJson;
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
}
export interface SyncContext {
  connection: StoreConnection;
  config: Config;
  secrets(): { access: string; refresh: string | null; webhook: string | null };
  saveTokens(t: { access: string; refresh?: string | null; expiresAt?: Date | null }): Promise<void>;
  save(orders: StoreOrder[]): Promise<void>;
  reject(orderNumber: string, reason: string, ja: string): void;
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
