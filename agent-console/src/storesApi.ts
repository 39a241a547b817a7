/**
 * The store connections' REST calls (settings → ストア連携). The shapes are the issue 16 contract
 * (/api/shops/:shopId/stores); owners and staff only, the server answers 403 to anyone else.
 */
import { request } from './api.ts';

// PROVISIONAL: hand copies of the contract until the core's schemas land on main; then these
// become z.infer of the server's own (type-only), as slackApi.ts does.
export type Platform = 'shopify' | 'base';
export type SyncTrigger = 'backfill' | 'webhook' | 'poll' | 'reconcile' | 'manual';
export interface StoreConnectionView {
  id: string;
  platform: Platform;
  account: string;
  accountName: string | null;
  via: 'token' | 'oauth';
  status: 'ok' | 'broken';
  brokenReason: string | null;
  brokenAt: string | null;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  nextSyncAt: string | null;
  ordersReceived: number;
  lastError: { code: string; message: string; ja: string; at: string } | null;
  backfillDays: number;
  createdAt: string;
  syncing: boolean;
}
export interface SyncRunView {
  id: number;
  trigger: SyncTrigger;
  startedAt: string;
  finishedAt: string | null;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first 20 orders not stored, with why. */
  rejections: Array<{ orderNumber: string; reason: string; ja: string }>;
  error: { code: string; message: string; ja: string; at: string } | null;
}
export interface StoresView {
  stores: StoreConnectionView[];
  available: { shopify: { token: boolean; oauth: boolean }; base: { oauth: boolean } };
}
export interface StoreDetail {
  store: StoreConnectionView;
  runs: SyncRunView[];
}
export interface ShopifyConnectBody {
  shopDomain: string;
  accessToken: string;
  apiSecret: string;
  backfillDays?: number;
}

const stores = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}/stores`;
const store = (shopId: string, storeId: string) => `${stores(shopId)}/${encodeURIComponent(storeId)}`;
const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const storesApi = {
  list: (shopId: string, signal?: AbortSignal) => request<StoresView>(stores(shopId), opts(signal)),
  get: (shopId: string, storeId: string, signal?: AbortSignal) => request<StoreDetail>(store(shopId, storeId), opts(signal)),
  /** 202: queued; 409 while the connection is broken. */
  sync: (shopId: string, storeId: string) => request<{ queued: true }>(`${store(shopId, storeId)}/sync`, { method: 'POST' }),
  /** The orders stay; the platform's webhooks and tokens are removed on a best-effort basis. */
  disconnect: (shopId: string, storeId: string) => request<void>(store(shopId, storeId), { method: 'DELETE' }),
  /** Checks the token with Shopify first: 400 at `accessToken` when refused, 503 when Shopify cannot be reached. */
  connectShopify: (shopId: string, body: ShopifyConnectBody) => request<unknown>(`${stores(shopId)}/shopify`, { method: 'POST', body }),
  /** Where a browser goes to install the public app (a 302 to Shopify's authorize page). */
  shopifyInstallUrl: (shopId: string, shopDomain: string) => `${stores(shopId)}/shopify/install?${new URLSearchParams({ shop: shopDomain })}`,
  /** Where a browser goes to connect BASE (a 302 to BASE's authorize page). */
  baseInstallUrl: (shopId: string) => `${stores(shopId)}/base/install`,
};
