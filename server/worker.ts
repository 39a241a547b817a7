import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
import { ConfigError, loadConfig, publicUrl, type Config } from './config.ts';
import { SHIP_EXPIRY_TOPIC, SHIP_REMINDER_TOPIC } from './domains/returns/returns.timers.ts';
import { BANK_PURGE_TOPIC, expireUnshipped, purgeBankDetails, remindToShip, sayLegacyReturnStep, sendPortalCode } from './domains/returns/returns.jobs.ts';
import { returnStepEventNames } from './events/catalog.ts';
import type { EventSink } from './events/commit.ts';
import { registerListeners } from './events/listeners.ts';
import { listenerRetryPolicy, listenerTiming } from './events/subscriptions.ts';
import { PORTAL_CODE_TOPIC } from './domains/returns/returns.portal.auth.ts';
import { createMessageWriter, type MessageWriter } from './domains/conversations/conversations.writer.ts';
import { DomainBus } from './core/bus.ts';
import { openConfiguredDatabase, type Database } from './core/db/client.ts';
import { createLogger, serializeError, type Logger } from './core/logger.ts';
import { MAIL_SEND } from './core/mail.jobs.ts';
import { giveUpOnMail, MAIL_LOG_PRUNE_TOPIC, runMailLogPrune, sendMailJob } from './domains/maillog/maillog.jobs.ts';
import { mailLogDeps, type MailLogDeps } from './domains/maillog/maillog.send.ts';
import { mailDomainOf, mailerFromConfig, type Mailer } from './core/mail.ts';
import { createDispatcher, type OutboxDispatcher } from './core/outbox.dispatcher.ts';
import { outboxLedger } from './core/outbox.jobs.ts';
import { OUTBOX_PRUNE_TOPIC, pruneOutbox } from './core/outbox.ts';
import { startRearming } from './core/outbox.rearm.ts';
import { closeWorker, openJobQueue, openJobWorker, retryOptions, type JobData, type JobOptionsFor, type JobProcessor, type RedisTarget } from './core/queue.ts';
import { guardProcess } from './core/process.ts';
import { connectRedis, handledPublishes, resolveRedis, watchRedis } from './core/redis.ts';
import { redisEmitter } from './core/realtime.ts';
import { broadcastChat, type Broadcaster } from './domains/conversations/conversations.broadcast.ts';
import { broadcastReturns } from './domains/returns/returns.broadcast.ts';
import { REPLY_MAIL_TOPIC, runUnsnooze, sendReplyMail, UNSNOOZE_TOPIC } from './domains/conversations/conversations.jobs.ts';
import { inboundEmailConfig } from './domains/conversations/conversations.email.ts';
import { PresenceStore } from './domains/conversations/presence.ts';
import { purgeUnclaimedAttachments } from './domains/attachments/attachments.service.ts';
import { localFileStorage } from './core/storage.ts';
import { runSlaCheck, SLA_CHECK_TOPIC } from './domains/sla/sla.service.ts';
import { startNoticeBulk, type BulkOptions, type NoticeBulk } from './domains/notices/notices.send.ts';
import { NOTICE_START_TOPIC, runStart } from './domains/notices/notices.send.start.ts';
import { finishIfDone } from './domains/notices/notices.send.state.ts';
import { broadcastNotices } from './domains/notices/notices.send.progress.ts';
import { loadKeyring, type Keyring } from './core/sealed.ts';
import type { AlertDeps } from './domains/slack/slack.alerts.ts';
import { runAlertRetry, SLACK_ALERT_RETRY_TOPIC } from './domains/slack/slack.alerts.service.ts';
import { deferredRowOf } from './domains/maillog/maillog.refusal.ts';
import { noteJobFailed, noteMailDeferred, type TroubleDeps } from './domains/system/trouble.service.ts';
import { registerStoreJobs, storeSchedules } from './domains/stores/stores.jobs.ts';

