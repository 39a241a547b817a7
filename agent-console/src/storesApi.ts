/**
 * The store connections' REST calls (settings → ストア連携). The shapes are the issue 16 contract
 * (/api/shops/:shopId/stores); owners and staff only, the server answers 403 to anyone else.
 */
import type { z } from 'zod';
import type { Platform, SyncTrigger } from '../../server/domains/stores/stores.model.ts';
import type { storeDetail, storesList, storeView } from '../../server/domains/stores/stores.schema.ts';
import { request } from './api.ts';

/** The server's own shapes and closed lists (type-only: nothing of the server is bundled). */
export type { Platform, SyncTrigger };
export type StoresView = z.infer<typeof storesList>;
export type StoreConnectionView = z.infer<typeof storeView>;
export type StoreDetail = z.infer<typeof storeDetail>;
export type SyncRunView = StoreDetail['runs'][number];
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
