import { z } from 'zod';
import { shopIdParams } from '../shops/shops.schema.ts';
import { platforms, storeStatuses, storeVias, syncTriggers } from './stores.model.ts';

export const storeParams = shopIdParams.extend({ storeId: z.uuid({ message: 'expected a store connection id (UUID)' }) });

const storeError = z.object({ code: z.string(), message: z.string(), ja: z.string().describe('the same in Japanese'), at: z.string() });

export const storeView = z.object({
  id: z.uuid(),
  platform: z.enum(platforms),
  account: z.string().describe('Shopify: the myshopify.com domain; BASE: the shop id'),
  accountName: z.string().nullable(),
  via: z.enum(storeVias),
  status: z.enum(storeStatuses),
  brokenReason: z.string().nullable().describe('the platform’s reason the connection stopped working (token_revoked, invalid_grant, app_uninstalled…)'),
  brokenAt: z.string().nullable(),
  backfillDays: z.number().int(),
  lastSyncAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  ordersReceived: z.number().int().describe('orders created or changed by this connection'),
  lastError: storeError.nullable(),
  syncing: z.boolean(),
  createdAt: z.string(),
});

export const storesList = z.object({
  stores: z.array(storeView),
  available: z.object({
    shopify: z.object({ token: z.boolean(), oauth: z.boolean().describe('the deployment has a Shopify app (SHOPIFY_CLIENT_ID)') }),
    base: z.object({ oauth: z.boolean().describe('the deployment has a BASE app (BASE_CLIENT_ID)') }),
  }),
});

export const syncRunView = z.object({
  id: z.number().int(),
  trigger: z.enum(syncTriggers),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  received: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  rejections: z.array(z.object({ orderNumber: z.string(), reason: z.string(), ja: z.string() })).describe('the first 20 orders not stored, with why'),
  error: storeError.nullable(),
});

export const storeDetail = z.object({ store: storeView, runs: z.array(syncRunView).describe('the last 20 runs, newest first') });
