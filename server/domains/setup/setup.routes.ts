import type { Api } from '../../core/route.ts';
import type { Db } from '../../core/db/client.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { setupView } from './setup.schema.ts';
import { getSetup } from './setup.service.ts';

export function setupRoutes(api: Api, db: Db): void {
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/setup',
    tag: 'Shops and people',
    summary: 'The first-run checklist: each step done or not, from the shop’s real state (owner, staff)',
    auth: 'session',
    params: shopIdParams,
    response: setupView,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor }) => getSetup(db, actor),
  });
}
