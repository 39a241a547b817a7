import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { plainText, shopIdParams } from '../shops/shops.schema.ts';
import { apiKeyNameMax } from './apikeys.rules.ts';
import { createApiKey, listShopApiKeys, revokeShopApiKey } from './apikeys.service.ts';

const keyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export function apiKeyRoutes(api: Api, db: Db): void {
  const tag = 'API keys';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/api-keys',
    tag,
    summary: "The shop's API keys (owner); secrets are never shown again",
    auth: 'session',
    params: shopIdParams,
    response: z.array(keyView),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listShopApiKeys(db, actor),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/api-keys',
    tag,
    summary: 'Create an API key for the shop platform (owner); the key is in this answer only',
    auth: 'session',
    params: shopIdParams,
    body: z.strictObject({ name: plainText(apiKeyNameMax) }),
    response: keyView.extend({ key: z.string() }),
    status: 201,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, body, requestId }) => createApiKey(db, actor, body.name, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/api-keys/:keyId',
    tag,
    summary: 'Revoke an API key (owner)',
    auth: 'session',
    params: shopIdParams.extend({ keyId: z.uuid() }),
    response: keyView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => revokeShopApiKey(db, actor, params.keyId, requestId),
  });
}
