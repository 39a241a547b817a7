import { DelayedError, Job } from 'bullmq';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { isDomainError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { closeWorker, openJobQueue, openJobWorker, type RedisTarget } from '../../core/queue.ts';
import { redisLimiter } from '../../core/ratelimit.ts';
import type { EventSink } from '../../events/commit.ts';
import { findShop } from '../shops/shops.repository.ts';
import { findCampaign, queuedChunks, queuedOfChunk, sendingCampaigns, type CampaignRow } from './notices.campaigns.repository.ts';
import { campaignRenderers, orderFacts, sendChunk, type NoticeSender } from './notices.send.mail.ts';
import { finishIfDone, statusOf } from './notices.send.state.ts';
import { loadWording } from './notices.templates.service.ts';
import type { NoticeType } from './notices.types.ts';

/**
 * Bulk notice mail has a BullMQ queue of its own, `notices-bulk`, with its own worker and a
 * small concurrency. The `jobs` queue (portal codes, replies, SLA alerts, the outbox's work)
 * never waits behind it, however big a campaign: the two are served by different workers.
 */
export const BULK_QUEUE = 'notices-bulk';
const CHUNK_JOB = 'notice.chunk';
/** Mails of one chunk on their way at once (over a pooled transport, a few per connection are waiting on the database or the renderer at any time). */
const MAILS_IN_FLIGHT = 16;
/** How stale the campaign's status may be when a mail goes: a pause or cancel stops the chunk within this and the mails in flight. */
const STATUS_EVERY_MS = 250;

export interface BulkOptions {
  keyPrefix: string;
  /** Chunk jobs at once in this process (default 1: with six mails of a chunk in flight, a second chunk only adds contention for the event loop and the database; measured with bench/notices.ts). */
  concurrency?: number;
  /**
   * Chunk jobs one campaign may have in the queue at a time (default 2): a finished chunk adds
   * the campaign's next, so two shops' campaigns take turns instead of the second waiting for
   * the first's last chunk.
   */
  perCampaign?: number;
  /**
   * false: this process only hands chunks to the bulk queue (`arm`); no worker and no sweep
   * here (NOTICE_BULK=off: `npm run worker:notices` processes send). Default true.
   */
  work?: boolean;
  /** How often the sweep hands sending campaigns' chunks over again (default 15 s). */
  sweepMs?: number;
  /** A chunk job's lock: a worker that died holds its job this long before another takes it (default 10 s). */
  lockMs?: number;
  retryDelayMs?: number;
}

export interface NoticeBulkDeps {
  db: Db;
  redis: RedisTarget;
  logger: Logger;
  sink: EventSink;
  sender: NoticeSender;
}

export interface NoticeBulk {
  /**
   * Hands the campaign's lowest queued chunks to the bulk queue; a chunk whose job is there
   * already is left as it is, unless `wake`: a job waiting out the shop's mail rate then runs at
   * once (a resume after the rate was raised), and waits again if the rate still says so.
   */
  arm(c: Pick<CampaignRow, 'id' | 'shopId'>, opts?: { wake?: boolean }): Promise<void>;
  /** Every sending campaign: its chunks handed over again (after a Redis loss, a crash), a finished one marked sent. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

const chunkData = z.object({ shopId: z.uuid(), campaignId: z.uuid(), chunk: z.number().int().min(0) });

/** Same (campaign, chunk), same job id: adding it again while it waits or runs adds nothing. */
const chunkJobId = (campaignId: string, chunk: number) => `notice-${campaignId}-${chunk}`;

export function startNoticeBulk(deps: NoticeBulkDeps, opts: BulkOptions): NoticeBulk {
  const { db, logger } = deps;
  const perCampaign = opts.perCampaign ?? 2;
  const queueOpts = { keyPrefix: opts.keyPrefix, logger, queueName: BULK_QUEUE, retryDelayMs: opts.retryDelayMs };
  const producer = openJobQueue(deps.redis, queueOpts);
  const limiters = new Map<number, RateLimiterRedis>();
  /** One limiter per rate in use (a shop's setting), keyed by shop: the count is shared by every process through Redis. */
  const limiterOf = (perMinute: number) => {
    let l = limiters.get(perMinute);
    if (!l) limiters.set(perMinute, (l = redisLimiter(producer.connection, { keyPrefix: `${opts.keyPrefix}notice-mail:${perMinute}`, points: perMinute, duration: 60 })));
    return l;
  };

  async function arm(c: Pick<CampaignRow, 'id' | 'shopId'>, armOpts: { wake?: boolean } = {}): Promise<void> {
    const chunks = await queuedChunks(db, c.id, perCampaign);
    if (!chunks.length) return;
    if (armOpts.wake) {
      for (const chunk of chunks) {
        const job = await Job.fromId(producer.queue, chunkJobId(c.id, chunk));
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    }
    await producer.queue.addBulk(
      chunks.map((chunk) => ({
        name: CHUNK_JOB,
        data: { shopId: c.shopId, campaignId: c.id, chunk },
        // Done or given up, a job goes: the recipient rows are the record, and the sweep adds a chunk again while it has queued rows.
        opts: { jobId: chunkJobId(c.id, chunk), attempts: 8, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }

  /** How long the shop must wait before its next notice mail (0: it may send now, and the mail is counted). */
  async function rateWait(shopId: string, perMinute: number): Promise<number> {
    try {
      await limiterOf(perMinute).consume(shopId, 1);
      return 0;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(50, e.msBeforeNext);
      throw e;
    }
  }

  async function runChunk(job: Job, token?: string): Promise<string> {
    const { shopId, campaignId, chunk } = chunkData.parse(job.data);
    const c = await findCampaign(db, shopId, campaignId);
    // Paused or cancelled: stop taking recipients; a resume hands the chunk over again.
    if (!c || c.status !== 'sending') return 'not sending';
    const rows = await queuedOfChunk(db, campaignId, chunk);
    if (rows.length) {
      const shop = await findShop(db, shopId);
      if (!shop) return 'no shop';
      // A wording that cannot be had (its version gone with a deleted copy) fails each recipient with the reason, rather than the job for ever.
      const wording = await loadWording(db, shopId, c.type as NoticeType, c.templateVersionId).catch((e: unknown) => {
        if (isDomainError(e)) return { error: `the notice's wording cannot be read: ${e.message}` };
        throw e;
      });
      const renderers = 'error' in wording ? wording : campaignRenderers(c, shop, wording);
      const ctx = { campaign: c, shop, renderers, orders: await orderFacts(db, shopId, rows.flatMap((r) => r.orderNumbers)) };
      // The campaign's status, read again when older than STATUS_EVERY_MS (not per mail): a
      // pause or cancel stops the chunk within that and the mails in flight.
      let sending = true;
      let checkedAt = Date.now();
      let reading: Promise<boolean> | undefined;
      const live = async (): Promise<boolean> => {
        if (!sending || Date.now() - checkedAt < STATUS_EVERY_MS) return sending;
        reading ??= statusOf(db, campaignId)
          .then((st) => ((checkedAt = Date.now()), (sending = st === 'sending')))
          .finally(() => (reading = undefined));
        return reading;
      };
      let waitMs = 0;
      const rated = c.channels.mail && shop.noticeMailsPerMinute > 0;
      const proceed = async (mails: boolean) => {
        if (waitMs || !(await live())) return false;
        // Each mail counted against the shop's rate before it goes; those over it stay queued for the chunk's next turn.
        const wait = rated && mails ? await rateWait(shopId, shop.noticeMailsPerMinute) : 0;
        waitMs = Math.max(waitMs, wait);
        return !wait;
      };
      const result = await sendChunk(deps.sender, ctx, rows, {
        inFlight: MAILS_IN_FLIGHT,
        proceed,
        flushed: () => deps.sink.bus?.publish('notice.progress', { shopId, campaignId }),
      });
      // A mail server away or answering 4xx: the job is tried again later (what went is recorded).
      if (result.retry !== undefined) throw result.retry;
      const stopped = !sending || waitMs > 0;
      if (waitMs && token) {
        // Over the shop's mails a minute: the job waits in BullMQ's delayed set until the window allows more, holding no worker.
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError(`shop ${shopId} is at its notice mail rate`);
      }
      if (stopped) return 'stopped';
    }
    await arm(c);
    await finishIfDone(db, deps.sink, c.id);
    return 'done';
  }

  if (opts.work === false) {
    return {
      arm,
      // The processes that send sweep; here there is nothing to hand over again.
      sweep: async () => undefined,
      close: () => producer.close(),
    };
  }
  const worker = openJobWorker(deps.redis, { ...queueOpts, concurrency: opts.concurrency ?? 1, worker: { lockDuration: opts.lockMs ?? 10_000, stalledInterval: Math.max(1000, Math.round((opts.lockMs ?? 10_000) / 2)) } }, (job, token) => runChunk(job, token));
  worker.on('failed', (job, err) => {
    if (err instanceof DelayedError) return;
    logger.warn({ err, jobId: job?.id, attempt: job?.attemptsMade }, 'notice chunk failed; it is tried again (the sweep hands it over again after its last try)');
  });

  async function sweep(): Promise<void> {
    for (const c of await sendingCampaigns(db)) {
      await arm(c);
      await finishIfDone(db, deps.sink, c.id);
    }
  }
  let sweeping: Promise<void> | undefined;
  const sweepSafely = () => {
    sweeping ??= sweep()
      .catch((err: unknown) => logger.warn({ err }, 'notices: the sweep could not hand chunks over yet; it tries again'))
      .finally(() => (sweeping = undefined));
    return sweeping;
  };
  // At start (work of a process that died, or a Redis that lost its data), after a reconnect, and periodically.
  void sweepSafely();
  const onReady = () => void sweepSafely();
  producer.connection.on('ready', onReady);
  const timer = setInterval(() => void sweepSafely(), opts.sweepMs ?? 15_000);
  timer.unref();

  return {
    arm,
    sweep: sweepSafely,
    async close() {
      clearInterval(timer);
      producer.connection.off('ready', onReady);
      await sweeping;
      await closeWorker(worker);
      await producer.close();
    },
  };
}
