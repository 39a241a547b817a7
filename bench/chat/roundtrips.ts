/**
 * The chat's group commit, its round trips alone: the two calls the server sends for a batch
 * (conversations.write.repository.ts: chat_lock_and_read, chat_write_batch) inside BEGIN …
 * COMMIT, at a fixed rate of batches against PostgreSQL, one batch in flight at a time (as the
 * server runs them; --in-flight 2 for two), through
 *   pg         node-postgres as the server uses it: four round trips a batch, one after another;
 *   postgres   postgres.js, the same four round trips one after another (the driver alone);
 *   pipelined  postgres.js, BEGIN + lock-and-read sent together, then write + COMMIT together:
 *              two round trips.
 * No sockets, no Socket.IO, no SLA pass: what the driver and the round trips cost, measured
 * with the client and PostgreSQL alone on the machine. --explain prints the plans the two
 * functions run (auto_explain, after eight batches); --analyze runs ANALYZE on the seeded
 * database first, so that plans are made from statistics of tables with no message yet (see
 * migration 0037). A script, not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/chat/roundtrips.ts [--rate 250] [--batch 1] [--in-flight 1] [--seconds 10] [--conversations 2000] [--explain] [--analyze]
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import postgres from 'postgres';
import { freshPostgres } from '../postgres.ts';
import { chatWriteTexts } from '../../server/domains/conversations/conversations.write.repository.ts';
import { pct } from './load.ts';
import { seedChats } from './seed.ts';
import { batchCalls } from './calls.ts';
import { serviceCores, serviceCpuSeconds } from './services.ts';

const { values: a } = parseArgs({
  options: {
    rate: { type: 'string', default: '250' },
    batch: { type: 'string', default: '1' },
    'in-flight': { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    conversations: { type: 'string', default: '2000' },
    explain: { type: 'boolean', default: false },
    analyze: { type: 'boolean', default: false },
  },
});
const [rate, perBatch, seconds, count, inFlightMax] = [Number(a.rate), Number(a.batch), Number(a.seconds), Number(a.conversations), Number(a['in-flight'])];
for (const [k, v] of Object.entries({ batch: perBatch, conversations: count, 'in-flight': inFlightMax })) if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} expects a positive whole number`);
for (const [k, v] of Object.entries({ rate, seconds })) if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} expects a positive number`);
const admin = process.env.BENCH_DATABASE_URL;
if (!admin) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server (a database is created and dropped)');
const say = (line = '') => process.stdout.write(`${line}\n`);

type Row = Record<string, unknown>;
/** One batch: BEGIN, lock, reads, write, COMMIT; `send` is how a variant puts them on the wire. */
type Variant = { name: string; batch(conv: Array<{ shopId: string; id: string; customerId: string }>): Promise<void>; close(): Promise<unknown> };


/** Time spent in each statement of the pg variant, summed over the run (ms). */
export const perStatement = new Map<string, number[]>();
const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    const l = perStatement.get(name) ?? [];
    l.push(performance.now() - t0);
    perStatement.set(name, l);
  }
};

