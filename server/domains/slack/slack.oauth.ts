import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import type Router from '@koa/router';
import slackOAuth, { type Installation, type InstallationQuery, type InstallationStore, type Logger as SlackLogger } from '@slack/oauth';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { unseal, type Keyring } from '../../core/sealed.ts';
import { SESSION_COOKIE } from '../auth/auth.cookie.ts';
import { resolveSession, type AuthDeps } from '../auth/auth.service.ts';
import { slackProblem, tokenAad, type SlackDeps, clientOptions } from './slack.client.ts';
import { breakConnectionsOfTeam, memberActor, oauthConnectionOfTeam } from './slack.connect.repository.ts';
import { saveShopConnection } from './slack.connect.service.ts';

/**
 * The bot scopes "Add to Slack" asks for; bots/slack/manifest.yml lists the same. The two history
 * scopes come with the message.channels / message.groups events (replies in a question's thread).
 */
export const slackBotScopes = ['chat:write', 'commands', 'users:read', 'users:read.email', 'channels:read', 'groups:read', 'channels:join', 'im:write', 'channels:history', 'groups:history'] as const;

/** How long an install started in the console may take to come back (Slack's own default). */
const STATE_SECONDS = 600;

/**
 * The key the OAuth state is signed with, derived from the secrets keyring (so every process of
 * the deployment agrees without one more setting); a state from another deployment, or one
 * edited on the way, does not verify.
 */
export const oauthStateSecret = (keyring: Keyring) => createHmac('sha256', keyring.current.key).update('slack-oauth-state').digest('base64url');

// A CommonJS package whose exports Node cannot list for an ESM import: taken from its default.
const { ClearStateStore, InstallProvider, LogLevel } = slackOAuth;

/** Who started the install, carried in the signed state: the shop it is for and the owner who asked. */
const installMeta = z.object({ shopId: z.uuid(), userId: z.uuid() });

const requestIds = new AsyncLocalStorage<string>();

