/**
 * The server under test, in its own process: the real service (HTTP + Socket.IO with the
 * Redis adapter + inline jobs) on PGlite under DATA_DIR or on PostgreSQL (DATABASE_URL),
 * configured from the environment the bench passes. Started by bench/chat.ts; not for
 * running by hand.
 */
import pg from 'pg';
import { startBenchService } from '../service.ts';
import { serveParent } from './ipc.ts';
import { seedChat } from './seed.ts';

// Statements sent to PostgreSQL, by their first words: the bench prints them per message.
const statements = new Map<string, number>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // Only a map bump here, on the path being measured; texts are shortened when reported.
  const q = args[0] as string | { text?: string };
  const text = typeof q === 'string' ? q : (q?.text ?? '');
  statements.set(text, (statements.get(text) ?? 0) + 1);
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

const limit = Number(process.env.BENCH_SOCKET_RATE ?? 0);
// Only loosened when the bench says so: agents joining thousands of rooms at once.
const { database, service, stop } = await startBenchService(limit > 0 ? { socketLimits: { rate: limit, burst: limit } } : {});

serveParent(service.port, {
  /** The statements counted since the last ask, most frequent first (PostgreSQL only). */
  statements: () => {
    const out = new Map<string, number>();
    for (const [text, n] of statements) {
      const short = text.replace(/\s+/g, ' ').trim().slice(0, 90);
      out.set(short, (out.get(short) ?? 0) + n);
    }
    statements.clear();
    return [...out].sort((x, y) => y[1] - x[1]);
  },
  seed: (p) => seedChat(database.db, p as { customers: number; agents: number }),
  sockets: () => service.realtime.io.of('/widget').sockets.size + service.realtime.io.of('/agent').sockets.size,
  stop,
});
