/**
 * The real service as a bench's server child runs it (bench/chat/server.ts, bench/api/server.ts):
 * configured from the environment the bench passes, with sign-in limits loosened for the
 * load, and a stop that closes everything it opened and ends the process once its answer is on
 * its way (--cpu-prof writes its file on a normal exit).
 */
import { loadConfig } from '../server/config.ts';
import { openConfiguredDatabase } from '../server/core/db/client.ts';
import { createLogger } from '../server/core/logger.ts';
import { mailerFromConfig } from '../server/core/mail.ts';
import { connectRedis } from '../server/core/redis.ts';
import { startService } from '../server/service.ts';

type ServiceDeps = Parameters<typeof startService>[0];

export async function startBenchService(extra: Partial<ServiceDeps> = {}) {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openConfiguredDatabase(config);
  const redis = connectRedis(config.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
  const mailer = mailerFromConfig(config, logger);
  const service = await startService(
    { config, database, redis, logger, mailer, version: 'bench', signInLimits: { perAddress: 100_000, perAccount: 1_000 }, ...extra },
    { port: config.PORT, host: config.HOST, graceMs: 2000 },
  );
  const stop = async () => {
    service.server.closeAllConnections();
    await service.close();
    mailer.close();
    await redis.quit().catch(() => redis.disconnect());
    await database.close();
    setTimeout(() => process.exit(0), 50);
  };
  return { config, database, service, stop };
}
