import type { Context } from 'koa';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import type { Api } from '../../core/route.ts';
import { findShop } from './shops.repository.ts';
import { shopIdParams } from './shops.schema.ts';

export const PUBLIC_SHOP_PREFIX = '/api/public/shops/';

/** The CORS origin to allow: the request's Origin when the shop in the path lists it, else none. */
export async function allowedOrigin(db: Db, ctx: Context): Promise<string> {
  // CORS runs before the router, so the shop id is read from the path here, with the route's own schema.
  const origin = ctx.get('origin');
  const id = shopIdParams.shape.shopId.safeParse(ctx.path.slice(PUBLIC_SHOP_PREFIX.length).split('/')[0]);
  if (!origin || !id.success) return '';
  const shop = await findShop(db, id.data);
  return shop?.allowedOrigins.includes(origin) ? origin : '';
}

/** What a shop's own pages (the widget, the returns portal) may read without signing in. */
export function publicShopRoutes(api: Api, db: Db): void {
  api.route({
    method: 'get',
    path: '/api/public/shops/:shopId',
    tag: 'Public',
    summary: "A shop's public profile (name, locale, timezone); CORS for the shop's listed origins",
    auth: 'public',
    params: shopIdParams,
    response: z.object({ id: z.uuid(), name: z.string(), locale: z.enum(['ja', 'en']), timezone: z.string() }),
    errors: ['not_found'],
    handler: async ({ params }) => {
      const shop = await findShop(db, params.shopId);
      if (!shop) throw notFound('shop');
      return { id: shop.id, name: shop.name, locale: shop.locale as 'ja' | 'en', timezone: shop.timezone };
    },
  });
}
