import type { Context } from 'koa';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import type { Api } from '../../core/route.ts';
import { createWidgetConfigLimiter } from './shops.limits.ts';
import { findShop } from './shops.repository.ts';
import { shopIdParams } from './shops.schema.ts';
import { replyTimes } from './shops.tables.ts';
import { widgetConfig } from './shops.widget.ts';

export const PUBLIC_SHOP_PREFIX = '/api/public/shops/';

const WIDGET_CONFIG = /^\/api\/public\/shops\/[^/]+\/widget\/config$/;

/**
 * The CORS origin to allow: the request's Origin when the shop in the path lists it, else none.
 * The widget's config is readable from any page (`*`, no credentials): its answer to an origin
 * not allowed is only `{ allowed: false }`, which the widget needs to read to stay hidden and
 * tell the developer why, instead of failing like a network error.
 */
export async function allowedOrigin(db: Db, ctx: Context): Promise<string> {
  if (WIDGET_CONFIG.test(ctx.path)) return '*';
  // CORS runs before the router, so the shop id is read from the path here, with the route's own schema.
  const origin = ctx.get('origin');
  const id = shopIdParams.shape.shopId.safeParse(ctx.path.slice(PUBLIC_SHOP_PREFIX.length).split('/')[0]);
  if (!origin || !id.success) return '';
  const shop = await findShop(db, id.data);
  return shop?.allowedOrigins.includes(origin) ? origin : '';
}

/** What a shop's own pages (the widget, the returns portal) may read without signing in. */
export interface PublicShopDeps {
  db: Db;
  redis: Redis;
  keyPrefix: string;
  /** Widget config reads per client address per minute (tests load many from 127.0.0.1). */
  widgetConfigsPerAddress?: number;
  /** MAIL_FROM's domain, for the widget's hint to visitors at mobile carrier addresses. */
  mailDomain?: string;
}

export function publicShopRoutes(api: Api, deps: PublicShopDeps): void {
  const { db } = deps;
  const limitConfigs = createWidgetConfigLimiter(deps.redis, deps.keyPrefix, deps.widgetConfigsPerAddress);
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
  api.route({
    method: 'get',
    path: '/api/public/shops/:shopId/widget/config',
    tag: 'Public',
    summary: "The widget's start: the shop's colours, greeting, privacy notice, usual reply time and business hours",
    description:
      'Readable from any origin. A page whose Origin the shop has not allowed gets `{ allowed: false }` only, and the widget stays hidden. ' +
      'The Origin header is recorded (allowed origins always; at most 50 others per shop, the oldest making room) so the console can say where the widget was seen. ' +
      'Limited per client address (429 with Retry-After).',
    auth: 'public',
    params: shopIdParams,
    response: z.union([
      z.object({ allowed: z.literal(false) }),
      z.object({
        allowed: z.literal(true),
        id: z.uuid(),
        name: z.string(),
        locale: z.enum(['ja', 'en']),
        timezone: z.string(),
        color: z.string(),
        textColor: z.string(),
        greeting: z.object({ ja: z.string().nullable(), en: z.string().nullable() }),
        privacyUrl: z.string().nullable(),
        replyTime: z.enum(replyTimes).nullable(),
        hours: z.object({ open: z.boolean(), nextOpenAt: z.string().nullable() }).nullable(),
        mailDomain: z.string().nullable().describe("the domain the shop's mail comes from: a visitor at a Japanese mobile carrier address is asked to allow it"),
      }),
    ]),
    errors: ['not_found', 'rate_limited', 'unavailable'],
    handler: async ({ params, ctx }) => {
      await limitConfigs(ctx.ip);
      // Per page view, not per visitor: a cache would hide a change of the allowed origins.
      ctx.set('Cache-Control', 'no-store');
      return widgetConfig(db, params.shopId, ctx.get('origin') || undefined, new Date(), deps.mailDomain ?? null);
    },
  });
}
