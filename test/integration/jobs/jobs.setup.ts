import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { loadConfig } from '../../../server/config.ts';
import { DomainBus } from '../../../server/core/bus.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer } from '../../../server/core/mail.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { JobData } from '../../../server/core/queue.ts';
import { startJobs, type Jobs } from '../../../server/worker.ts';
import { redisPrefix, redisUrl } from '../../helpers/env.ts';
import { freePort } from '../../helpers/process.ts';
import { smtpSink } from '../../helpers/smtp.ts';

export const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/** A key prefix of its own, like a separate deployment: its jobs are not anyone else's. */
export const freshPrefix = () => `${redisPrefix}jobs-${randomBytes(3).toString('hex')}:`;

/** A topic no other test (or leftover outbox row on the shared database) uses. */
export const freshTopic = (what: string) => `test.${what}.${randomBytes(3).toString('hex')}`;

/** A Redis URL where nothing listens (a free port below the range port-0 listeners are given). */
export const deadRedisUrl = async () => `redis://127.0.0.1:${await freePort()}`;

/** startJobs as a server would run it, under `prefix`, with quick retries (on the run's Redis unless told). */
export async function jobsFor(database: Database, prefix: string, opts: { redisUrl?: string; rearmCheckMs?: number } = {}): Promise<Jobs> {
  const config = loadConfig({ NODE_ENV: 'test', REDIS_KEY_PREFIX: prefix, SEED_DEMO: 'false' });
  const sink = await smtpSink();
  const mailer = createMailer({ smtpUrl: sink.url, from: config.MAIL_FROM, outboxDir: '/nonexistent' }, logger);
  const jobs = startJobs({ config, database, redisUrl: opts.redisUrl ?? redisUrl, logger, mailer, bus: new DomainBus(logger), retryDelayMs: 100, databaseWaitMs: 100, rearmCheckMs: opts.rearmCheckMs });
  const close = jobs.close;
  return Object.assign(jobs, {
    close: async () => {
      await close();
      mailer.close();
    },
  });
}

/** A processor that records what it was given. */
export function recorder(behave: (data: JobData, call: number) => void = () => undefined) {
  const calls: { data: JobData; at: number }[] = [];
  return {
    calls,
    run: async (data: JobData) => {
      calls.push({ data, at: Date.now() });
      behave(data, calls.length);
    },
  };
}

/** The rows of `topic`, oldest first (without an order PostgreSQL returns them as its heap holds them). */
export const rowsOf = (database: Database, topic: string) => database.db.select().from(outbox).where(eq(outbox.topic, topic)).orderBy(asc(outbox.id));
