import type { Context, Middleware, Next } from 'koa';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { resolveCustomer } from './widget.service.ts';

/**
 * The `widget` auth mode: the customer behind `Authorization: Bearer <chat session token>`,
 * in the path's shop only, handed to the route as `customer`. Like the console's modes it
 * runs before the route reads the body, so a caller without a session is refused before it
 * can make us take megabytes.
 */
export function widgetAuthenticator(db: Db): Middleware {
  return async (ctx: Context, next: Next) => {
    const shop = shopIdParams.pick({ shopId: true }).safeParse({ shopId: ctx.params?.shopId });
    if (!shop.success) throw new DomainError('invalid_input', 'path is not valid', [{ in: 'path', path: 'shopId', message: 'expected a shop id (UUID)' }]);
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    if (!m) throw new DomainError('unauthenticated', 'send the chat session token as "Authorization: Bearer <token>"');
    ctx.state.customer = await resolveCustomer(db, shop.data.shopId, m[1]!);
    await next();
  };
}
