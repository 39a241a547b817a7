/**
 * Delay-notice figures on PostgreSQL: time to target and enqueue a campaign to N customers,
 * time until all are delivered to a local SMTP sink (the shop's rate limit off), mails/s,
 * Redis's peak memory, and the pickup latency (p50/p99) of unrelated jobs on the `jobs` queue
 * (the alerts' and portal codes' queue) while the campaign runs, beside the same jobs on an
 * idle queue in the same run.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/notices.ts [customers=100000]
 *
 * BENCH_SMTP_POOL=8: SMTP connections of the pooled transport (SMTP_URL=…?maxConnections=8;
 * default 5, createMailer's own); BENCH_BULK=child: the bulk notice worker in a child process
 * (`npm run worker:notices`, the API and jobs process with NOTICE_BULK=off) instead of in the
 * process that runs the `jobs` worker (inline, the default); BENCH_BULK_CONCURRENCY: chunk jobs
 * at once (default 1); BENCH_ENQUEUE_ONLY=1: stop (cancel) once the recipients are written and
 * their chunks handed over.
 *
 * Prints its figures; it is a script, not a test, and asserts nothing.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../server/config.ts';
import { freshPostgres } from './postgres.ts';
import { createLogger } from '../server/core/logger.ts';
import { createMailer } from '../server/core/mail.ts';
import { connectRedis } from '../server/core/redis.ts';
import { demoOwnerSession } from './session.ts';
import { startService } from '../server/service.ts';

const customers = Number(process.argv[2] ?? 100_000);
const pgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A mail server that takes every mail and counts it, in a child process (bench/sink.ts): its work is not what is measured. */
async function countingSink(): Promise<{ url: string; count: () => Promise<number>; close: () => Promise<void> }> {
  const child = fork(new URL('./sink.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(key: string) => new Promise<T>((r) => child.on('message', function on(m: Record<string, T>) {
    if (key in m) {
      child.off('message', on);
      r(m[key]!);
    }
  }));
  const port = await next<number>('port');
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => {
      const n = next<number>('count');
      child.send('count');
      return n;
    },
    close: () => new Promise((r) => (child.once('exit', () => r()), child.send('close'))),
  };
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
const usedMemory = async (redis: ReturnType<typeof connectRedis>) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const { database, url: databaseUrl, drop } = await freshPostgres(pgUrl, { max: 20 });
  const sink = await countingSink();
  const redis = connectRedis(redisUrl);
  const keyPrefix = `mdg-bench-${Date.now()}:`;
  const child = process.env.BENCH_BULK === 'child';
  const smtpUrl = process.env.BENCH_SMTP_POOL ? `${sink.url}?maxConnections=${process.env.BENCH_SMTP_POOL}` : sink.url;
  const config = loadConfig({ REDIS_KEY_PREFIX: keyPrefix, SEED_DEMO: 'false', SMTP_URL: smtpUrl, LOG_LEVEL: 'silent', PORT: '0', DATABASE_URL: pgUrl, NOTICE_BULK: child ? 'off' : 'inline' });
  const logger = createLogger('silent');
  const mailer = createMailer({ smtpUrl, from: config.MAIL_FROM, outboxDir: '/nonexistent' }, logger);
  // The bulk worker alone in a process of its own, as `npm run worker:notices` runs it.
  let bulk: ChildProcess | undefined;
  if (child) {
    bulk = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts', 'notices'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix, SMTP_URL: smtpUrl, SEED_DEMO: 'false', LOG_LEVEL: 'info', NOTICE_BULK: 'inline' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // BENCH_BULK_NICE=10: the bulk worker at a lower CPU priority (`nice -n 10 npm run worker:notices`), so on a small machine the `jobs` process gets the CPU first.
    if (process.env.BENCH_BULK_NICE) setPriority(bulk.pid!, Number(process.env.BENCH_BULK_NICE));
    await new Promise<void>((ready, fail) => {
      bulk!.once('exit', (code) => fail(new Error(`the notice worker exited (${code})`)));
      bulk!.stdout!.on('data', (b: Buffer) => b.toString().includes('worker running') && ready());
    });
    bulk.stdout!.resume();
  }
  const service = await startService({ config, database, redis, logger, mailer, version: 'bench', notices: { concurrency: Number(process.env.BENCH_BULK_CONCURRENCY ?? 1) } }, { port: 0, host: '127.0.0.1', graceMs: 1000 });
  const base = `http://127.0.0.1:${service.port}`;
  const session = await demoOwnerSession(database.db, base);
  const shopId = session.shopId;
  const headers = { ...session.headers, 'content-type': 'application/json' };

  // N customers with one order each, written by the database itself (the orders' intake is bench/orders.ts).
  const t0 = performance.now();
  await database.db.execute(sql`
    insert into orders (shop_id, order_number, ordered_at, customer_name, customer_email, prefecture, postcode, payment_method, carrier, total, source)
    select ${shopId}, 'BN-' || g, now() - interval '2 days', '顧客 ' || g, 'c' || g || '@example.jp', '北海道', '060-0001', 'credit_card', 'ヤマト運輸', 1000, 'api'
      from generate_series(1, ${customers}) g`);
  console.log(`seeded ${customers} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Unrelated work on the `jobs` queue: a no-op topic timed from its add to its start.
  const jobs = service.jobs!;
  const pickups: number[] = [];
  jobs.register('bench.ping', async (data) => void pickups.push(Date.now() - Number(data.sentAt)));
  const ping = async (n: number, everyMs: number, until?: () => boolean) => {
    for (let i = 0; i < n && (!until || !until()); i++) {
      await jobs.queue.add('bench.ping', { shopId: null, sentAt: Date.now() });
      await sleep(everyMs);
    }
  };
  await ping(200, 10);
  await sleep(500);
  const idle = pickups.splice(0);

  const memBase = await usedMemory(redis);
  let memPeak = memBase;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      memPeak = Math.max(memPeak, await usedMemory(redis));
      await sleep(100);
    }
  })();

  const body = {
    name: 'bench',
    type: 'seasonal',
    variables: { season: 'oseibo', period_from: '2026-12-01', period_to: '2026-12-25', carrier: 'ヤマト運輸', extra_days: 2, regions: ['北海道'], gift_order_cutoff: '2026-12-18' },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    channels: { banner: false, mail: true, chat: false },
    target: { prefectures: ['北海道'] },
  };
  const made = (await (await fetch(`${base}/api/shops/${shopId}/notice-campaigns`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { id: string; version: number };
  const tPublish = performance.now();
  const pub = await fetch(`${base}/api/shops/${shopId}/notice-campaigns/${made.id}/publish`, { method: 'POST', headers, body: JSON.stringify({ version: made.version }) });
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${await pub.text()}`);
  const tPublished = performance.now();
  const campaign = async () => (await (await fetch(`${base}/api/shops/${shopId}/notice-campaigns/${made.id}`, { headers })).json()) as { status: string; counts: { total: number; sent: number } };
  let done = false;
  const during = ping(1_000_000, 50, () => done);
  let enqueued = 0;
  for (;;) {
    const c = await campaign();
    if (!enqueued && c.counts.total >= customers) enqueued = performance.now();
    if (c.status === 'sent') break;
    if (enqueued && process.env.BENCH_ENQUEUE_ONLY) {
      // Targeting and enqueueing alone: the rest is cancelled (never sent).
      const now = (await (await fetch(`${base}/api/shops/${shopId}/notice-campaigns/${made.id}`, { headers })).json()) as { version: number };
      await fetch(`${base}/api/shops/${shopId}/notice-campaigns/${made.id}/cancel`, { method: 'POST', headers, body: JSON.stringify({ version: now.version }) });
      break;
    }
    await sleep(200);
  }
  const tDone = performance.now();
  done = true;
  await during;
  await sleep(300);
  sampling = false;
  await sampler;
  const busy = pickups.splice(0);

  const enqueueS = ((enqueued || tDone) - tPublish) / 1000;
  const deliverS = (tDone - tPublish) / 1000;
  console.log(`database: postgres; customers: ${customers}; mails received by the sink (its own process): ${await sink.count()}; bulk worker: ${child ? `a child process (NOTICE_BULK=off, npm run worker:notices${process.env.BENCH_BULK_NICE ? `, nice ${process.env.BENCH_BULK_NICE}` : ''})` : 'inline (the jobs worker\'s process)'}; SMTP pool: ${process.env.BENCH_SMTP_POOL ?? '5 (default)'} connections`);
  console.log(`publish answered in ${(tPublished - tPublish).toFixed(0)} ms; targeted and enqueued (all ${customers} recipient rows written, chunks handed over): ${enqueueS.toFixed(2)} s (target ≤ 3 s)`);
  if (!process.env.BENCH_ENQUEUE_ONLY) console.log(`all delivered: ${deliverS.toFixed(1)} s (target ≤ 15 s), ${(customers / deliverS).toFixed(0)} mails/s`);
  console.log(`redis used_memory peak over the run: +${((memPeak - memBase) / 1024 / 1024).toFixed(1)} MiB above ${(memBase / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`pickup of unrelated jobs on the jobs queue: idle p50 ${pct(idle, 50)} ms, p99 ${pct(idle, 99)} ms; during the campaign p50 ${pct(busy, 50)} ms, p99 ${pct(busy, 99)} ms (${busy.length} jobs; target p99 ≤ 10 ms and within 2× of idle)`);

  await service.close();
  if (bulk) {
    bulk.kill('SIGTERM');
    await new Promise((r) => bulk!.once('exit', r));
  }
  mailer.close();
  await sink.close();
  await redis.quit();
  await database.close();
  await drop();
}

await main();
