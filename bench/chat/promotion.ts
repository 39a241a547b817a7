/**
 * What reaches V8's old generation per query, node-postgres alone: a named statement that
 * answers three rows, one at a time at a fixed rate on one connection, with about 60 KB of
 * short-lived garbage per query so the young generation is collected every ~70 ms (a 16 MB
 * semi-space, fixed). Nothing outlives a query, so whatever is promoted is promoted by the
 * collector's heuristics, not by the code. Each child runs with `--trace-gc-nvp` and the
 * promoted bytes of its scavenges are summed, for two shapes of call and with and without
 * V8's allocation-site pretenuring, whose default is on:
 *   promise   client.query(config), as Drizzle and core/db/statement.ts call it;
 *   callback  client.query(config, callback) inside a Promise.
 * README, "What it costs, measured" (issue 15, stop 35), has the figures and what they mean
 * for the server. A script, not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/chat/promotion.ts [--seconds 8] [--rate 1000]
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, rate: { type: 'string', default: '1000' }, child: { type: 'string' } } });
const [seconds, rate] = [Number(a.seconds), Number(a.rate)];
for (const [k, v] of Object.entries({ seconds, rate })) if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} expects a positive number`);
const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('set BENCH_DATABASE_URL (PostgreSQL): this bench measures node-postgres');

const text = `select g as id, $1::uuid[] as ids, repeat('あ', 40) as body, now() as created_at, $2::text[] as words from generate_series(1, 3) g`;

async function child(shape: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const query = (values: unknown[]) =>
    shape === 'promise'
      ? client.query({ name: 'promotion', text, values })
      : new Promise((done, fail) => client.query({ name: 'promotion', text, values }, (err, res) => (err ? fail(err) : done(res))));
  let kept: unknown;
  await query([[randomUUID()], ['warm']]);
  console.log('START');
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
  console.log(`QUERIES ${n} ${String(kept).length}`);
  await client.end();
}

function run(shape: string, flags: string[]): { queries: number; scavenges: number; promoted: number } {
  const out = execFileSync(process.execPath, ['--trace-gc-nvp', '--min-semi-space-size=16', '--max-semi-space-size=16', ...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', shape, '--seconds', String(seconds), '--rate', String(rate)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines = out.split('\n');
  const from = lines.indexOf('START');
  let scavenges = 0;
  let promoted = 0;
  let queries = 0;
  for (const l of lines.slice(from)) {
    if (l.includes(' gc=s ')) {
      scavenges++;
      promoted += Number(/ promoted=(\d+)/.exec(l)?.[1] ?? 0);
    }
    const q = /^QUERIES (\d+)/.exec(l);
    if (q) queries = Number(q[1]);
  }
  return { queries, scavenges, promoted };
}

if (a.child) await child(a.child);
else {
  console.log(`node-postgres, a named statement of three rows, ${rate}/s for ${seconds} s, one connection; bytes promoted to the old generation per query (--trace-gc-nvp):`);
  for (const [label, flags] of [['V8 defaults', []], ['--no-allocation-site-pretenuring', ['--no-allocation-site-pretenuring']]] as const) {
    for (const shape of ['promise', 'callback']) {
      const r = run(shape, [...flags]);
      console.log(`  ${label.padEnd(34)} ${shape.padEnd(9)} ${r.queries} queries, ${r.scavenges} scavenges, ${(r.promoted / r.queries / 1024).toFixed(2)} KB promoted per query`);
    }
  }
}
