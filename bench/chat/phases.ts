/**
 * The three measurements, run the same way against any server child that speaks the chat
 * contract: idle memory per socket, latency at a set rate, and the highest rate whose p99
 * stays within the bound.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { growth } from './heap.ts';
import { serviceCores, serviceCpuSeconds, type ServiceCpu } from './services.ts';
import { scrape, writerFigures, type WriterFigures } from './writer.ts';
import { describeUpkeep, upkeep, vacuumIfNoAutovacuum } from './vacuum.ts';
import type { Child, Load, MajorGc, Memory } from './ipc.ts';
import { closeAll, connectAgents, connectWidgets, joinAll, Meter, openConversations, pct, type Step } from './load.ts';

export interface Target {
  label: string;
  child: Child;
  url: string;
  shopId: string;
  tokens: string[];
  /** One console session cookie per agent socket (undefined where the server asks for none). */
  cookies: Array<string | undefined>;
  /** The server's PostgreSQL database, for what its upkeep did during each step. */
  databaseUrl?: string;
}

export interface Options {
  sockets: number;
  rate: number;
  idle: number;
  seconds: number;
  warmup: number;
  stepSeconds: number;
  maxRate: number;
  p99Bound: number;
  /** A folder for heap snapshots around the idle sockets; only for small --idle counts. */
  heapDiffDir?: string;
  /** A folder for CPU profiles of the server child: one of the quiet window, one of the latency step. */
  profileDir?: string;
}

export type Measured = Step & { server: Load; sockets: number; /** Cores PostgreSQL's processes and Redis took during the step (the whole machine's: other runs show here too). */ services?: ServiceCpu; /** The group commit's figures from the server's /metrics (the persisted server only). */ writer?: WriterFigures; /** PostgreSQL's autovacuum and autoanalyze on the chat's tables during the step. */ upkeep?: string; /** 1-minute load average at the end: other work on the machine shows here. */ machineLoad: number };

export interface Figures {
  /** The server's load with every socket connected and no message sent: timers, pings, presence. */
  quiet: Load;
  /** CPU profiles written (quiet window, latency step), when asked for. */
  profiles: string[];
  idle: { sockets: number; before: Memory; after: Memory; heapPerSocket: number; rssPerSocket: number };
  latency: Measured;
  ramp: Measured[];
  /** The highest step that kept p99 within the bound with nothing lost; undefined if none did. */
  sustained?: Measured;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '—');
const log = (line: string) => process.stdout.write(`  · ${line}\n`);

async function serverSockets(child: Child, want: number, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let n = await child.request<number>('sockets');
  while (n !== want && Date.now() < until) {
    await sleep(100);
    n = await child.request<number>('sockets');
  }
  return n;
}

