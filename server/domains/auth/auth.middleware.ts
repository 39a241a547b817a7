import type { Context, Middleware, Next } from 'koa';
import type { Actor } from '../../core/actor.ts';
import { DomainError } from '../../core/errors.ts';
import type { AuthMode } from '../../core/route.ts';
import { authenticateApiKey } from '../apikeys/apikeys.service.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { SESSION_COOKIE } from './auth.cookie.ts';
import { setSessionCookie, type CookieOptions } from './auth.cookie.ts';
import type { AlongSession } from './auth.repository.ts';
import { checkCsrf, resolveSession, type AuthDeps } from './auth.service.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const shopIdOnly = shopIdParams.pick({ shopId: true });
const badShopId = () => new DomainError('invalid_input', 'path is not valid', [{ in: 'path', path: 'shopId', message: 'expected a shop id (UUID)' }]);

/** The shop's id from the path, or undefined when malformed. */
const parsedShopId = (ctx: Context): string | undefined => {
  const r = shopIdOnly.safeParse({ shopId: ctx.params?.shopId });
  return r.success ? r.data.shopId : undefined;
};

/** The shop's id from the path; malformed → 400, and a shop the caller is not in → 404, never 403. */
function pathShopId(ctx: Context): string {
  const shopId = parsedShopId(ctx);
  if (shopId === undefined) throw badShopId();
  return shopId;
}

const shopNotFound = () => new DomainError('not_found', 'shop not found');

/**
 * Authenticates by the route's mode: an API key in `Authorization: Bearer`, or the console's
 * session cookie (whose writes need the CSRF header). On shop-scoped routes it then sets
 * `ctx.state.actor` to the caller's role in that shop, and with `along`, the principal's
 * `along` to what the route read in the session's statement (undefined with an API key); on
 * other routes too, where `along` tells from the query which shop it reads for (shopOf).
 */
export function authenticator(deps: AuthDeps, cookie: CookieOptions) {
  return (mode: AuthMode, shopScoped: boolean, along?: AlongSession<unknown>): Middleware =>
    async (ctx: Context, next: Next) => {
      const auth = ctx.get('authorization');
      if (auth) {
        if (mode === 'session') throw new DomainError('unauthenticated', 'this route is for signed-in console users, not API keys');
        const m = /^Bearer\s+(\S+)$/i.exec(auth);
        if (!m) throw new DomainError('unauthenticated', 'send the API key as "Authorization: Bearer mdg_…"');
        const actor = await authenticateApiKey(deps.db, m[1]!);
        if (shopScoped && pathShopId(ctx) !== actor.shopId) throw shopNotFound();
        ctx.state.actor = actor;
        return next();
      }
      if (mode === 'apiKey') throw new DomainError('unauthenticated', 'send the shop API key as "Authorization: Bearer mdg_…"');
      const token = ctx.cookies.get(SESSION_COOKIE);
      // The session, the person and their role in the path's shop come in one read, as of now.
      const shopId = shopScoped ? parsedShopId(ctx) : undefined;
      // A route of no shop may still read with the session: all my shops, for the shop its query asks for or none.
      const principal = await resolveSession(deps, token, shopScoped ? shopId : along?.shopOf?.(ctx.query), along);
      if (!SAFE.has(ctx.method)) checkCsrf(principal, ctx.get('x-csrf-token') || undefined);
      if (principal.slid) setSessionCookie(ctx, cookie, token!, principal.expiresAt);
      ctx.state.principal = principal;
      if (shopScoped) {
        if (shopId === undefined) throw badShopId();
        if (!principal.role) throw shopNotFound();
        ctx.state.actor = { kind: 'user', shopId, userId: principal.user.id, name: principal.user.name, role: principal.role } satisfies Actor;
      }
      return next();
    };
}
