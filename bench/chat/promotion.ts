/**
 * What reaches V8's old generation per query, node-postgres alone: a named statement that
 * answers three rows, one query at a time at a fixed rate on one connection, with about 60 KB
 * of short-lived garbage after each query so the young generation (a fixed 16 MB semi-space)
 * is collected every few hundred milliseconds, as in the chat bench. Nothing outlives a query,
 * so whatever is promoted is promoted by the collector's own decisions, not kept by the code.
 * Each case runs in a child that turns `--trace-gc-nvp` on after a warm-up and off before it
 * reports, and the promoted bytes of its scavenges are summed, for two ways of calling and
 * with and without V8's allocation-site pretenuring (on by default; `npm start` turns it off):
 *   promise   client.query(config), the promise form Drizzle and core/db/statement.ts use;
 *   callback  client.query(config, callback), inside a Promise.
 * README, "What it costs, measured" (issue 15, stop 35), has the figures. A script, not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/chat/promotion.ts [--seconds 8] [--rate 1000]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import pg from 'pg';

const { values: a } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, rate: { type: 'string', default: '1000' }, child: { type: 'string' } } });
const [seconds, rate] = [Number(a.seconds), Number(a.rate)];
for (const [k, v] of Object.entries({ seconds, rate })) if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} expects a positive number`);
const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('set BENCH_DATABASE_URL (PostgreSQL): this bench measures node-postgres; it writes nothing');
const say = (line = '') => process.stdout.write(`${line}\n`);
const shapes = ['promise', 'callback'] as const;
type Shape = (typeof shapes)[number];

const text = `select g as id, $1::uuid[] as ids, repeat('あ', 40) as body, now() as created_at, $2::text[] as words from generate_series(1, 3) g`;

async function child(shape: Shape): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const query = (values: unknown[]) =>
    shape === 'promise'
      ? client.query({ name: 'promotion', text, values })
      : new Promise((done, fail) => client.query({ name: 'promotion', text, values }, (err, res) => (err ? fail(err) : done(res))));
  // Stored so the optimiser cannot drop the work; the garbage's length only, so nothing of a query outlives the next one.
  let kept: unknown;
  await query([[randomUUID()], ['warm-up']]);
  v8.setFlagsFromString('--trace-gc-nvp');
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const wait = t0 + (n * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    kept = await query([[randomUUID(), randomUUID(), randomUUID()], ['配送状況', 'order', String(n)]]);
    const garbage = [];
    for (let i = 0; i < 600; i++) garbage.push({ i, s: `x${i}` });
    kept = garbage.length;
    n++;
  }
  v8.setFlagsFromString('--no-trace-gc-nvp');
  // On stderr: V8 writes its trace to stdout through its own buffer, in no fixed order with Node's writes.
  process.stderr.write(`QUERIES ${n} ${typeof kept}\n`);
  await client.end();
}

function run(shape: Shape, flags: readonly string[]): { queries: number; scavenges: number; promoted: number } {
  const args = ['--min-semi-space-size=16', '--max-semi-space-size=16', ...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', shape, '--seconds', String(seconds), '--rate', String(rate)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`the ${shape} child failed (${r.status}): ${r.stderr}`);
  const queries = Number(/^QUERIES (\d+)/m.exec(r.stderr)?.[1] ?? 0);
  // Scavenges by isolate: tsx's loader runs in a thread of its own, whose few collections are not the queries'.
  const byIsolate = new Map<string, { scavenges: number; promoted: number }>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\[\d+:(0x[0-9a-f]+)\].* gc=s .* promoted=(\d+)/.exec(line);
    if (!m) continue;
    const s = byIsolate.get(m[1]!) ?? { scavenges: 0, promoted: 0 };
    byIsolate.set(m[1]!, { scavenges: s.scavenges + 1, promoted: s.promoted + Number(m[2]) });
  }
  const main = [...byIsolate.values()].sort((x, y) => y.scavenges - x.scavenges)[0];
  if (!queries || !main) throw new Error(`the ${shape} child reported ${queries} queries and ${byIsolate.size} isolates with scavenges`);
  return { queries, ...main };
}

if (a.child) {
  if (!shapes.includes(a.child as Shape)) throw new Error(`--child expects ${shapes.join(' or ')}`);
  await child(a.child as Shape);
} else {
  say(`node-postgres, a named statement of three rows, ${rate}/s for ${seconds} s on one connection; bytes promoted to the old generation per query (--trace-gc-nvp):`);
  for (const [label, flags] of [['V8 defaults', []], ['--no-allocation-site-pretenuring', ['--no-allocation-site-pretenuring']]] as const) {
    for (const shape of shapes) {
      const r = run(shape, flags);
      say(`  ${label.padEnd(34)} ${shape.padEnd(9)} ${r.queries} queries, a scavenge every ${((seconds * 1000) / r.scavenges).toFixed(0)} ms, ${(r.promoted / r.queries / 1024).toFixed(2)} KB promoted per query`);
    }
  }
}
