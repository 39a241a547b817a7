import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Db } from '../../core/db/client.ts';
import { htmlErrorPages } from '../../core/pages.ts';
import { render } from '../../core/templates.ts';
import { maskEmail } from '../orders/orders.mask.ts';
import { findShop } from '../shops/shops.repository.ts';
import { unsubscribe, unsubscribeTarget } from './maillog.inbound.ts';

export const UNSUBSCRIBE_PATH = '/unsubscribe/:token';

/**
 * The links in bulk mail's List-Unsubscribe (RFC 8058). GET shows a page with a button and
 * changes nothing: mail scanners and link previews follow every GET. POST unsubscribes: the
 * mail provider's one-click (`List-Unsubscribe=One-Click`, no cookies, no CSRF token: the
 * signed link is the credential) and the page's button alike. The address is shown masked:
 * whoever holds a forwarded mail holds the link too.
 */
export function unsubscribeRoutes(router: Router, deps: { db: Db }): void {
  router.use('/unsubscribe/:token', htmlErrorPages());
  const token = (ctx: Context) => String(ctx.params.token ?? '').slice(0, 80);
  const show = async (ctx: Context, row: { shopId: string; recipient: string }, done: boolean) => {
    const shop = await findShop(deps.db, row.shopId);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'html';
    ctx.body = render('pages/unsubscribe', { done, shopName: shop?.name ?? '', address: maskEmail(row.recipient), action: ctx.path });
  };
  router.get(UNSUBSCRIBE_PATH, async (ctx) => {
    await show(ctx, await unsubscribeTarget(deps.db, token(ctx)), false);
  });
  router.post(UNSUBSCRIBE_PATH, async (ctx) => {
    // The body (List-Unsubscribe=One-Click) is not read: the POST itself is the request.
    // A browser's form post carries Origin; a mail provider's one-click does not.
    const u = await unsubscribe(deps.db, token(ctx), ctx.get('origin') ? 'page' : 'one-click');
    await show(ctx, u, true);
  });
}
