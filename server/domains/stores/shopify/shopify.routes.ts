import type Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../../../core/actor.ts';
import type { Api } from '../../../core/route.ts';
import { shopIdParams } from '../../shops/shops.schema.ts';
import { storeView } from '../stores.schema.ts';
import { connectWithToken, shopDomain, tokenBody } from './shopify.connect.ts';
import { shopifyOAuthCallback, startInstall, type OAuthDeps } from './shopify.oauth.ts';
import { receiveWebhook, WEBHOOK_BODY_LIMIT } from './shopify.receiver.ts';

/** Connecting a Shopify store (token or install), and the receiver of its webhooks. */
export function shopifyRoutes(api: Api, router: Router, deps: OAuthDeps): void {
  const tag = 'Stores';
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/stores/shopify',
    tag,
    summary: 'Connect a Shopify store with a custom app’s Admin API access token and API secret (owner, staff); checked with the `shop` query, stored sealed, webhooks registered, the backfill queued',
    auth: 'session',
    params: shopIdParams,
    body: tokenBody,
    response: storeView,
    status: 201,
    errors: ['invalid_input', 'forbidden', 'unavailable'],
    handler: ({ actor, body, requestId }) => connectWithToken(deps, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/stores/shopify/install',
    tag,
    summary: 'Install the deployment’s Shopify app on a store (owner, staff): 302 to Shopify’s authorize page; 404 when no app is configured',
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ shop: shopDomain }),
    status: 302,
    errors: ['invalid_input', 'forbidden', 'not_found'],
    handler: async ({ actor, query, ctx }) => {
      requireRole(actor, 'owner', 'staff');
      ctx.redirect(startInstall(deps, ctx, actor, query.shop));
    },
  });
  api.route({
    method: 'post',
    path: '/hooks/shopify/:connectionId',
    tag,
    summary: 'Shopify’s webhooks for one store connection (signed with X-Shopify-Hmac-Sha256 over the raw body; deduplicated by X-Shopify-Webhook-Id; answered before the work)',
    auth: 'public',
    params: z.strictObject({ connectionId: z.uuid() }),
    bodyKind: 'binary',
    bodyTypes: ['application/json'],
    bodyLimitBytes: WEBHOOK_BODY_LIMIT,
    response: z.object({ received: z.enum(['stored', 'duplicate', 'ignored', 'uninstalled']) }),
    errors: ['invalid_input', 'unauthenticated', 'not_found', 'payload_too_large', 'unavailable'],
    handler: ({ params, body, ctx }) => receiveWebhook(deps, ctx, params.connectionId, body as unknown as Buffer),
  });
  shopifyOAuthCallback(router, deps);
}