export interface JobsDeps {
  config: Config;
  database: Database;
  /** The Redis BullMQ uses: a URL, or connection options (see connectionOf in core/queue.ts). */
  redisUrl: RedisTarget;
  logger: Logger;
  mailer: Mailer;
  bus: DomainBus;
  /**
   * Tests shorten every retry: the first wait of the queue's default (5 s) and of every
   * listener's retry policy (see server/events/subscriptions.ts) becomes this, later waits in proportion.
   */
  retryDelayMs?: number;
  /** The keys that open the shops' sealed Slack tokens: the service's own (server/service.ts), else loaded here once. */
  keyring?: Keyring;
  /** How often to check that Redis still holds the handed-over work (default 30 s). Tests shorten it. */
  rearmCheckMs?: number;
  /** First wait of a job that found the database away (default 1 s; later waits grow with the outage, up to 30 s). Tests shorten it. */
  databaseWaitMs?: number;
  /** How long a closing worker lets its running jobs finish before it stops them (default 5 s). */
  closeGraceMs?: number;
  /** The bulk notice queue's pace (tests shorten its sweep and locks; see notices.send.ts). */
  notices?: Omit<BulkOptions, 'keyPrefix'>;
}

export interface RegisterOptions {
  /** The payload holds secrets (links with tokens): it is dropped from Redis once the job finally fails. */
  secret?: boolean;
}

export interface Jobs {
  dispatcher: OutboxDispatcher;
  queue: Queue;
  worker: Worker;
  /** The bulk notice mail: its own queue and worker (notices.send.ts). */
  notices: NoticeBulk;
  /** Same as dispatcher.poke(): hand freshly committed outbox rows to BullMQ now. */
  poke(): void;
  /** One processor per topic; registering a topic again replaces it. */
  register(topic: string, processor: JobProcessor, opts?: RegisterOptions): void;
  /** Stops dispatching, lets running jobs finish, closes the Redis connections. */
  close(): Promise<void>;
}

/**
 * Every topic this codebase knows, registered in one place so an API process with JOBS=inline
 * and `npm run worker` run the same set. Add a domain's processors here.
 *
 * Jobs run at least once. A job's work is done again if its process dies (or the job stalls)
 * between the work and the outbox's record of it (see outbox.jobs.ts), if Redis loses its
 * data while the job runs, or if the work was partly done before a failure (a mail accepted,
 * then the database went away) and the job is tried again. What a second run does, per topic:
 * - sla.check, conversation.unsnooze, return.ship_expiry: nothing; each checks the state it
 *   changes (an alert already fired, a conversation no longer snoozed until then, a return no
 *   longer awaiting its parcel) in the transaction that changes it;
 * - listeners of domain events (`<event>><listener>`, server/events/subscriptions.ts), each its
 *   own job: `return-chat-notice` stores its notice once per event by its client id; `reply-mail` (and the
 *   old `conversation.reply_mail`) sends nothing once `customer_mailed_seq` is written, right
 *   after the mail; `return-customer-mail` sends once per event (see the mail log below);
 * - return.ship_reminder, old return.<status> jobs: say their event under a fixed id, so its
 *   listeners' jobs are added once while the first ones are still held;
 * - mail.send, portal.code_mail, and the mail listeners: each mail has a Message-ID fixed
 *   before the job (in its payload, or made of its event), and the mail log sends nothing
 *   again under a Message-ID already sent; a process that dies between the mail server's
 *   answer and the log's record of it sends the same mail (same Message-ID) again;
 * - notice.start: writes a campaign's recipients once (one row per campaign and address) and
 *   hands over only chunks still queued; the `notices-bulk` chunk jobs (their own queue and
 *   worker, notices.send.ts) send only queued recipients, each under its fixed Message-ID;
 * - attachments.purge, returns.bank_purge, outbox.prune: delete what is still due; nothing twice.
 */
