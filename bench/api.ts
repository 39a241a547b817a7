/**
 * The console's list and search endpoints under load on PostgreSQL: the inbox (all statuses,
 * by status, assignee, priority, tag, page 2 through the cursor), its searches (by number,
 * customer name, subject word, order number), a customer's related records, orders (list and
 * search), returns, the audit trail, and the contractor's queue over 100 shops, with
 * GET /api/auth/session and /healthz as floors. Each beside a bare twin: a route in the same
 * process, on the same database pool, that calls the same repository function and answers its
 * rows (bench/api/twin.ts), measured in the same run. The inbox and its active view also at
 * 1k and 10k conversations, to see whether p99 stays flat up to 100k.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/api.ts \
 *     [--scale full|small|N] [--seconds 10] [--warmup 1] [--connections 64] [--quiet 20]
 *     [--only inbox,search-*,…] [--rounds 1] [--explain]   (the server child runs with npm start's Node flags, then BENCH_SERVER_FLAGS)
 *   npx tsx bench/api.ts --scale small --seconds 3                # quick: a tenth of the rows
 *
 * A database madoguchi_bench_api_<random> is created on that server (default the local one),
 * migrated, seeded in SQL (bench/api/seed.ts: 100 shops, the big one with 100,000
 * conversations and 1,000,000 messages at full scale; --scale small divides every count by
 * 10, N by N) and dropped at the end, on Ctrl-C or a failure too. Redis at BENCH_REDIS_URL or
 * the local one, under a key prefix of its own that is removed at the end.
 *
 * Each request is first sent once (its status, size and the statements it sent are printed)
 * and timed alone; then loaded at --connections for --seconds after a warm-up, the real route
 * and then its twin. With --rounds N (odd), the whole list is loaded N times, every other
 * round in the reverse order, and each request's row is its round of median real p99, with
 * the twin of that same round (a round that answered errors is taken instead, so it is
 * flagged): p99 at 64 connections moves by a third between identical runs. The verdicts then
 * judge those medians, and print every round's p99. The churn rows change the big shop's
 * newest conversations for good, so in the later rounds its rows run after them.
 *
 * The server runs in a child process (bench/api/server.ts) and autocannon in another
 * (bench/api/loadgen.ts), so each one's CPU is its own: the table gives the
 * server's and PostgreSQL's CPU per request, the server's event-loop utilisation, and the load
 * generator's cores. On two cores they share the machine; what else ran on it meanwhile is
 * given too ("other" cores), and before each run the bench waits up to --quiet seconds for the
 * machine to be idle. A real route that answers anything but 2xx, or nothing within the run,
 * is flagged and misses every target. --explain prints each request's statements (as the
 * server sent them) with EXPLAIN (ANALYZE, BUFFERS) of its main queries. The result is also
 * written to bench/results/api-<time>.json. A script, not a test: it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../server/core/db/client.ts';
import { explainRequest } from './api/explain.ts';
import { measure, startLoadgen } from './api/measure.ts';
import { failed, table, verdicts, type Measured, type Row } from './api/report.ts';
import { only, pairs, type Pair } from './api/requests.ts';
import { PASSWORD, seedApi, type Seeded } from './api/seed.ts';
import type { Statement } from './api/server.ts';
import { benchServerFlags, Child } from './chat/ipc.ts';
import { removeRedisKeys, throwawayDatabase } from './postgres.ts';

const { values: a } = parseArgs({
  options: {
    scale: { type: 'string', default: 'full' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    quiet: { type: 'string', default: '20' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    explain: { type: 'boolean', default: false },
  },
});
const num = (k: 'seconds' | 'warmup' | 'quiet' | 'connections' | 'rounds', min: number) => {
  const v = Number(a[k]);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${k} expects a number ≥ ${min}, got ${a[k]}`);
  return v;
};
/** A median needs an odd number of rounds: of two middle rounds, either would flatter or wrong the figures. */
function oddRounds(n: number): number {
  if (!Number.isInteger(n) || n % 2 === 0) throw new Error(`--rounds expects an odd whole number (1, 3, 5…), got ${n}`);
  return n;
}
const divisor = a.scale === 'full' ? 1 : a.scale === 'small' ? 10 : Number(a.scale);
if (!Number.isFinite(divisor) || divisor < 1) throw new Error(`--scale expects full, small or a divisor ≥ 1, got ${a.scale}`);
const opts = { scale: a.scale!, divisor, seconds: num('seconds', 1), warmup: num('warmup', 0), quiet: num('quiet', 0), connections: num('connections', 1), rounds: oddRounds(num('rounds', 1)), only: a.only, explain: a.explain! };
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const dbName = `madoguchi_bench_api_${run}`;
const prefix = `mdg-bench-api-${run}:`;
const serverFlags = benchServerFlags();
const say = (line = '') => process.stdout.write(`${line}\n`);

