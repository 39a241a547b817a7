import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import { htmlErrorPages } from '../../core/pages.ts';
import type { Api } from '../../core/route.ts';
import { render } from '../../core/templates.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { activeNoticesView } from './notices.campaigns.schema.ts';
import { activeNoticesCache, allowShopOrigin, noticesPageData } from './notices.public.ts';

// Not strict: links to the page carry tracking parameters (utm_*) that must not turn it into a 400.
const langQuery = z.object({ lang: z.enum(['ja', 'en']).catch('ja').default('ja') });

const labels = {
  ja: { title: 'お知らせ', current: '現在のお知らせ', past: 'これまでのお知らせ', none: '現在お知らせはありません。', period: '掲載期間', other: 'English' },
  en: { title: 'Notices', current: 'Current notices', past: 'Past notices', none: 'There are no notices at the moment.', period: 'Shown', other: '日本語' },
};

/** The shop's notices for its customers: the banner JSON its pages read, and a page to link from its site and social accounts. */
export function publicNoticeRoutes(api: Api, deps: { db: Db; bus?: DomainBus; logger?: Logger }): void {
  const tag = 'Notices';
  const active = activeNoticesCache(deps.db, deps.bus, deps.logger);
  api.router.use('/shops/:shopId/notices', htmlErrorPages());
  api.route({
    method: 'get',
    path: '/shops/:shopId/notices/active',
    tag,
    summary: "The shop's notices showing now, rendered in ja and en, for a banner on its pages (the one-tag embed /notices.js?shop=<id> reads it)",
    description: 'Cheap to call on every page view: kept in memory a few seconds per shop, ETag (304 on If-None-Match) and Cache-Control: public, max-age=60. CORS for the origins the shop allows.',
    auth: 'public',
    params: shopIdParams,
    response: activeNoticesView,
    errors: ['not_found'],
    handler: async ({ params, ctx }) => {
      const a = await active(params.shopId);
      allowShopOrigin(ctx, a.origins);
      ctx.set('Cache-Control', 'public, max-age=60');
      ctx.etag = a.etag;
      const seen = ctx.get('if-none-match').split(',').map((t) => t.trim().replace(/^W\//, ''));
      if (seen.includes(a.etag)) {
        ctx.status = 304;
        // Not null: the route layer would make an empty body a 204; Koa sends no body with a 304.
        ctx.body = '';
        return;
      }
      ctx.body = a.body;
    },
  });
  api.route({
    method: 'get',
    path: '/shops/:shopId/notices',
    tag,
    summary: "The shop's public notices page: current and past notices (?lang=en for English)",
    produces: { type: 'text/html', description: 'the page' },
    auth: 'public',
    params: shopIdParams,
    query: langQuery,
    errors: ['not_found'],
    handler: async ({ params, query, ctx }) => {
      const data = await noticesPageData(deps.db, params.shopId, query.lang, deps.logger);
      ctx.set('Cache-Control', 'public, max-age=60');
      ctx.type = 'html';
      ctx.body = render('pages/notices', { ...data, lang: query.lang, l: labels[query.lang], otherLang: query.lang === 'ja' ? 'en' : 'ja' });
    },
  });
}

export const embedFile = fileURLToPath(new URL('../../../templates/embed/notices.js', import.meta.url));

/**
 * Serves the one-tag notice embed at /notices.js for shops' pages on other origins. Registered
 * before helmet, as the chat widget is (server/core/widget.ts): helmet's
 * Cross-Origin-Resource-Policy would stop other origins from running it. Cached five minutes.
 */
export function serveNoticesEmbed(file = embedFile) {
  const source = readFileSync(file);
  const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 27)}"`;
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/notices.js' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.status = 200;
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.etag = etag;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = ctx.method === 'GET' ? source : null;
    ctx.length = source.length;
  };
}
