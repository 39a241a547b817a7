import type { App, AppDeps } from '../../server/app.ts';
import { startService, type Service } from '../../server/service.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { BackupRunner } from '../../server/core/backup/backup.runner.ts';
import type { Database } from '../../server/core/db/client.ts';
import { createLogger } from '../../server/core/logger.ts';
import { createMailer } from '../../server/core/mail.ts';
import type { SocketLimits } from '../../server/core/realtime.ts';
import type { SignInLimits } from '../../server/domains/auth/auth.limits.ts';
import type { PortalLimits } from '../../server/domains/returns/returns.portal.auth.ts';
import type { InviteLimits } from '../../server/domains/invitations/invitations.limits.ts';
import type { TxtResolver } from '../../server/domains/maillog/maillog.dns.ts';
import { testDatabase } from './db.ts';
import { redisPrefix, type DbKind } from './env.ts';
import { testRedis } from './redis.ts';
import { smtpSink, type SmtpSink } from './smtp.ts';

let servers = 0;

/** The secrets key of test servers (SECRETS_KEYS), so none is generated into ./data; a test may pass its own. */
export const testSecretsKeys = `test1:${Buffer.alloc(32, 42).toString('base64')}`;

export interface TestServer {
  url: string;
  app: App;
  service: Service;
  database: Database;
  config: Config;
  /** Mail the app sent, received by a real SMTP server. */
  smtp: SmtpSink;
  close(): Promise<void>;
}

/**
 * The real app on port 0 against a real database of the kind and the real Redis, with its
 * outbox dispatcher and job worker running (pass config JOBS=off to leave them out). Sign-in
 * limits are loose unless a test asks otherwise, since every test signs in from 127.0.0.1.
 */
export async function startServer(
  kind: DbKind,
  opts: { config?: Record<string, string>; signInLimits?: Partial<SignInLimits>; inviteLimits?: Partial<InviteLimits>; portalLimits?: Partial<PortalLimits>; socketLimits?: Partial<SocketLimits>; socketRefreshMs?: number; widgetSessionsPerAddress?: number; widgetConfigsPerAddress?: number; database?: Database; logTo?: NodeJS.WritableStream; smtpUrl?: string; notices?: AppDeps['notices']; backups?: (database: Database, config: Config) => BackupRunner; dnsResolver?: TxtResolver; retryDelayMs?: number } = {},
): Promise<TestServer> {
  // Each server gets its own key space under the run's prefix, so limits do not leak between suites.
  const keyPrefix = `${redisPrefix}${kind}${++servers}:`;
  // The platforms' APIs at a closed local port unless a test points them at its stand-in: no test reaches the network.
  const offline = { SHOPIFY_API_URL: 'http://127.0.0.1:9/{shop}', BASE_API_URL: 'http://127.0.0.1:9/' };
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', REDIS_KEY_PREFIX: keyPrefix, SEED_DEMO: 'false', SECRETS_KEYS: testSecretsKeys, ...offline, ...opts.config });
  const database = opts.database ?? (await testDatabase(kind));
  const logger = opts.logTo ? createLogger('debug', opts.logTo) : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const smtp = await smtpSink();
  const mailer = createMailer({ smtpUrl: opts.smtpUrl ?? smtp.url, from: config.MAIL_FROM, outboxDir: '/nonexistent' }, logger);
  const service = await startService(
    {
      config,
      database,
      redis: testRedis(),
      logger,
      mailer,
      version: 'test',
      signInLimits: { perAddress: 100_000, perAccount: 1_000, ...opts.signInLimits },
      inviteLimits: { perShopPerHour: 10_000, perRecipientPerHour: 1_000, ...opts.inviteLimits },
      portalLimits: { lookupsPerAddressPerHour: 10_000, lookupsPerOrderPerHour: 1_000, ...opts.portalLimits },
      socketLimits: opts.socketLimits,
      socketRefreshMs: opts.socketRefreshMs,
      widgetSessionsPerAddress: opts.widgetSessionsPerAddress ?? 100_000,
      widgetConfigsPerAddress: opts.widgetConfigsPerAddress ?? 100_000,
      // The queue's default first wait, for the listeners' policies too (a customer mail's is 30 s); shorter for a suite that waits out the retries.
      retryDelayMs: opts.retryDelayMs ?? 5000,
      backups: opts.backups?.(database, config),
      notices: opts.notices,
      dnsResolver: opts.dnsResolver,
    },
    { port: 0, host: '127.0.0.1', graceMs: 1000 },
  );
  const { app, port } = service;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    service,
    database,
    config,
    smtp,
    close: async () => {
      service.server.closeAllConnections();
      // The service closes its job worker (JOBS=inline, the default) before the mailer it sends with goes.
      await service.close();
      mailer.close();
      if (!opts.database) await database.close();
    },
  };
}
