import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { requireRole } from '../../../core/actor.ts';
import { DomainError } from '../../../core/errors.ts';
import type { Redis } from '../../../core/redis.ts';
import type { Api } from '../../../core/route.ts';
import { SESSION_COOKIE, type CookieOptions } from '../../auth/auth.cookie.ts';
import { resolveSession, type AuthDeps } from '../../auth/auth.service.ts';
import { findMember } from '../../shops/shops.repository.ts';
import { shopIdParams } from '../../shops/shops.schema.ts';
import { storesLanding } from '../stores.routes.ts';
import { createConnection, type StoreDeps } from '../stores.service.ts';
import { baseApp } from './base.adapter.ts';
import { authorizeUrl, BASE_SCOPES, issueState, OAuthRefusal, readState, spendState, STATE_COOKIE, STATE_SECONDS, tokensForCode } from './base.oauth.ts';

export interface BaseRouteDeps {
  /** Core's dependencies (database, keyring, config, logger, fetch, poke). */
  stores: StoreDeps;
  redis: Redis;
  keyPrefix: string;
  authDeps: AuthDeps;
  cookie: CookieOptions;
}


const COOKIE_PATH = '/stores/base';

const callbackQuery = z.object({ code: z.string().min(1).max(512).optional(), state: z.string().max(1024).optional(), error: z.string().max(100).optional() });

/**
 * "Connect BASE" from the console's settings:
 * `GET /api/shops/:shopId/stores/base/install` (owner or staff) sends the browser to BASE's
 * authorize page; `GET /stores/base/callback` checks the state (signed, this browser, 10 min,
 * once), that the person who started is still signed in here and still owner or staff, exchanges
 * the code, asks BASE which shop it is (users/me), stores the connection through core, and sends
 * the browser to `/console/settings/stores?connected=base` (or `?error=<code>`).
 */
export function baseStoreRoutes(api: Api, router: Router, deps: BaseRouteDeps): void {
  const { config, keyring, logger, db } = deps.stores;
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/stores/base/install',
    tag: 'Stores',
    summary: 'Connect the shop’s BASE store (owner or staff): redirects to BASE’s authorize page; BASE sends the browser back to /stores/base/callback',
    description: 'Open it in the browser (a link, not a fetch): it sets a short-lived cookie the callback checks. 404 `not_found` with `details.reason: "not_configured"` when the deployment has no BASE app (BASE_CLIENT_ID / BASE_CLIENT_SECRET).',
    auth: 'session',
    params: shopIdParams,
    status: 302,
    errors: ['forbidden', 'not_found'],
    handler: async ({ actor, ctx }) => {
      requireRole(actor, 'owner', 'staff');
      const app = baseApp(config);
      if (!app) throw new DomainError('not_found', 'this deployment has no BASE app: set BASE_CLIENT_ID and BASE_CLIENT_SECRET', { reason: 'not_configured', say: { ja: 'この環境には BASE アプリが設定されていません。管理者に BASE_CLIENT_ID と BASE_CLIENT_SECRET の設定を依頼してください。', en: 'This deployment has no BASE app: ask the administrator to set BASE_CLIENT_ID and BASE_CLIENT_SECRET.' } });
      const { state, nonce } = issueState(keyring, actor.shopId, actor.userId);
      if (deps.cookie.secure) ctx.cookies.secure = true;
      ctx.cookies.set(STATE_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: COOKIE_PATH, maxAge: STATE_SECONDS * 1000 });
      ctx.redirect(authorizeUrl(app, state));
    },
  });

  router.get('/stores/base/callback', async (ctx: Context) => {
    const q = callbackQuery.safeParse(ctx.query);
    const nonce = ctx.cookies.get(STATE_COOKIE);
    if (deps.cookie.secure) ctx.cookies.secure = true;
    ctx.cookies.set(STATE_COOKIE, null, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: COOKIE_PATH });
    let shopId: string | undefined;
    // Where the browser lands after the round trip: the shop's store connections once its state is read.
    const settings = (query: string) => storesLanding(shopId, query);
    try {
      const app = baseApp(config);
      if (!app) throw new OAuthRefusal('not_configured', 'this deployment has no BASE app');
      if (!q.success) throw new OAuthRefusal('invalid_state', 'the callback query does not read');
      const claims = readState(keyring, q.data.state, nonce);
      shopId = claims.s;
      if (!(await spendState(deps.redis, deps.keyPrefix, claims.n))) throw new OAuthRefusal('reused_state', 'this connection link was already used');
      if (q.data.error) throw new OAuthRefusal('denied', `BASE says ${q.data.error}`);
      if (!q.data.code) throw new OAuthRefusal('base_refused', 'BASE sent no code');
      const principal = await resolveSession(deps.authDeps, ctx.cookies.get(SESSION_COOKIE)).catch(() => undefined);
      if (!principal) throw new OAuthRefusal('signed_out', 'the person who started is not signed in here');
      const member = principal.user.id === claims.u ? await findMember(db, claims.s, claims.u) : undefined;
      if (!member || (member.role !== 'owner' && member.role !== 'staff')) throw new OAuthRefusal('forbidden', 'only the owner or staff who started may finish connecting BASE');
      const { tokens, account } = await tokensForCode(app, deps.stores.fetch ?? fetch, q.data.code);
      await createConnection(deps.stores, {
        shopId: claims.s,
        platform: 'base',
        account: account.shopId,
        accountName: account.shopName,
        via: 'oauth',
        access: tokens.access,
        refresh: tokens.refresh,
        expiresAt: tokens.expiresAt,
        scopes: [...BASE_SCOPES],
        actor: { kind: 'user', shopId: claims.s, userId: claims.u, name: member.name, role: member.role },
        requestId: String(ctx.state.requestId ?? ''),
      });
      ctx.redirect(settings('connected=base'));
    } catch (e) {
      if (!(e instanceof OAuthRefusal)) {
        logger.error({ module: 'stores-base', err: e }, 'BASE connection failed');
        return ctx.redirect(settings('error=error'));
      }
      logger.warn({ module: 'stores-base', reason: e.code, why: e.message }, 'BASE connection refused');
      ctx.redirect(settings(`error=${e.code}`));
    }
  });
}