/** Bolt's logger interface over ours; its debug lines (URLs with states) are left out. */
function slackLogger(logger: Logger): SlackLogger {
  const text = (msgs: unknown[]) => msgs.filter((m) => !(m instanceof Error)).map(String).join(' ').slice(0, 300);
  const err = (msgs: unknown[]) => msgs.find((m) => m instanceof Error);
  return {
    debug: () => undefined,
    info: (...msgs) => logger.info({ module: 'slack-oauth' }, text(msgs)),
    warn: (...msgs) => logger.warn({ module: 'slack-oauth', err: err(msgs) }, text(msgs)),
    // The installer logs every failed callback as an error; a forged state or a cancelled install is a refusal, not our fault.
    error: (...msgs) => logger.warn({ module: 'slack-oauth', err: err(msgs) }, text(msgs) || 'install refused'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * The installations of "Add to Slack", kept in slack_connections: one per shop, the shop named
 * by the signed state the install started with (a workspace may serve several shops, each its
 * own row). The bot token is sealed, bound to the shop.
 */
export function pgInstallationStore(deps: SlackDeps): InstallationStore {
  return {
    async storeInstallation(installation) {
      const meta = installMeta.safeParse(parseJson(installation.metadata));
      if (!meta.success) throw new DomainError('invalid_input', 'the install did not say which shop it is for', { reason: 'invalid_state' });
      if (installation.isEnterpriseInstall || !installation.team?.id) throw new DomainError('invalid_input', 'install the app in one workspace, not for a whole organisation', { reason: 'enterprise_install' });
      const bot = installation.bot;
      if (!bot?.token || !bot.userId) throw new DomainError('invalid_input', 'the install gave no bot token', { reason: 'no_bot' });
      const actor = await memberActor(deps.db, meta.data.shopId, meta.data.userId);
      if (actor?.role !== 'owner') throw new DomainError('forbidden', 'only an owner of the shop may connect Slack', { reason: 'forbidden' });
      await saveShopConnection(
        deps,
        actor,
        {
          teamId: installation.team.id,
          teamName: installation.team.name ?? null,
          enterpriseId: installation.enterprise?.id ?? null,
          appId: installation.appId ?? null,
          botUserId: bot.userId,
          botId: bot.id ?? null,
          via: 'oauth',
          botToken: bot.token,
          signingSecret: null,
          scopes: bot.scopes ?? [],
        },
        requestIds.getStore(),
      );
    },
    // A workspace serves possibly several shops with the one bot of the deployment's app; any working row has its token.
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const row = query.teamId ? await oauthConnectionOfTeam(deps.db, query.teamId) : undefined;
      if (!row) throw new Error(`no installation for team ${query.teamId ?? '(none)'}`);
      return {
        team: { id: row.teamId, ...(row.teamName ? { name: row.teamName } : {}) },
        enterprise: row.enterpriseId ? { id: row.enterpriseId } : undefined,
        user: { id: '', token: undefined, scopes: undefined },
        bot: { token: unseal(deps.keyring, row.botTokenSealed, tokenAad(row.shopId)), userId: row.botUserId, id: row.botId ?? '', scopes: row.scopes },
        ...(row.appId ? { appId: row.appId } : {}),
        isEnterpriseInstall: false,
        authVersion: 'v2',
      } satisfies Installation<'v2', false>;
    },
    // Slack's app_uninstalled / tokens_revoked: the shops it served show a broken connection with a reconnect action.
    async deleteInstallation(query: InstallationQuery<boolean>) {
      if (query.teamId) await breakConnectionsOfTeam(deps.db, query.teamId, ['oauth'], 'app_uninstalled');
    },
  };
}

const parseJson = (s: string | undefined): unknown => {
  try {
    return s ? JSON.parse(s) : undefined;
  } catch {
    return undefined;
  }
};

/** Why an install came back without a connection, as the console's `?slack=error&reason=`. */
function reasonOf(e: unknown): string {
  const reason = (e as { details?: { reason?: unknown } })?.details?.reason;
  if (typeof reason === 'string') return reason;
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code === 'slack_oauth_invalid_state' || code === 'slack_oauth_missing_state') return 'invalid_state';
  if (code === 'slack_oauth_missing_code') return 'missing_code';
  if (code === 'slack_oauth_installer_authorization_error') return 'access_denied';
  if (code.startsWith('slack_webapi_')) {
    const p = slackProblem(e);
    return p.kind === 'unavailable' || p.kind === 'rate_limited' ? 'slack_unavailable' : p.code.replace(/[^\w]/g, '').slice(0, 40);
  }
  return 'error';
}

export interface SlackOAuthDeps extends SlackDeps {
  config: { SLACK_CLIENT_ID?: string | undefined; SLACK_CLIENT_SECRET?: string | undefined; PUBLIC_URL?: string | undefined };
  /** Where Slack sends the installer back (PUBLIC_URL + /slack/oauth_redirect). */
  redirectUri: string;
  logger: Logger;
  authDeps: AuthDeps;
  /** The console's session authentication (for /slack/install). */
  sessionAuth: Middleware;
}

/**
 * "Add to Slack" through Bolt's InstallProvider: `GET /slack/install?shop=<id>` (a signed-in
 * owner) redirects to Slack's authorize page with a state signed for that shop and person and
 * bound to the browser by a cookie; `GET /slack/oauth_redirect` checks the state, that the same
 * person is signed in and still an owner, exchanges the code (oauth.v2.access), stores the
 * installation for the shop, and sends the browser to the console's settings with
 * `?slack=connected` or `?slack=error&reason=…`. Nothing is mounted when the deployment has no
 * Slack app (SLACK_CLIENT_ID unset).
 */
export function slackOAuthRoutes(router: Router, deps: SlackOAuthDeps): boolean {
  const { SLACK_CLIENT_ID: clientId, SLACK_CLIENT_SECRET: clientSecret } = deps.config;
  if (!clientId || !clientSecret) return false;
  const installer = new InstallProvider({
    clientId,
    clientSecret,
    stateStore: new ClearStateStore(oauthStateSecret(deps.keyring), STATE_SECONDS),
    stateCookieExpirationSeconds: STATE_SECONDS,
    installationStore: pgInstallationStore(deps),
    directInstall: true,
    logger: slackLogger(deps.logger),
    // The Web API client the installer exchanges the code with: our API URL, no silent retries.
    clientOptions: clientOptions(deps.apiUrl),
  });
  const settings = (query: string) => `/console/settings?${query}`;

  router.get('/slack/install', deps.sessionAuth, async (ctx: Context) => {
    const shop = z.uuid().safeParse(ctx.query.shop);
    if (!shop.success) throw new DomainError('invalid_input', 'query is not valid', [{ in: 'query', path: 'shop', message: 'expected a shop id (UUID)', ja: 'ショップの ID が正しくありません。' }]);
    const userId = (ctx.state.principal as { user: { id: string } }).user.id;
    const actor = await memberActor(deps.db, shop.data, userId);
    // Not a member: as everywhere, the shop is not found; a member who is not the owner: forbidden.
    if (!actor) throw new DomainError('not_found', 'shop not found');
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'only an owner may connect Slack', { say: { ja: 'Slack の接続はオーナーだけが行えます。', en: 'Only an owner may connect Slack.' } });
    ctx.respond = false;
    await installer.handleInstallPath(ctx.req, ctx.res, {}, { scopes: [...slackBotScopes], redirectUri: deps.redirectUri, metadata: JSON.stringify({ shopId: shop.data, userId }) });
  });

  router.get('/slack/oauth_redirect', async (ctx: Context) => {
    await requestIds.run(String(ctx.state.requestId ?? ''), () =>
      installer.handleCallback(ctx.req, ctx.res, {
        // Before the code is exchanged: the person who started the install is the one signed in here, and still an owner.
        beforeInstallation: async (options) => {
          const meta = installMeta.safeParse(parseJson(options.metadata));
          const principal = await resolveSession(deps.authDeps, ctx.cookies.get(SESSION_COOKIE)).catch(() => undefined);
          const actor = meta.success ? await memberActor(deps.db, meta.data.shopId, meta.data.userId) : undefined;
          const refusal = !meta.success ? 'invalid_state' : !principal ? 'signed_out' : principal.user.id !== meta.data.userId || actor?.role !== 'owner' ? 'forbidden' : undefined;
          if (!refusal) return true;
          deps.logger.warn({ module: 'slack-oauth', reason: refusal }, 'slack install refused');
          ctx.redirect(settings(`slack=error&reason=${refusal}`));
          return false;
        },
        successAsync: async () => ctx.redirect(settings('slack=connected')),
        failureAsync: async (e) => ctx.redirect(settings(`slack=error&reason=${reasonOf(e)}`)),
      }),
    );
  });
  return true;
}