/** Requests timed one after another, with nothing else running, for the `alone` column. */
const ALONE = 5;

/* ---------- cleaning up, also after Ctrl-C or a failure ---------- */

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => say(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
// Output piped into a `head` that has closed must not end the bench before it drops its database.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});
process.once('uncaughtException', (e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
  void cleanUp().finally(() => process.exit(1));
});

async function signIn(base: string, email: string): Promise<Record<string, string>> {
  const r = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (r.status !== 200) throw new Error(`sign-in of ${email}: ${r.status} ${await r.text()}`);
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return { cookie: r.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': csrfToken };
}

/** The database, migrated and seeded; the server child beside its twin; the owner and the contractor signed in. */
async function prepare() {
  const { url, drop } = await throwawayDatabase(adminUrl, dbName);
  cleanups.push(drop);
  say(`database ${dbName} on ${new URL(adminUrl).host}; scale ${opts.scale}${divisor > 1 ? ` (1/${divisor})` : ''}`);
  await (await openPostgres(url, { max: 1 })).close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  say('seeding:');
  const seeded = await seedApi(client, divisor, (l) => say(l));
  const counts = Object.entries(seeded.counts).map(([t, n]) => `${n.toLocaleString('en')} ${t}`);
  say(`seeded in ${seeded.seconds.rows.toFixed(1)} s, then VACUUM (ANALYZE) in ${seeded.seconds.vacuum.toFixed(1)} s: ${counts.join(', ')}`);

  const dataDir = mkdtempSync(join(tmpdir(), 'madoguchi-bench-api-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(async () => void (await removeRedisKeys(redisUrl, prefix)));
  const env = { NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DATABASE_URL: url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn', SEED_DEMO: 'false', JOBS: 'off' };
  const { child } = await Child.start('../api/server.ts', env, serverFlags);
  cleanups.push(() => child.stop());
  const ports = await child.request<{ real: number; twin: number }>('ports');
  const real = `http://127.0.0.1:${ports.real}`;
  const headers = { owner: await signIn(real, seeded.owner.email), contractor: await signIn(real, seeded.contractor.email) };
  const first = await fetch(`${real}/api/shops/${seeded.shops.big.id}/conversations`, { headers: headers.owner });
  const cursor = first.ok ? ((await first.json()) as { next: string | null }).next : null;
  if (!cursor) say(`‼ no cursor for page 2: the first inbox page answered ${first.status}`);
  return { client, seeded, child, real, twin: `http://127.0.0.1:${ports.twin}`, headers, list: only(pairs(seeded, cursor), opts.only) };
}

interface Probed {
  real: Statement[];
  twin: Statement[];
  /** Rows on the real route's page, for a list. */
  shown?: number;
  alone: { real: number; twin: number };
}

/** One request to each side, recording the statements sent, then ALONE more one after another for their median time; a real route that does not answer 2xx is said loudly. */
async function probe(child: Child, p: Pair, real: string, twin: string, hdrs: Record<string, string>): Promise<Probed> {
  const once = async (url: string, h: Record<string, string>) => {
    await child.request('capture', true);
    const r = await fetch(url, { headers: h });
    const body = await r.text();
    const statements = await child.request<Statement[]>('capture', false);
    const times: number[] = [];
    for (let i = 0; i < ALONE; i++) {
      const t0 = performance.now();
      await (await fetch(url, { headers: h })).arrayBuffer();
      times.push(performance.now() - t0);
    }
    return { status: r.status, bytes: Buffer.byteLength(body), body, statements, shown: r.status >= 200 && r.status < 300 ? shownRows(body) : undefined, alone: times.sort((x, y) => x - y)[Math.floor(ALONE / 2)]! };
  };
  const r = await once(`${real}${p.real}`, hdrs);
  const t = await once(`${twin}${p.twin}`, {});
  const side = (x: typeof r) => `${x.status} ${String(x.bytes).padStart(7)} B${x.shown === undefined ? '' : ` ${x.shown} rows`} ${String(x.statements.length).padStart(3)} statements, alone ${x.alone.toFixed(1).padStart(6)} ms`;
  say(`  ${key(p).padEnd(24)} real ${side(r)} │ twin ${side(t)}`);
  if (r.status < 200 || r.status > 299) say(`  ‼‼ ${key(p)}: the REAL route answered ${r.status}: ${r.body.slice(0, 400)}`);
  if (t.status < 200 || t.status > 299) say(`  ‼ ${key(p)}: the twin answered ${t.status}: ${t.body.slice(0, 400)}`);
  return { real: r.statements, twin: t.statements, shown: r.shown, alone: { real: r.alone, twin: t.alone } };
}

/** How many rows a list's answer shows (its first array), or undefined for anything else. */
function shownRows(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? Object.values(parsed).find(Array.isArray) : undefined;
    return list?.length;
  } catch {
    return undefined;
  }
}

/** The round of median real p99, with its own twin (the pair measured together); a round whose real route failed, if any, so that it is flagged. */
function medianRound(real: Measured[]): number {
  const bad = real.findIndex(failed);
  if (bad >= 0) return bad;
  const order = real.map((m, i) => ({ p99: m.p99, i })).sort((x, y) => x.p99 - y.p99);
  return order[(order.length - 1) / 2]!.i;
}

const key = (p: Pair) => (p.size ? `${p.name} @ ${p.size}` : p.name);
const brief = (s: Statement) => s.text.replace(/\s+/g, ' ').trim().slice(0, 120);

async function main() {
  const started = new Date();
  const { client, seeded, child, real, twin, headers, list } = await prepare();
  const probed = new Map<string, Probed>();
  say(`\nchecking each request (status, size, statements sent, median time of ${ALONE} alone):`);
  for (const p of list) probed.set(key(p), await probe(child, p, real, twin, headers[p.who]));

  const loadgen = startLoadgen();
  cleanups.push(async () => loadgen.stop());
  say(`\nload: ${opts.connections} connections, ${opts.warmup} s warm-up then ${opts.seconds} s, real then twin${opts.rounds > 1 ? `, ${opts.rounds} rounds` : ''}:`);
  const runOptions = { ...opts, database: dbName };
  const runs = new Map<string, { real: Measured[]; twin: Measured[] }>(list.map((p) => [key(p), { real: [], twin: [] }]));
  for (let round = 0; round < opts.rounds; round++) {
    if (opts.rounds > 1) say(`round ${round + 1}${round % 2 ? ' (reverse order)' : ''}:`);
    for (const p of round % 2 ? [...list].reverse() : list) {
      const churn = (perSecond: number) => child.request('churn', { shopId: seeded.shops[p.size!].id, perSecond });
      if (p.churn) await churn(p.churn);
      const r = await measure(child, loadgen, `${real}${p.real}`, headers[p.who], runOptions);
      const t = await measure(child, loadgen, `${twin}${p.twin}`, {}, runOptions);
      if (p.churn) await churn(0);
      runs.get(key(p))!.real.push(r);
      runs.get(key(p))!.twin.push(t);
      const line = (m: typeof r) => `${m.rps.toFixed(0).padStart(6)} req/s p50 ${m.p50.toFixed(1).padStart(6)} p99 ${m.p99.toFixed(1).padStart(6)} ms`;
      const loud = failed(r) ? ` ‼ ${r.responses} answers ${JSON.stringify(r.statuses)}, ${r.errors} errors, ${r.timeouts} timeouts` : '';
      const busy = Math.max(r.otherCores, t.otherCores) > 0.25 ? ` ‼ other work ${Math.max(r.otherCores, t.otherCores).toFixed(2)} cores` : '';
      say(`  ${key(p).padEnd(24)} real ${line(r)}${loud} │ twin ${line(t)}${busy}`);
    }
  }
  const rows: Row[] = list.map((p) => {
    const st = probed.get(key(p))!;
    const statements = { real: st.real.length, twin: st.twin.length, texts: { real: st.real.map(brief), twin: st.twin.map(brief) } };
    const { real: r, twin: t } = runs.get(key(p))!;
    const chosen = medianRound(r);
    const rounds = r.length > 1 ? { real: r.map((m) => m.p99), twin: t.map((m) => m.p99), otherCores: r.map((m, i) => Math.max(m.otherCores, t[i]!.otherCores)), chosen } : undefined;
    return { pair: p, conversations: p.size ? seeded.shops[p.size].conversations : undefined, shown: st.shown, statements, alone: st.alone, real: r[chosen]!, twin: t[chosen]!, rounds };
  });

  say('');
  if (opts.rounds > 1) say(`each row: its round of median real p99 of ${opts.rounds}, with that round's twin`);
  for (const l of table(rows)) say(l);
  const shared = rows.filter((r) => Math.max(r.real.otherCores, r.twin.otherCores, ...(r.rounds?.otherCores ?? [])) > 0.25);
  if (shared.length) say(`‼ ${shared.length} of ${rows.length} requests were measured while other work took more than a quarter of a core (column "other"): ${shared.map((r) => key(r.pair)).join(', ')}`);
  const v = verdicts(rows, opts.connections);
  say('\ntargets (issue 17):');
  for (const x of v) say(`  ${x.pass ? 'PASS' : 'MISS'}  ${x.target.padEnd(38)} ${x.subject.padEnd(22)} ${x.value}`);

  const explained: Record<string, string[]> = {};
  if (opts.explain) {
    say('\nEXPLAIN (ANALYZE, BUFFERS) of what each real request sent:');
    // As the server's connections run them (openPostgres): with JIT on, all my shops' search was
    // compiled for 274 ms here, which no request of the server pays.
    await client.query('set jit = off');
    for (const p of list) {
      const st = probed.get(key(p))!;
      explained[key(p)] = await explainRequest(client, key(p), st.real, st.twin);
      for (const l of explained[key(p)]!) say(l);
    }
  }
  await writeResult(started, client, seeded, { rows, verdicts: v, explained });
}

async function writeResult(started: Date, client: pg.Client, seeded: Seeded, result: object) {
  const file = fileURLToPath(new URL(`./results/api-${started.toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url));
  mkdirSync(join(file, '..'), { recursive: true });
  const postgres = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, postgres };
  writeFileSync(file, JSON.stringify({ started, options: opts, machine, seeding: { seconds: seeded.seconds, counts: seeded.counts, samples: seeded.samples }, ...result }, null, 2));
  say(`\nwritten to ${file}`);
}

main()
  .catch((e: unknown) => {
    process.exitCode = 1;
    say(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  })
  .finally(async () => {
    await cleanUp();
    process.exit();
  });
