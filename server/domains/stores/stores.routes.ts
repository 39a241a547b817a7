import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { storeDetail, storeParams, storesList } from './stores.schema.ts';
import { disconnectStore, getStore, listStores, requestSync, type StoreDeps } from './stores.service.ts';

/**
 * Where a platform's install sends the browser back: the shop's store connections when the shop
 * is known (its signed state was read), else the console's store settings of the open shop.
 */
export const storesLanding = (shopId: string | undefined, query: string) => (shopId ? `/console/shops/${shopId}/settings/stores?${query}` : `/console/settings/stores?${query}`);

/** The console's store connections (owner, staff): what is connected, how its syncs go, sync now, disconnect. */
export function storeRoutes(api: Api, deps: StoreDeps): void {
  const tag = 'Stores';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/stores',
    tag,
    summary: 'The shop’s store connections (Shopify, BASE) and what this deployment can connect (owner, staff; never a token)',
    auth: 'session',
    params: shopIdParams,
    response: storesList,
    errors: ['forbidden'],
    handler: ({ actor }) => listStores(deps, actor),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/stores/:storeId',
    tag,
    summary: 'One store connection with its last 20 sync runs (owner, staff)',
    auth: 'session',
    params: storeParams,
    response: storeDetail,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor, params }) => getStore(deps, actor, params.storeId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/stores/:storeId/sync',
    tag,
    summary: 'Sync now: a run is queued at once (owner, staff); 409 while the connection is broken',
    auth: 'session',
    params: storeParams,
    response: z.object({ queued: z.literal(true) }),
    errors: ['forbidden', 'not_found', 'conflict'],
    handler: async ({ actor, params, ctx, requestId }) => {
      const out = await requestSync(deps, actor, params.storeId, requestId);
      ctx.status = 202;
      return out;
    },
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/stores/:storeId',
    tag,
    summary: 'Disconnect the store (owner, staff): the platform is told (best effort), the connection and its history deleted; orders stay',
    auth: 'session',
    params: storeParams,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor, params, requestId }) => disconnectStore(deps, actor, params.storeId, requestId),
  });
}
