import { METHODS } from 'node:http';
import { IndexedRouter } from './core/router.ts';
import cors from '@koa/cors';
import Koa from 'koa';
import helmet from 'koa-helmet';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { publicUrl, type Config } from './config.ts';
import { serveConsole } from './core/console.ts';
import { serveWidget } from './core/widget.ts';
import type { Database } from './core/db/client.ts';
import { DomainBus } from './core/bus.ts';
import type { SocketLimits } from './core/realtime.ts';
import { errorHandler, requestContext } from './core/http.ts';
import type { Logger } from './core/logger.ts';
import type { Mailer } from './core/mail.ts';
import type { Redis } from './core/redis.ts';
import { Api } from './core/route.ts';
import { apiKeyRoutes } from './domains/apikeys/apikeys.routes.ts';
import { auditRoutes } from './domains/audit/audit.routes.ts';
import { attachmentRoutes } from './domains/attachments/attachments.routes.ts';
import { localFileStorage } from './core/storage.ts';
import { widgetAuthenticator } from './domains/conversations/widget.auth.ts';
import { createSignInLimiter, type SignInLimits } from './domains/auth/auth.limits.ts';
import { authenticator } from './domains/auth/auth.middleware.ts';
import { authRoutes } from './domains/auth/auth.routes.ts';
import type { AuthDeps } from './domains/auth/auth.service.ts';
import { createInviteLimiter, defaultInviteLimits, type InviteLimits } from './domains/invitations/invitations.limits.ts';
import { invitationRoutes } from './domains/invitations/invitations.routes.ts';
import { conversationRoutes } from './domains/conversations/conversations.routes.ts';
import { conversationEmailRoutes } from './domains/conversations/conversations.email.routes.ts';
import { inboundEmailConfig } from './domains/conversations/conversations.email.ts';
import type { ChatDeps } from './domains/conversations/conversations.service.ts';
import { writerMetrics } from './domains/conversations/conversations.write.metrics.ts';
import { createMessageWriter } from './domains/conversations/conversations.writer.ts';
import { assignWaiting } from './domains/conversations/conversations.assign.ts';
import { PresenceStore } from './domains/conversations/presence.ts';
import { inboxPageCache } from './domains/conversations/conversations.pagecache.metrics.ts';
import { orderRoutes } from './domains/orders/orders.routes.ts';
import { cannedRoutes } from './domains/canned/canned.routes.ts';
import { noticeTemplateRoutes } from './domains/notices/notices.templates.routes.ts';
import { csatRoutes } from './domains/csat/csat.routes.ts';
import { slackAlertRoutes } from './domains/slack/slack.alerts.routes.ts';
import { workLogRoutes } from './domains/worklog/worklog.routes.ts';
import { slaRoutes } from './domains/sla/sla.routes.ts';
import { allowedOrigin, PUBLIC_SHOP_PREFIX, publicShopRoutes } from './domains/shops/shops.public.ts';
import { setupRoutes } from './domains/setup/setup.routes.ts';
import { shopRoutes } from './domains/shops/shops.routes.ts';
import { systemRoutes } from './domains/system/system.routes.ts';
import { backupRoutes } from './domains/system/backup.routes.ts';
import { backupsDir, type BackupRunner } from './core/backup/backup.runner.ts';
import { returnRoutes, returnTermsRoutes } from './domains/returns/returns.routes.ts';
import { portalNotFoundPage, returnPortalRoutes } from './domains/returns/returns.portal.routes.ts';
import { defaultPortalLimits, type PortalLimits } from './domains/returns/returns.portal.auth.ts';
import type { EventSink } from './events/commit.ts';
import type { BulkOptions } from './domains/notices/notices.send.ts';
import { noticeCampaignRoutes } from './domains/notices/notices.campaigns.routes.ts';
import { publicNoticeRoutes, serveNoticesEmbed } from './domains/notices/notices.public.routes.ts';
import { Resolver } from 'node:dns/promises';
import { dkimFromConfig, mailDomainOf } from './core/mail.ts';
import type { TxtResolver } from './domains/maillog/maillog.dns.ts';
import { mailLogRoutes } from './domains/maillog/maillog.routes.ts';
import { unsubscribeRoutes } from './domains/maillog/maillog.unsubscribe.routes.ts';
import { listenerTiming } from './events/subscriptions.ts';
import { loadKeyring, type Keyring } from './core/sealed.ts';
import type { SlackDeps } from './domains/slack/slack.client.ts';
import { slackConnectRoutes } from './domains/slack/slack.connect.routes.ts';
import { slackOAuthRoutes } from './domains/slack/slack.oauth.ts';
import { slackRoutes } from '../bots/slack/app.ts';
import { slackPeopleRoutes } from './domains/slack/slack.people.routes.ts';
import { storeRoutes } from './domains/stores/stores.routes.ts';
import { shopifyRoutes } from './domains/stores/shopify/shopify.routes.ts';
import type { StoreDeps } from './domains/stores/stores.service.ts';
import { baseStoreRoutes } from './domains/stores/base/base.routes.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  redis: Redis;
  logger: Logger;
  mailer: Mailer;
  version: string;
  signInLimits?: Partial<SignInLimits>;
  inviteLimits?: Partial<InviteLimits>;
  portalLimits?: Partial<PortalLimits>;
  /** New widget sessions per client address per 10 min (tests start many from 127.0.0.1). */
  widgetSessionsPerAddress?: number;
  /** Widget config reads per client address per minute (tests load many pages from 127.0.0.1). */
  widgetConfigsPerAddress?: number;
  /** Per-connection socket event limits (tests loosen them for bursts). */
  socketLimits?: Partial<SocketLimits>;
  /** How often a console connection re-checks its session and membership (default 20 s; tests shorten it). */
  socketRefreshMs?: number;
  /** Domain events for live updates; server/service.ts shares one with the sockets. */
  bus?: DomainBus;
  /** Wakes the outbox dispatcher after a commit that enqueued; without it, the next poll picks the rows up. */
  poke?: () => void;
  /** Backups this process takes itself (embedded database; server/service.ts makes it). */
  backups?: BackupRunner;
  /** The first retry wait of every job, listeners' included, for JOBS=inline (tests shorten it; see JobsDeps in server/worker.ts). */
  retryDelayMs?: number;
  /** The bulk notice queue's pace for JOBS=inline (tests shorten its sweep and locks; see server/domains/notices/notices.send.ts). */
  notices?: Omit<BulkOptions, 'keyPrefix'>;
  /** DNS for the mail settings' SPF/DKIM/DMARC check (default: node:dns/promises; tests pass a fake). */
  dnsResolver?: TxtResolver;
  /** The keys that seal stored secrets (Slack tokens); server/service.ts loads it once with loadKeyring(config). */
  keyring?: Keyring;
}