async function idleMemory(t: Target, o: Options): Promise<Figures['idle']> {
  // A first batch pays for one-time costs (code, statement caches) outside the figure.
  await closeAll(await connectWidgets(t.url, t.shopId, t.tokens.slice(0, Math.min(200, o.idle))));
  await serverSockets(t.child, 0);
  const before = await t.child.request<Memory>('mem');
  const snap = (name: string) => (o.heapDiffDir ? t.child.request<string>('snapshot', join(o.heapDiffDir, `${t.label.replace(/\W/g, '')}-${name}.heapsnapshot`)) : undefined);
  const snapBefore = await snap('before');
  const t0 = Date.now();
  const idle = await connectWidgets(t.url, t.shopId, t.tokens.slice(0, o.idle));
  const sockets = await serverSockets(t.child, o.idle);
  log(`${t.label}: ${sockets} idle widget sockets connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await sleep(2000);
  const after = await t.child.request<Memory>('mem');
  const snapAfter = await snap('after');
  if (snapBefore && snapAfter) for (const line of growth(snapBefore, snapAfter, sockets)) log(`${t.label}: ${line}`);
  await closeAll(idle);
  await serverSockets(t.child, 0);
  return { sockets, before, after, heapPerSocket: (after.heapUsed - before.heapUsed) / sockets, rssPerSocket: (after.rss - before.rss) / sockets };
}

/** A step's full collections, as seconds into the step with their pauses: "none", or "at 3.0 s (12 ms), …". */
function majors(s: Measured, gcs: MajorGc[]): string {
  return gcs.length ? `at ${gcs.map((g) => `${((g.at - s.startedAt) / 1000).toFixed(1)} s (${g.ms.toFixed(0)} ms)`).join(', ')}` : 'none';
}

function describe(label: string, s: Measured): string {
  const errs = Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    `${label} ${s.target} msg/s → sent ${s.sendRate.toFixed(0)}/s, received ${s.recvRate.toFixed(0)}/s; ` +
    `p50 ${ms(pct(s.latency, 50))}, p99 ${ms(pct(s.latency, 99))}, max ${ms(pct(s.latency, 100))}; ack p99 ${ms(pct(s.ack, 99))}; ` +
    `the slowest 1% (${s.tail.messages}) sent in ${s.tail.windows} distinct 100 ms windows (${s.tail.at.slice(0, 6).map((x) => `${x.toFixed(1)} s`).join(', ')}${s.tail.windows > 6 ? ', …' : ''} into the step); ` +
    `full GCs ${majors(s, s.server.majors)} in the server, ${majors(s, s.clientMajors)} in the client; ` +
    `${s.overloaded ? `OVERLOADED (stopped after ${s.sent} sends), ` : ''}lost ${s.lost}${errs ? `, errors: ${errs}` : ''}; machine load ${s.machineLoad.toFixed(1)}; server ELU ${s.server.elu.toFixed(2)} CPU ${s.server.cpu.toFixed(2)} loop delay p99 ${ms(s.server.loopP99)} max ${ms(s.server.loopMax)} GC ${s.server.gcMs.toFixed(0)} ms (longest ${ms(s.server.gcMax)}), client ELU ${s.clientElu.toFixed(2)} lag p99 ${ms(s.clientLag.p99)} max ${ms(s.clientLag.max)}` +
    (s.services ? `; PostgreSQL CPU ${s.services.postgres.toFixed(2)}, Redis CPU ${s.services['redis-server'].toFixed(2)}` : '') +
    (s.writer
      ? `; group commit: ${s.writer.batches} batches of ${s.writer.meanBatch.toFixed(1)} on average, a message waited p50 ≤ ${ms(s.writer.queued.p50)} p99 ≤ ${ms(s.writer.queued.p99)} (mean ${ms(s.writer.queued.mean)}) for its batch and was written (send to answer) p50 ≤ ${ms(s.writer.written.p50)} p99 ≤ ${ms(s.writer.written.p99)}, a transaction took p50 ≤ ${ms(s.writer.transaction.p50)} p99 ≤ ${ms(s.writer.transaction.p99)} (mean ${ms(s.writer.transaction.mean)})${s.writer.failed ? `, ${s.writer.failed} transactions failed` : ''}`
      : '') +
    (s.upkeep ? `; PostgreSQL upkeep: ${s.upkeep}` : '')
  );
}

async function step(t: Target, meter: Meter, customers: Parameters<Meter['run']>[0], rate: number, seconds: number, sockets: number): Promise<Measured> {
  const vacuumed = process.env.BENCH_NO_VACUUM ? false : await vacuumIfNoAutovacuum(t.databaseUrl);
  const scraped = await scrape(t.url);
  const kept = await upkeep(t.databaseUrl);
  // Last before the load: the server's figures (and its list of full collections) start with the step.
  await t.child.request('stats');
  const before = serviceCpuSeconds();
  const t0 = performance.now();
  const s = await meter.run(customers, rate, seconds);
  const services = serviceCores(before, serviceCpuSeconds(), (performance.now() - t0) / 1000);
  const server = await t.child.request<Load>('stats');
  const writer = writerFigures(scraped, await scrape(t.url));
  const upkept = (vacuumed ? 'autovacuum is off on this server: the bench vacuumed the chat\'s tables before the step; ' : '') + (describeUpkeep(kept, await upkeep(t.databaseUrl)) ?? '');
  return { ...s, server, sockets, machineLoad: loadavg()[0]!, ...(services ? { services } : {}), ...(writer ? { writer } : {}), ...(upkept ? { upkeep: upkept } : {}) };
}

const passes = (s: Measured, o: Options) =>
  !s.overloaded && pct(s.latency, 99) <= o.p99Bound && s.lost === 0 && Object.keys(s.errors).length === 0 && s.sendRate >= 0.95 * s.target;

/** Rates tried in turn up to the first miss; below the first rung, halving until one holds. */
const LADDER = [250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000, 15_000, 20_000, 25_000, 30_000];
const roundRate = (x: number) => (x < 1000 ? Math.round(x / 10) * 10 : Math.round(x / 50) * 50);

async function ramp(t: Target, o: Options, meter: Meter, customers: Parameters<Meter['run']>[0], sockets: number) {
  const steps: Measured[] = [];
  let best: Measured | undefined;
  let missed: number | undefined;
  const tryRate = async (rate: number) => {
    const s = await step(t, meter, customers, rate, o.stepSeconds, sockets);
    log(describe(`${t.label} ramp`, s));
    steps.push(s);
    if (!passes(s, o)) return (missed = Math.min(missed ?? Infinity, rate)), false;
    if (!best || rate > best.target) best = s;
    return true;
  };
  for (const rate of LADDER.filter((r) => r <= o.maxRate)) if (!(await tryRate(rate))) break;
  for (let r = roundRate((missed ?? 0) / 2); !best && r >= 10; r = r > 10 ? Math.max(10, roundRate(r / 2)) : 0) await tryRate(r);
  // Then narrow the gap between the best rate that held and the lowest that did not, twice.
  for (let i = 0; i < 2 && best && missed && missed / best.target > 1.15; i++) await tryRate(roundRate((best.target + missed) / 2));
  return { steps, best };
}

export async function measure(t: Target, o: Options): Promise<Figures> {
  const idle = await idleMemory(t, o);
  log(`${t.label}: heap ${((idle.after.heapUsed - idle.before.heapUsed) / 1048576).toFixed(1)} MiB, RSS ${((idle.after.rss - idle.before.rss) / 1048576).toFixed(1)} MiB for ${idle.sockets} idle sockets`);

  let t0 = Date.now();
  const widgets = await connectWidgets(t.url, t.shopId, t.tokens.slice(0, o.sockets));
  const lap = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  log(`${t.label}: ${widgets.length} customers connected (${lap()})`);
  const customers = await openConversations(widgets);
  log(`${t.label}: each opened a conversation (${lap()})`);
  const agents = await connectAgents(t.url, t.shopId, t.cookies);
  await joinAll(agents, customers.map((c) => c.conversationId));
  const sockets = await serverSockets(t.child, widgets.length + agents.length);
  log(`${t.label}: ${agents.length} agents joined to all of them (${lap()}); the server counts ${sockets} sockets`);

  try {
    const meter = new Meter();
    meter.watch(agents);
    const profiles: string[] = [];
    const profiled = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      if (!o.profileDir) return run();
      await t.child.request('profileStart');
      try {
        return await run();
      } finally {
        profiles.push(await t.child.request<string>('profileStop', join(o.profileDir, `${t.label.replace(/\W/g, '')}-${name}.cpuprofile`)));
      }
    };
    await t.child.request('stats');
    const quiet = await profiled('quiet', async () => (await sleep(5000), t.child.request<Load>('stats')));
    log(`${t.label}: quiet 5 s with ${sockets} sockets, no messages: server ELU ${quiet.elu.toFixed(2)} CPU ${quiet.cpu.toFixed(2)}`);
    if (o.warmup > 0) log(describe(`${t.label} warm-up`, await step(t, meter, customers, o.rate, o.warmup, sockets)));
    if (t.label === 'persisted') await t.child.request('statements');
    const latency = await profiled('latency', () => step(t, meter, customers, o.rate, o.seconds, sockets));
    log(describe(`${t.label} latency`, latency));
    if (t.label === 'persisted') {
      const counted = await t.child.request<Array<[string, number]>>('statements');
      const total = counted.reduce((n, [, c]) => n + c, 0);
      if (total) {
        log(`${t.label}: ${(total / latency.sent).toFixed(2)} statements to the database per message during the latency step; the most frequent, per message:`);
        for (const [text, n] of counted.slice(0, 12)) log(`  ${(n / latency.sent).toFixed(3).padStart(7)}  ${text}`);
      }
    }
    const { steps, best } = await ramp(t, o, meter, customers, sockets);
    return { quiet, profiles, idle, latency, ramp: steps, sustained: best };
  } finally {
    // The server's disconnect handlers run after the clients have gone; let them finish.
    await closeAll([...widgets, ...agents]);
    await serverSockets(t.child, 0);
    await sleep(1000);
  }
}