function registerAll(jobs: Jobs, deps: JobsDeps): NoticeBulk {
  const db = deps.database.db;
  const inbound = inboundEmailConfig(deps.config);
  // Every mail goes through the mail log (server/domains/maillog); bounces come back to inbound mail when configured.
  const mailLog = mailLogDeps({ db, mailer: deps.mailer, baseUrl: publicUrl(deps.config), inbound });
  // Its only other sender writes invitations: a row without a kind (written before the log) is one.
  jobs.register(MAIL_SEND, sendMailJob(mailLog, 'invitation'), { secret: true });
  jobs.register(SLA_CHECK_TOPIC, (data) => runSlaCheck(db, sink, data));
  const timing = listenerTiming(deps.config);
  jobs.register(UNSNOOZE_TOPIC, (data) => runUnsnooze({ db, bus: deps.bus, poke: jobs.poke, timing, logger: deps.logger }, data));
  // Reply-mail checks written before it was a listener of message.created (an upgrade).
  jobs.register(REPLY_MAIL_TOPIC, (data) => sendReplyMail({ db, mailer: deps.mailer, baseUrl: publicUrl(deps.config), inbound }, data));
  const storage = localFileStorage(deps.config.DATA_DIR);
  // Notices into customers' chats go through the same group commit as every message.
  const writer = createMessageWriter({ db, poke: jobs.poke, bus: deps.bus, timing, logger: deps.logger }, { gatherMs: deps.config.CHAT_GATHER_MS });
  const sink: EventSink = { poke: jobs.poke, bus: deps.bus, logger: deps.logger, timing };
  // One job per (event, listener): see server/events/subscriptions.ts.
  // Slack alerts: the keyring opens the shops' bot tokens (the process's one: the service's, or loaded once here).
  const slack: AlertDeps = { db, keyring: deps.keyring ?? loadKeyring(deps.config), apiUrl: deps.config.SLACK_API_URL, baseUrl: publicUrl(deps.config), logger: deps.logger };
  registerListeners(jobs.register, { db, mailer: deps.mailer, baseUrl: publicUrl(deps.config), chat: { db, bus: deps.bus, writer }, inbound, slack });
  // An undelivered alert the console asked to try again (slack.alerts.service.ts).
  jobs.register(SLACK_ALERT_RETRY_TOPIC, (data, job) => runAlertRetry(slack, data, job));
  // Jobs of return steps written before the listeners existed (an upgrade): said again as events.
  for (const name of returnStepEventNames) if (name !== 'return.ship_reminder') jobs.register(name, (data) => sayLegacyReturnStep(db, sink, name, data));
  jobs.register(SHIP_REMINDER_TOPIC, (data) => remindToShip(db, sink, data));
  jobs.register(SHIP_EXPIRY_TOPIC, (data) => expireUnshipped(db, sink, data));
  jobs.register(PORTAL_CODE_TOPIC, sendPortalCode(mailLog), { secret: true });
  jobs.register(BANK_PURGE_TOPIC, () => purgeBankDetails(db));
  jobs.register(PURGE_TOPIC, () => purgeUnclaimedAttachments(db, storage, new Date(Date.now() - 24 * 3_600_000)));
  // Delay notices: a campaign's start writes its recipients, then its chunks go to the bulk queue
  // (sent here with NOTICE_BULK=inline, by `npm run worker:notices` processes with off).
  const notices = noticeBulkFor(deps, { sink, mailLog, writer }, deps.config.NOTICE_BULK === 'inline');
  jobs.register(NOTICE_START_TOPIC, (data) => runStart({ db, sink, arm: notices.arm, finish: (id) => finishIfDone(db, sink, id) }, data));
  jobs.register(OUTBOX_PRUNE_TOPIC, async () => {
    const deleted = await pruneOutbox(db, { completedDays: deps.config.OUTBOX_RETENTION_DAYS, failedDays: deps.config.OUTBOX_FAILED_RETENTION_DAYS });
    if (deleted.completed || deleted.failed) deps.logger.info(deleted, 'outbox: finished rows past their retention deleted');
    return deleted;
  });
  // Store connections (Shopify, BASE): sync runs, stored webhooks, the minute's schedule, the daily prune.
  registerStoreJobs(jobs.register, { db, keyring: slack.keyring, config: deps.config, logger: deps.logger, poke: jobs.poke });
  jobs.register(MAIL_LOG_PRUNE_TOPIC, async () => {
    const done = await runMailLogPrune(db, deps.config.MAIL_LOG_RETENTION_DAYS);
    if (done.givenUp || done.reportsCleared || done.deleted) deps.logger.info(done, 'mail log: stuck mails given up, old reports cleared, rows past their retention deleted');
    return done;
  });
  return notices;
}

