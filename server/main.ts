import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, publicUrl, type Config } from './config.ts';
import { DatabaseLockedError, openConfiguredDatabase, type Database } from './core/db/client.ts';
import { createLogger, serializeError } from './core/logger.ts';
import { mailerFromConfig } from './core/mail.ts';
import { guardProcess } from './core/process.ts';
import { connectRedis, RedisUnavailableError, resolveRedis, watchRedis } from './core/redis.ts';
import { seedDemo, printDemo } from './demo.ts';
import { startService } from './service.ts';
import { scheduleNightly } from './core/backup/backup.nightly.ts';
import { loadKeyring, type Keyring } from './core/sealed.ts';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Problems a person can fix get one line on stderr, not a stack trace. */
function fatal(message: string): never {
  process.stderr.write(`madoguchi: ${message}\n`);
  process.exit(1);
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fatal(e.message);
    throw e;
  }
  let keyring: Keyring;
  try {
    // Once, before anything is opened: a DATA_DIR/secrets.key that cannot be read or made is a line to fix, not a crash later.
    keyring = loadKeyring(config);
  } catch (e) {
    fatal(`cannot load the secrets key (SECRETS_KEYS or ${config.DATA_DIR}/secrets.key): ${(e as Error).message}`);
  }
  const logger = createLogger(config.LOG_LEVEL);
  // From here on a stray rejection is logged, never the end of the process; until the service
  // is up there is nothing to drain, so an uncaught exception just ends it.
  let stopService: (reason: string, code: number) => Promise<void> | void = (_, code) => process.exit(code);
  guardProcess(logger, (reason, code) => stopService(reason, code));

  let database: Database;
  try {
    database = await openConfiguredDatabase(config);
  } catch (e) {
    if (e instanceof DatabaseLockedError) fatal(e.message);
    if (config.DATABASE_URL) fatal(`cannot open the database at DATABASE_URL: ${(e as Error).message.split('\n')[0]}`);
    throw e;
  }
  let redisHandle;
  try {
    redisHandle = await resolveRedis(config.REDIS_URL, config.DATA_DIR);
  } catch (e) {
    await database.close();
    if (e instanceof RedisUnavailableError) fatal(e.message);
    throw e;
  }
  // Not waited for: a Redis that is down at start delays live updates and jobs, not the
  // service. /readyz answers 503 until it answers (see README, "When Redis or PostgreSQL is away").
  const redis = watchRedis(connectRedis(redisHandle.url), logger);
  logger.info({ database: database.kind, redis: redisHandle.child ? 'private redis-server' : 'external' }, 'storage ready');

  if (config.SEED_DEMO) {
    const demo = await seedDemo(database.db);
    if (demo.created) printDemo(demo, publicUrl(config));
  }

  const mailer = mailerFromConfig(config, logger);
  const service = await startService(
    { config, database, redis, logger, mailer, version, keyring },
    { port: config.PORT, host: config.HOST, graceMs: config.SHUTDOWN_GRACE_MS },
  );
  logger.info({ port: service.port }, 'listening');
  // Only with the embedded database (the service made a runner); on PostgreSQL it is the operator's job.
  const stopNightly = service.backups && config.BACKUP_NIGHTLY ? scheduleNightly(service.backups, config.BACKUP_HOUR) : () => undefined;
  process.stdout.write(`madoguchi ${version} is up: http://localhost:${service.port}/console/  (API reference: /docs)\n`);

  let stopping = false;
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, draining requests');
    stopNightly();
    await service.close();
    mailer.close();
    await redis.quit().catch(() => redis.disconnect());
    await redisHandle.close();
    await database.close();
    logger.info('stopped');
    process.exit(code);
  };
  stopService = stop;
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  // Through the log serializer: a database error's own message quotes the values it refused.
  process.stderr.write(`madoguchi: failed to start: ${JSON.stringify(serializeError(e))}\n`);
  process.exit(1);
});
