/**
 * What one batch of the chat's group commit costs this process, layer by layer: the same
 * four round trips (BEGIN, chat_lock_and_read, chat_write_batch, COMMIT) sent
 *   raw        on a pooled node-postgres client, nothing else (as roundtrips.ts's pg variant);
 *   drizzle    in Drizzle's db.transaction, through core/db/statement.ts, as the server sends them;
 *   transact   the same inside events/commit.ts's transact (the outbox and after-commit work);
 *   writeMessages  what the server's writer runs for a batch (conversations.write.ts: the
 *              checks, mapping and SLA pass) in transact, --batch sends at once; its events
 *              are gathered and written as the server's are, but no bus publishes them.
 * The bench's shop has no SLA policy, as in bench/chat.ts, so no clock is read or written.
 * The writer's own queue is left out: handed --batch sends at once with nothing in flight, it
 * writes the first alone and the rest together, as it should, which is not one batch.
 * One batch in flight, paced at --rate batches/s; CPU is this process's (user + system, the
 * system part in brackets) per batch; --only runs the variants whose name starts with it.
 * Each variant runs --rounds times, interleaved: the spread between rounds is the
 * machine's, and a layer's cost shows only where it is larger than that spread. No sockets,
 * no Socket.IO. A script, not a test: it asserts nothing. Run it with npm start's flags, as
 * the server runs:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --v8-pool-size=1 --no-allocation-site-pretenuring --import tsx bench/chat/batch.ts [--batch 1] [--rate 150] [--seconds 6] [--rounds 3] [--only raw|drizzle|transact|writeMessages]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Db } from '../../server/core/db/client.ts';
import { statement } from '../../server/core/db/statement.ts';
import { transact } from '../../server/events/commit.ts';
import { chatWriteTexts } from '../../server/domains/conversations/conversations.write.repository.ts';
import { writeMessages } from '../../server/domains/conversations/conversations.write.ts';
import { onFreshPostgres } from '../postgres.ts';
import { ownFlags } from './ipc.ts';
import { batchCalls } from './calls.ts';
import { pct } from './load.ts';
import { seedChats, type BenchChat } from './seed.ts';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '1' },
    rate: { type: 'string', default: '150' },
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const [perBatch, rate, seconds, rounds] = [Number(a.batch), Number(a.rate), Number(a.seconds), Number(a.rounds)];
for (const [k, v] of Object.entries({ batch: perBatch, rounds })) if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} expects a positive whole number`);
for (const [k, v] of Object.entries({ rate, seconds })) if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} expects a positive number`);
const variantNames = ['raw node-postgres', 'drizzle transaction', 'transact (events/commit.ts)', 'writeMessages in transact'];
if (a.only && !variantNames.some((n) => n.startsWith(a.only!))) throw new Error(`--only expects the start of a variant's name: ${variantNames.join(', ')}`);
const admin = process.env.BENCH_DATABASE_URL;
if (!admin) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server (a database is created and dropped)');
const say = (line = '') => process.stdout.write(`${line}\n`);

const lockRead = statement('bench_batch_lock_read', chatWriteTexts.lockRead);
const write = statement('bench_batch_write', chatWriteTexts.write);
/** The two calls through core/db/statement.ts, on a Drizzle database or transaction. */
async function calls(tx: Db, chats: BenchChat[]) {
  const p = batchCalls(chats);
  await write(tx, p.write(await lockRead(tx, p.lockRead)));
}

/** One batch in flight, paced: batch k starts at k/rate s, or as soon as the one before it ends. */
async function drive(run: (chats: BenchChat[]) => Promise<unknown>, next: () => BenchChat[], secs: number) {
  const total = Math.round(rate * secs);
  const took: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    const s = performance.now();
    await run(next());
    took.push(performance.now() - s);
  }
  const c = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(took).sort();
  return { n: total, cpuMs: (c.user + c.system) / 1000 / total, sysMs: c.system / 1000 / total, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

await onFreshPostgres(admin, async ({ db }) => {
  const chats = await seedChats(db, { customers: 2000 });
  let at = 0;
  // Different conversations in each batch, round the pool, as many customers' messages are.
  const next = () => Array.from({ length: perBatch }, () => chats[at++ % chats.length]!);

  const pool = (db as unknown as { session: { client: pg.Pool } }).session.client;
  const sink = { poke: () => undefined, timing: { replyMailDelayMs: 60_000 } };
  const variants: Array<[string, (chats: BenchChat[]) => Promise<unknown>]> = [
    [
      'raw node-postgres',
      async (batch) => {
        const c = await pool.connect();
        try {
          const p = batchCalls(batch);
          await c.query('begin');
          const read = await c.query({ name: 'bench_raw_lock_read', text: chatWriteTexts.lockRead, values: p.lockRead });
          await c.query({ name: 'bench_raw_write', text: chatWriteTexts.write, values: p.write(read.rows) });
          await c.query('commit');
          c.release();
        } catch (e) {
          // A client in an aborted transaction does not go back to the pool.
          c.release(e as Error);
          throw e;
        }
      },
    ],
    ['drizzle transaction', (batch) => db.transaction((tx) => calls(tx, batch))],
    ['transact (events/commit.ts)', (batch) => transact(db, sink, (tx) => calls(tx, batch))],
    [
      'writeMessages in transact',
      (batch) =>
        transact(db, sink, (tx, out) =>
          writeMessages(tx, batch.map((c) => ({ author: c.author, input: { conversationId: c.id, clientId: randomUUID(), body: 'まだ届きません。', kind: 'text' as const } })), { now: new Date() }, out),
        ),
    ],
  ];
  // The first messages are written as the server writes them, whichever variants run.
  const firstMessages = variants.at(-1)![1];
  if (a.only) variants.splice(0, variants.length, ...variants.filter(([name]) => name.startsWith(a.only!)));
  say(`one batch of the chat's group commit, layer by layer: ${perBatch} message(s) a batch, ${rate} batches/s, ${seconds} s a run, ${rounds} rounds interleaved; Node ${process.version}, flags ${ownFlags().join(' ') || '(none)'}`);
  // A first message in every conversation before the runs, as the chat bench's warm-up gives each.
  for (let i = 0; i < chats.length; i += 100) await firstMessages(chats.slice(i, i + 100));
  // Warm-up: connections, prepared statements, JIT.
  for (const [, run] of variants) await drive(run, next, 2);
  say('variant                              round   batches   p50 ms   p99 ms   CPU/batch (system)');
  const cpu = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of variants) {
      const r = await drive(run, next, seconds);
      cpu.set(name, [...(cpu.get(name) ?? []), r.cpuMs]);
      say(`${name.padEnd(36)} ${String(round).padStart(5)}  ${String(r.n).padStart(8)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}   ${r.cpuMs.toFixed(3)} ms (${r.sysMs.toFixed(3)})`);
    }
  }
  say('CPU per batch, lowest and highest of the rounds:');
  for (const [name, l] of cpu) say(`  ${name.padEnd(36)} ${Math.min(...l).toFixed(3)}–${Math.max(...l).toFixed(3)} ms (${(Math.min(...l) / perBatch).toFixed(3)}–${(Math.max(...l) / perBatch).toFixed(3)} ms a message)`);
});