/** The bulk notice worker of a process (or, with `work` false, only what hands chunks to its queue). */
function noticeBulkFor(deps: JobsDeps, parts: { sink: EventSink; mailLog: MailLogDeps; writer: MessageWriter }, work: boolean): NoticeBulk {
  const db = deps.database.db;
  return startNoticeBulk(
    {
      db,
      redis: deps.redisUrl,
      logger: deps.logger,
      sink: parts.sink,
      sender: {
        // Bulk mail over a pooled transport, whatever SMTP_URL says for single mails (server/core/mail.ts).
        mail: { ...parts.mailLog, mailer: deps.mailer.bulk ?? deps.mailer },
        chat: { db, bus: deps.bus, writer: parts.writer },
        mailDomain: mailDomainOf(deps.config.MAIL_FROM) || 'madoguchi.localhost',
      },
    },
    { keyPrefix: deps.config.REDIS_KEY_PREFIX, retryDelayMs: deps.retryDelayMs, ...deps.notices, work },
  );
}

/**
 * Only the bulk notice worker (`npm run worker:notices`): for deployments whose API and job
 * processes run with NOTICE_BULK=off, so a campaign's mail never shares an event loop with the
 * `jobs` queue's alerts and portal codes. The outbox work its chunks commit (a campaign's
 * `notice.finished`) is dispatched by the job processes' polling dispatcher.
 */
export function startNoticeWorker(deps: JobsDeps): NoticeBulk {
  const db = deps.database.db;
  const inbound = inboundEmailConfig(deps.config);
  const mailLog = mailLogDeps({ db, mailer: deps.mailer, baseUrl: publicUrl(deps.config), inbound });
  // No dispatcher here to poke: the job processes poll the outbox every 250 ms.
  const poke = () => undefined;
  const timing = listenerTiming(deps.config);
  const writer = createMessageWriter({ db, poke, bus: deps.bus, timing, logger: deps.logger }, { gatherMs: deps.config.CHAT_GATHER_MS });
  return noticeBulkFor(deps, { sink: { poke, bus: deps.bus, logger: deps.logger, timing }, mailLog, writer }, true);
}

/** Uploads never sent with a message are removed a day later, checked every hour. */
const PURGE_TOPIC = 'attachments.purge';
const schedule = (queue: Queue) =>
  Promise.all([
    queue.upsertJobScheduler('attachments-purge-hourly', { every: 3_600_000 }, { name: PURGE_TOPIC, data: { shopId: null } }),
    // Refund accounts are deleted once their retention is over (returns.jobs.ts).
    queue.upsertJobScheduler('returns-bank-purge-daily', { every: 86_400_000 }, { name: BANK_PURGE_TOPIC, data: { shopId: null } }),
    // Finished outbox rows past OUTBOX_RETENTION_DAYS (failed ones: OUTBOX_FAILED_RETENTION_DAYS).
    queue.upsertJobScheduler('outbox-prune-daily', { every: 86_400_000 }, { name: OUTBOX_PRUNE_TOPIC, data: { shopId: null } }),
    // Mail stuck unfinished given up, delivery reports past 90 days cleared, rows past MAIL_LOG_RETENTION_DAYS deleted.
    queue.upsertJobScheduler('mail-log-prune-daily', { every: 86_400_000 }, { name: MAIL_LOG_PRUNE_TOPIC, data: { shopId: null } }),
    // Store connections due a poll or a reconcile are queued each minute; their old runs pruned daily.
    ...storeSchedules.map((s) => queue.upsertJobScheduler(s.id, { every: s.every }, { name: s.name, data: { shopId: null } })),
  ]);

