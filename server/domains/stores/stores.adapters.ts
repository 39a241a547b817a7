import { baseAdapter } from './base/base.adapter.ts';
import type { Platform, StoreAdapter } from './stores.port.ts';
import { shopifyAdapter } from './shopify/shopify.adapter.ts';

/** The adapter of each platform (one line each; the platforms' folders hold the rest). */
export const storeAdapters: Partial<Record<Platform, StoreAdapter>> = {
  shopify: shopifyAdapter,
  base: baseAdapter,
};
