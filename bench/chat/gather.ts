/**
 * The chat writer's gathering rule on its own (conversations.writer.ts): the process's message
 * writer, as the API builds it on PostgreSQL (concurrency 2), fed customer messages at random
 * (Poisson) times, each to another conversation, at each --rates step, for each of --rules
 * (after/while: the batch that opens the gathering window, GATHER_AFTER, and the batch that
 * keeps it open, GATHER_WHILE; 2/2 was the rule until stop 38) with a window of --gather-ms.
 * Per run: messages a batch, send-to-answer p50/p99, the mean wait before a batch took the
 * send, and this process's CPU (user + system) a message. Runs are interleaved round by round:
 * the spread between rounds is the machine's. No sockets, no Socket.IO, no other process but
 * PostgreSQL: what chat.ts's steps mix with the sockets' work. Arrivals are drawn ahead and
 * sent from a timer set for the next one, which Node fires to the millisecond at best, so at
 * 1,000 msg/s they come in bursts of about one a tick. A script, not a test: it asserts
 * nothing. Run it with npm start's flags:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --v8-pool-size=1 --no-allocation-site-pretenuring --import tsx bench/chat/gather.ts [--rates 250,500,1000] [--rules 2/2,4/2] [--gather-ms 6] [--seconds 8] [--rounds 2]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger } from '../../server/core/logger.ts';
import { createMessageWriter, GATHER_MS } from '../../server/domains/conversations/conversations.writer.ts';
import { onFreshPostgres } from '../postgres.ts';
import { ownFlags } from './ipc.ts';
import { pct } from './load.ts';
import { seedChats, type BenchChat } from './seed.ts';

const { values: a } = parseArgs({
  options: {
    rates: { type: 'string', default: '250,500,1000' },
    rules: { type: 'string', default: '2/2,4/2' },
    'gather-ms': { type: 'string', default: String(GATHER_MS) },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
  },
});
const list = (name: string, s: string) => {
  const xs = s.split(',').map(Number);
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`--${name} expects positive whole numbers separated by commas`);
  return xs;
};
const rates = list('rates', a.rates);
/** after/while: the batch that opens the window, and the batch that keeps it open. */
const rules = a.rules.split(',').map((r) => {
  const parts = r.split('/').map(Number);
  const [after, keep] = parts;
  if (parts.length !== 2 || !parts.every((x) => Number.isInteger(x) && x > 0) || keep! > after! || after! > 256) throw new Error('--rules expects after/while pairs of whole numbers, 1 ≤ while ≤ after ≤ 256 (the writer\'s largest batch), such as 4/2,2/2');
  return { after: after!, keep: keep! };
});
const [gatherMs, seconds, rounds] = [Number(a['gather-ms']), Number(a.seconds), Number(a.rounds)];
if (!Number.isFinite(gatherMs) || gatherMs < 0) throw new Error('--gather-ms expects a number of ms, 0 or more');
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds expects a positive number');
if (!Number.isInteger(rounds) || rounds <= 0) throw new Error('--rounds expects a positive whole number');
const admin = process.env.BENCH_DATABASE_URL;
if (!admin) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server (a database is created and dropped)');
const say = (line = '') => process.stdout.write(`${line}\n`);

/** Sends at `rate` msg/s for `secs` through a new writer gathering after batches of `after`. */
async function run(db: Parameters<typeof createMessageWriter>[0]['db'], next: () => BenchChat, rate: number, rule: { after: number; keep: number }, secs: number) {
  const sizes: number[] = [];
  let waited = 0;
  const writer = createMessageWriter(
    { db, poke: () => undefined, timing: { replyMailDelayMs: 60_000 }, logger: createLogger('warn'), observe: (b) => (sizes.push(b.size), (waited += b.waitedMs.reduce((x, y) => x + y, 0))) },
    { concurrency: 2, gatherMs, gatherAfter: rule.after, gatherWhile: rule.keep },
  );
  // Poisson arrivals: exponential gaps, drawn ahead.
  const due: number[] = [];
  for (let t = -Math.log(1 - Math.random()) * (1000 / rate); t < secs * 1000; t += -Math.log(1 - Math.random()) * (1000 / rate)) due.push(t);
  const took: number[] = [];
  const sends: Array<Promise<void>> = [];
  let failed: { error: unknown } | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let k = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now() - t0;
      for (; k < due.length && due[k]! <= now; k++) {
        const chat = next();
        const s = performance.now();
        // Caught at once: a failed send is the run's error, thrown once all have settled, not an unhandled rejection.
        const sent = writer.send({ author: chat.author, input: { conversationId: chat.id, clientId: randomUUID(), body: 'まだ届きません。', kind: 'text' } });
        sends.push(sent.then(() => void took.push(performance.now() - s), (error: unknown) => void (failed ??= { error })));
      }
      // The next arrival's time: Node's timers have a resolution of 1 ms.
      if (k < due.length) setTimeout(tick, due[k]! - (performance.now() - t0));
      else done();
    };
    tick();
  });
  await Promise.all(sends);
  await writer.idle();
  if (failed) throw failed.error;
  const c = process.cpuUsage(cpu0);
  const sorted = Float64Array.from(took).sort();
  return { n: took.length, batch: took.length / sizes.length, p50: pct(sorted, 50), p99: pct(sorted, 99), waitMean: waited / took.length, cpuMs: (c.user + c.system) / 1000 / took.length };
}

await onFreshPostgres(admin, async ({ db }) => {
  const chats = await seedChats(db, { customers: 2000 });
  let at = 0;
  const next = () => chats[at++ % chats.length]!;
  say(`the chat writer's gathering: window ${gatherMs} ms, gathering rules (after/while) ${a.rules}, at ${rates.join(', ')} msg/s; ${seconds} s a run, ${rounds} rounds interleaved; Node ${process.version}, flags ${ownFlags().join(' ') || '(none)'}`);
  // Warm-up: a first message in every conversation (next() goes round them in order), connections, prepared statements, JIT.
  await run(db, next, Math.max(...rates), rules[0]!, Math.max(2, (chats.length * 1.2) / Math.max(...rates)));
  say('msg/s  rule   round  messages  a batch   p50 ms   p99 ms  wait mean   CPU/message');
  for (let round = 1; round <= rounds; round++) {
    for (const rate of rates) {
      for (const rule of rules) {
        const r = await run(db, next, rate, rule, seconds);
        say(`${String(rate).padStart(5)}  ${`${rule.after}/${rule.keep}`.padStart(5)}  ${String(round).padStart(5)}  ${String(r.n).padStart(8)}  ${r.batch.toFixed(2).padStart(7)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}  ${r.waitMean.toFixed(2).padStart(6)} ms   ${r.cpuMs.toFixed(3)} ms`);
      }
    }
  }
});