/**
 * The outbox dispatcher plus a BullMQ worker whose processors are looked up by topic (the
 * job's name). A processor that throws a DomainError fails its job for good
 * (`UnrecoverableError`); anything else thrown is retried with exponential backoff.
 *
 * @example
 * const jobs = startJobs({ config, database, redisUrl, logger, mailer, bus });
 * jobs.register('sla.check', (data) => checkSla(db, String(data.conversationId)));
 */
export function startJobs(deps: JobsDeps): Jobs {
  const { config, logger } = deps;
  const registry = new Map<string, { run: JobProcessor; opts: RegisterOptions }>();
  const queueOpts = { keyPrefix: config.REDIS_KEY_PREFIX, logger, retryDelayMs: deps.retryDelayMs };
  const producer = openJobQueue(deps.redisUrl, queueOpts);
  // A listener's jobs are retried as its subscription says; every other topic as the queue's default.
  const jobOptionsFor: JobOptionsFor = (topic) => {
    const policy = listenerRetryPolicy(topic);
    return policy && retryOptions(policy, deps.retryDelayMs);
  };
  const dispatcher = createDispatcher({ db: deps.database.db, jobs: producer, logger, jobOptionsFor });

  const ledger = outboxLedger(deps.database.db, logger, { databaseWaitMs: deps.databaseWaitMs });
  const worker = openJobWorker(deps.redisUrl, queueOpts, async (job: Job<JobData>, token?: string) => {
    const entry = registry.get(job.name);
    // Retryable: during a rolling deploy a newer worker may know the topic.
    if (!entry) throw new Error(`no processor for topic ${job.name}`);
    return ledger.run(job, entry.run, entry.opts.secret ?? false, token);
  });

  // System trouble the shops are told of (the `system.trouble` event): jobs failing for good, their mail server away.
  const trouble: TroubleDeps = {
    db: deps.database.db,
    sink: { poke: () => dispatcher.poke(), bus: deps.bus, logger, timing: listenerTiming(config) },
    mailAwayMs: config.TROUBLE_MAIL_AWAY_SECONDS * 1000,
    logger,
  };
  const noting = (what: string, work: () => Promise<unknown>) => void work().catch((e: unknown) => logger.warn({ err: e, what }, 'system trouble: could not note it'));
  worker.on('failed', (job, err) => {
    const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { err, topic: job?.name, jobId: job?.id, attempt: job?.attemptsMade };
    if (final) logger.error(fields, 'job failed for good');
    else logger.warn(fields, 'job failed; it will be retried');
    const deferred = deferredRowOf(err);
    if (deferred) noting('mail deferred', () => noteMailDeferred(trouble, deferred.shopId));
    if (!final || !job) return;
    // A mail whose tries ran out: its log row says it failed, not that it is still being retried.
    giveUpOnMail(deps.database.db, err).catch((e: unknown) => logger.warn({ err: e, jobId: job.id }, 'mail log: could not mark a mail given up'));
    const secret = registry.get(job.name)?.opts.secret ?? false;
    // If this cannot be recorded, the row stays unfinished and the re-arm hands it over again (outbox.rearm.ts).
    // Recorded before a secret payload is dropped: the ledger checks the job against its row by that payload.
    ledger
      .failedForGood(job, err, secret)
      .catch((e: unknown) => logger.warn({ err: e, jobId: job.id }, 'outbox: could not record a final failure'))
      // Told once its row says failed: the count is read from the outbox.
      .then(() => noting('job failed for good', () => noteJobFailed(trouble, { topic: job.name, data: job.data })))
      .finally(() => {
        if (secret) job.updateData({ shopId: job.data.shopId, outboxId: job.data.outboxId, dropped: 'secret payload removed after the final failure' }).catch(() => undefined);
      });
  });
  // Redis may lose what it was handed (restart without persistence, failover, flush): the
  // unfinished rows are handed over again, and the hourly purge's scheduler set again.
  const rearmer = startRearming({ db: deps.database.db, jobs: producer, logger, jobOptionsFor, checkMs: deps.rearmCheckMs, alsoRestore: () => schedule(producer.queue) });

  let notices: NoticeBulk | undefined;
  const jobs: Jobs = {
    dispatcher,
    queue: producer.queue,
    worker,
    get notices() {
      return notices!;
    },
    poke: () => dispatcher.poke(),
    register(topic, processor, opts = {}) {
      registry.set(topic, { run: processor, opts });
    },
    async close() {
      await rearmer.close();
      await dispatcher.close();
      await notices?.close();
      await closeWorker(worker, deps.closeGraceMs);
      await producer.close();
    },
  };
  notices = registerAll(jobs, deps);
  return jobs;
}