function pgVariant(url: string): Variant {
  const pool = new pg.Pool({ connectionString: url, max: Math.max(4, inFlightMax) });
  return {
    name: 'pg (4 round trips)',
    async batch(conv) {
      const p = batchCalls(conv);
      const client = await pool.connect();
      try {
        await timed('begin', () => client.query('begin'));
        const read = await timed('lock+read', () => client.query({ name: 'b_lock_read', text: chatWriteTexts.lockRead, values: p.lockRead }));
        await timed('write', () => client.query({ name: 'b_write', text: chatWriteTexts.write, values: p.write(read.rows) }));
        await timed('commit', () => client.query('commit'));
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * postgres.js types an array parameter by its first element (a boolean[] goes as boolean) and
 * sends a null element as the text "NULL": arrays go as PostgreSQL array literals instead, as
 * node-postgres writes them, and the statements' own casts ($n::uuid[]) read them.
 */
const literal = (v: unknown): unknown => {
  if (!Array.isArray(v)) return v;
  return `{${v.map((x) => (x === null || x === undefined ? 'NULL' : `"${String(x).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
};
const literals = (values: unknown[]) => values.map(literal) as never;

function postgresVariant(url: string, pipelined: boolean): Variant {
  const sql = postgres(url, { max: Math.max(4, inFlightMax), onnotice: () => undefined });
  return {
    name: pipelined ? 'postgres.js pipelined (2 round trips)' : 'postgres.js (4 round trips)',
    async batch(conv) {
      const p = batchCalls(conv);
      const c = await sql.reserve();
      try {
        if (pipelined) {
          const [, read] = await Promise.all([c.unsafe('begin'), c.unsafe(chatWriteTexts.lockRead, literals(p.lockRead), { prepare: true })]);
          await Promise.all([c.unsafe(chatWriteTexts.write, literals(p.write(read as unknown as Row[])), { prepare: true }), c.unsafe('commit')]);
        } else {
          await c.unsafe('begin');
          const read = await c.unsafe(chatWriteTexts.lockRead, literals(p.lockRead), { prepare: true });
          await c.unsafe(chatWriteTexts.write, literals(p.write(read as unknown as Row[])), { prepare: true });
          await c.unsafe('commit');
        }
      } catch (e) {
        await c.unsafe('rollback').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => sql.end(),
  };
}

/** Open loop: a batch every 1/rate s, --in-flight of them at most, the rest waiting their turn (as the server's writer does). */
async function drive(v: Variant, pool: Array<{ shopId: string; id: string; customerId: string }>, secs: number) {
  const latencies: number[] = [];
  let failed = 0;
  let inFlight = 0;
  const waiting: number[] = [];
  let next = 0;
  const pick = () => Array.from({ length: perBatch }, () => pool[next++ % pool.length]!);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let scheduled = 0;
  const total = Math.round(rate * secs);
  const start = () => {
    while (inFlight < inFlightMax && waiting.length) {
      const t0 = waiting.shift()!;
      inFlight++;
      v.batch(pick())
        .then(
          () => latencies.push(performance.now() - t0),
          (e: unknown) => {
            if (!failed++) say(`  ${v.name}: first failure: ${(e as Error).message}`);
          },
        )
        .finally(() => {
          inFlight--;
          if (latencies.length + failed === total) resolveDone();
          start();
        });
    }
  };
  const cpu0 = process.cpuUsage();
  const svc0 = serviceCpuSeconds();
  const t0 = performance.now();
  const timer = setInterval(() => {
    // Batch k is due at k/rate s: the first at once.
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (scheduled < due) {
      waiting.push(t0 + (scheduled * 1000) / rate);
      scheduled++;
    }
    start();
    if (scheduled >= total) clearInterval(timer);
  }, 1);
  await done;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const svc = serviceCores(svc0, serviceCpuSeconds(), wall);
  const n = latencies.length;
  const sorted = Float64Array.from(latencies).sort();
  return { n, failed, wall, p50: pct(sorted, 50), p99: pct(sorted, 99), max: pct(sorted, 100), nodeMsPerBatch: (c.user + c.system) / 1000 / n, pgMsPerBatch: ((svc?.postgres ?? 0) * wall * 1000) / n };
}

/**
 * The plans the two functions run, as auto_explain prints them (with their execution times) for
 * the eighth batch on one connection, in a transaction that is rolled back.
 */
async function explain(url: string, pool: Array<{ shopId: string; id: string; customerId: string }>) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let notices: string[] = [];
  c.on('notice', (n) => notices.push(String(n.message)));
  await c.query("load 'auto_explain'");
  await c.query('set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_analyze = on; set auto_explain.log_level = notice; set client_min_messages = notice');
  for (let run = 0; run < 8; run++) {
    notices = [];
    const p = batchCalls([pool[run % pool.length]!]);
    await c.query('begin');
    const read = await c.query({ name: 'x_lock_read', text: chatWriteTexts.lockRead, values: p.lockRead });
    await c.query({ name: 'x_write', text: chatWriteTexts.write, values: p.write(read.rows) });
    await c.query('rollback');
  }
  // The functions' own statements (not the calls, nor the foreign-key checks the insert runs).
  for (const n of notices.filter((x) => !/chat_(lock_and_read|write_batch)\(\$|FOR KEY SHARE/.test(x))) {
    const lines = n.split('\n');
    const plan = lines.slice(lines.findIndex((l, i) => i > 1 && /^\S/.test(l) && !/^(Query Text|\s)/.test(l) && /\(cost=/.test(l)));
    say(`  ${lines[0]}`);
    for (const l of plan) say(`      ${l}`);
  }
  await c.end();
}

const fresh = await freshPostgres(admin);
const url = new URL(fresh.url);
try {
  const { database } = fresh;
  const pool = (await seedChats(database.db, { customers: count })).sort(() => Math.random() - 0.5);
  // Statistics of the seeded tables, with no message yet: as autovacuum's first ANALYZE of a new database leaves them.
  if (a.analyze) await database.db.execute(sql`analyze`);
  say(`round trips of the chat's group commit: ${rate} batches/s of ${perBatch} message(s), ${seconds} s each, ${inFlightMax} in flight at most, ${pool.length} conversations`);
  if (a.explain) await explain(url.toString(), pool);
  say('variant                                batches  failed     p50      p99      max   client CPU/batch   PostgreSQL CPU/batch');
  // Each variant twice, interleaved, so a slow minute on the machine shows as a spread rather than as a winner.
  const variants = [pgVariant(url.toString()), postgresVariant(url.toString(), false), postgresVariant(url.toString(), true)];
  for (const v of variants) await drive(v, pool, 2); // warm-up: connections, prepared statements, JIT
  for (let round = 0; round < 2; round++) {
    for (const v of variants) {
      const r = await drive(v, pool, seconds);
      say(`${v.name.padEnd(38)} ${String(r.n).padStart(7)} ${String(r.failed).padStart(7)} ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}  ${r.max.toFixed(2).padStart(7)}   ${r.nodeMsPerBatch.toFixed(3).padStart(8)} ms        ${r.pgMsPerBatch.toFixed(3).padStart(8)} ms`);
    }
  }
  for (const v of variants) await v.close();
  if (a.explain) {
    say('and again after the runs, with their messages in the table:');
    await explain(url.toString(), pool);
  }
  say('pg variant, time per statement as the client saw it (p50 / p99 ms):');
  for (const [k, l] of perStatement) {
    const sorted = Float64Array.from(l).sort();
    say(`  ${k.padEnd(7)} ${pct(sorted, 50).toFixed(2)} / ${pct(sorted, 99).toFixed(2)}`);
  }
} finally {
  await fresh.database.close();
  await fresh.drop();
}