export const defaultSignInLimits: SignInLimits = { perAccount: 5, perAddress: 30, windowSeconds: 15 * 60 };

/** Builds the Koa app from its dependencies; it never listens (server/main.ts does). */
export function createApp(deps: AppDeps) {
  const { config, database, redis, logger } = deps;
  const db = database.db;
  const bus = deps.bus ?? new DomainBus(logger);
  // Behind one trusted proxy: the client address is the entry that proxy appended, not the
  // leftmost one, which the client writes itself.
  const app = new Koa({ proxy: config.TRUST_PROXY, maxIpsCount: 1 });
  // Koa prints stream errors after the response began to stderr by default. A client that goes
  // away mid-download (a page navigating on) is not an error of ours; anything else is logged.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    logger.error({ err }, 'response stream failed');
  });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });

  const authDeps: AuthDeps = {
    db,
    limiter: createSignInLimiter(redis, config.REDIS_KEY_PREFIX, { ...defaultSignInLimits, ...deps.signInLimits }),
    sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000,
    bus,
  };

  const cookie = { secure: config.COOKIE_SECURE ?? config.PUBLIC_URL?.startsWith('https:') ?? false };
  // Every method Node parses counts as known, so one no route takes (PROPFIND, PURGE…) is a
  // 405 with Allow like any other wrong method, not the router's bodiless 501; CONNECT never
  // reaches the app.
  const router = new IndexedRouter({ methods: METHODS.filter((m) => m !== 'CONNECT') });
  const consoleAuth = authenticator(authDeps, cookie);
  const widgetAuth = widgetAuthenticator(db);
  const api = new Api(router, {
    jsonLimitKb: config.BODY_LIMIT_KB,
    rawLimitMb: config.IMPORT_LIMIT_MB,
    // The widget's customers authenticate by their chat session; everyone else as a person or a key.
    authenticate: (mode, shopScoped, along) => (mode === 'widget' ? widgetAuth : consoleAuth(mode, shopScoped, along)),
  });
  const poke = deps.poke ?? (() => undefined);
  const timing = listenerTiming(config);
  // Where committed changes go on: their outbox rows to the queue now, their events to the sockets.
  const sink: EventSink = { poke, bus, logger, timing };
  const chat: ChatDeps = {
    db,
    bus,
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    presence: new PresenceStore(redis, config.REDIS_KEY_PREFIX),
    poke,
    timing,
    logger,
    pages: inboxPageCache(config, metrics),
    // A second batch in flight on PostgreSQL only beside a slow one (the writer's patience: a
    // lock, a slow commit), and under load, once none is in flight, a new batch at most every
    // CHAT_GATHER_MS: bench/chat.ts on 2 cores, README "How a message is written".
    writer: createMessageWriter({ db, poke, bus, logger, timing, assign: (shopId) => assignWaiting(chat, shopId), observe: writerMetrics(metrics) }, { concurrency: database.kind === 'postgres' ? 2 : 1, gatherMs: config.CHAT_GATHER_MS }),
  };
  authRoutes(api, authDeps, cookie);
  shopRoutes(api, chat);
  const invitations = {
    db,
    poke: deps.poke,
    baseUrl: publicUrl(config),
    limit: createInviteLimiter(redis, config.REDIS_KEY_PREFIX, { ...defaultInviteLimits, ...deps.inviteLimits }),
  };
  invitationRoutes(api, invitations, authDeps, cookie);
  apiKeyRoutes(api, db);
  setupRoutes(api, db);
  orderRoutes(api, db, chat.pages);
  conversationRoutes(api, chat, deps.widgetSessionsPerAddress);
  conversationEmailRoutes(api, chat, inboundEmailConfig(config));
  cannedRoutes(api, db);
  noticeTemplateRoutes(api, db);
  csatRoutes(api, { db, sink });
  slackAlertRoutes(api, chat);
  workLogRoutes(api, db);
  slaRoutes(api, db);
  auditRoutes(api, db);
  backupRoutes(api, {
    db,
    database: database.kind,
    backupsDir: backupsDir(config.DATA_DIR),
    runner: deps.backups,
    nightly: { enabled: config.BACKUP_NIGHTLY, hour: config.BACKUP_HOUR, keepDaily: config.BACKUP_KEEP_DAILY, keepWeekly: config.BACKUP_KEEP_WEEKLY },
  });
  const storage = localFileStorage(config.DATA_DIR);
  attachmentRoutes(api, { db, storage, limitBytes: Math.floor(config.ATTACHMENT_LIMIT_MB * 1024 * 1024) });
  publicShopRoutes(api, { db, redis, keyPrefix: config.REDIS_KEY_PREFIX, widgetConfigsPerAddress: deps.widgetConfigsPerAddress, mailDomain: mailDomainOf(config.MAIL_FROM) });
  returnTermsRoutes(api, db);
  noticeCampaignRoutes(api, { db, sink });
  publicNoticeRoutes(api, { db, bus, logger });
  returnRoutes(api, { db, storage, sink, pages: chat.pages });
  const inbound = inboundEmailConfig(config);
  mailLogRoutes(api, {
    db,
    setup: { mailDomain: mailDomainOf(config.MAIL_FROM), returnPathDomain: inbound?.domain, dkim: dkimFromConfig(config) },
    resolver: deps.dnsResolver ?? new Resolver({ timeout: 3000, tries: 2 }),
  });
  const slack: SlackDeps = { db, keyring: deps.keyring ?? loadKeyring(config), apiUrl: config.SLACK_API_URL };
  const oauthEnabled = slackOAuthRoutes(router, { ...slack, config, redirectUri: `${publicUrl(config)}/slack/oauth_redirect`, logger, authDeps, sessionAuth: consoleAuth('session', false) });
  slackConnectRoutes(api, { ...slack, logger, oauthEnabled });
  unsubscribeRoutes(router, { db });
  returnPortalRoutes(router, { db, redis, storage, mailDomain: mailDomainOf(config.MAIL_FROM), inboundDomain: inbound?.domain, keyPrefix: config.REDIS_KEY_PREFIX, poke, sink, cookie, limits: { ...defaultPortalLimits, ...deps.portalLimits } });
  // Slack's requests are read raw by the receiver (their signature is over the exact bytes).
  slackRoutes(router, { ...slack, logger, chat, sink, publicUrl: publicUrl(config), signingSecret: config.SLACK_SIGNING_SECRET });
  slackPeopleRoutes(api, slack);
  const stores: StoreDeps = { db, keyring: slack.keyring, config, logger, poke };
  storeRoutes(api, stores);
  // store platforms
  shopifyRoutes(api, router, { ...stores, authDeps, cookie });
  baseStoreRoutes(api, router, { stores, redis, keyPrefix: config.REDIS_KEY_PREFIX, authDeps, cookie });
  systemRoutes(router, { database, redis, metrics, specs: api.specs, version: deps.version });
  router.get('/', (ctx) => ctx.redirect('/console/'));

  app.use(requestContext(logger, duration));
  app.use(errorHandler());
  // Before helmet: shop pages on other origins load this script (see server/core/widget.ts).
  app.use(serveWidget());
  // The one-tag notice embed, for the same reason (server/domains/notices/notices.public.routes.ts).
  app.use(serveNoticesEmbed());
  // HTTPS-only headers only when we are served over HTTPS: on a plain-http LAN address they
  // would make browsers fetch the console's assets over https and fail.
  const https = config.PUBLIC_URL?.startsWith('https:') ?? false;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  // CORS only on the public shop routes, and only for the origins that shop lists.
  const corsMw = cors({ origin: (ctx) => allowedOrigin(db, ctx), allowMethods: ['GET', 'POST'], maxAge: 600 });
  app.use(async (ctx, next) => (ctx.path.startsWith(PUBLIC_SHOP_PREFIX) ? corsMw(ctx, next) : next()));
  app.use(serveConsole());
  app.use(portalNotFoundPage());
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));

  return Object.assign(app, { specs: api.specs, metrics, bus, authDeps, cookie, chat, sink, slack, stores });
}

export type App = ReturnType<typeof createApp>;