/**
 * `npm run worker`: the dispatcher and the worker without HTTP, for deployments with JOBS=off API
 * processes; `npm run worker:notices` (`role` notices): only the bulk notice worker, for
 * deployments with NOTICE_BULK=off.
 */
async function runWorkerProcess(role: 'jobs' | 'notices'): Promise<void> {
  const fatal = (message: string): never => {
    process.stderr.write(`madoguchi worker: ${message}\n`);
    process.exit(1);
  };
  try {
    let config: Config;
    try {
      config = loadConfig();
    } catch (e) {
      if (e instanceof ConfigError) fatal(e.message);
      throw e;
    }
    const logger = createLogger(config.LOG_LEVEL).child({ role: role === 'notices' ? 'notice-worker' : 'worker' });
    let stopWorker: (reason: string, code: number) => Promise<void> | void = (_, code) => process.exit(code);
    guardProcess(logger, (reason, code) => stopWorker(reason, code));
    const database = await openConfiguredDatabase(config).catch((e: Error) => fatal(e.message.split('\n')[0]!));
    const redis = await resolveRedis(config.REDIS_URL, config.DATA_DIR).catch(async (e: Error) => {
      await database.close();
      return fatal(e.message);
    });
    const mailer = mailerFromConfig(config, logger);
    const bus = new DomainBus(logger);
    const jobsDeps = { config, database, redisUrl: redis.url, logger, mailer, bus };
    const worker = role === 'notices' ? startNoticeWorker(jobsDeps) : startJobs(jobsDeps);
    // Live updates from jobs (SLA alerts, snoozes ending) reach the API processes' sockets
    // through the same Redis channel their Socket.IO adapter listens on.
    const emitterRedis = handledPublishes(watchRedis(connectRedis(redis.url), logger, 'socket.io emitter'), logger);
    const emitter = redisEmitter(emitterRedis, config.REDIS_KEY_PREFIX);
    const stopChat = broadcastChat(bus, emitter as unknown as Broadcaster, { db: database.db, presence: new PresenceStore(emitterRedis, config.REDIS_KEY_PREFIX), logger });
    const stopReturns = broadcastReturns(bus, emitter as unknown as Broadcaster);
    const stopNotices = broadcastNotices(bus, emitter as unknown as Broadcaster, { db: database.db, logger });
    logger.info({ database: database.kind, role }, 'worker running');
    let stopping = false;
    const stop = async (signal: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'worker shutting down: finishing running jobs');
      await worker.close();
      stopChat();
      stopReturns();
      stopNotices();
      await emitterRedis.quit().catch(() => emitterRedis.disconnect());
      mailer.close();
      await redis.close();
      await database.close();
      logger.info('worker stopped');
      process.exit(code);
    };
    stopWorker = stop;
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  } catch (e) {
    process.stderr.write(`madoguchi worker: failed to start: ${JSON.stringify(serializeError(e))}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void runWorkerProcess(process.argv[2] === 'notices' ? 'notices' : 'jobs');
