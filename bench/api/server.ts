/**
 * The server under test for bench/api.ts, in its own process: the real service on the bench's
 * PostgreSQL database (DATABASE_URL), and beside it on a port of its own the bare twin
 * (bench/api/twin.ts) on the same database pool. Started by bench/api.ts; not for running by hand.
 *
 * It can record the statements sent to PostgreSQL, with their parameters, between two asks
 * (`capture`): the bench counts them per request and, with --explain, has PostgreSQL explain them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { startBenchService } from '../service.ts';
import { serveParent } from '../chat/ipc.ts';
import { twinApp } from './twin.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

let captured: Statement[] | undefined;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // Off while load runs: one branch on the measured path.
  if (captured) {
    const q = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    const values = Array.isArray(args[1]) ? args[1] : typeof q === 'object' ? (q.values ?? []) : [];
    captured.push({ text, values: values.map((v) => (typeof v === 'bigint' ? String(v) : v)) });
  }
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

const { config, database, service, stop } = await startBenchService();
let churning: NodeJS.Timeout | undefined;
const twin = createServer(twinApp(database.db).callback());
twin.keepAliveTimeout = service.server.keepAliveTimeout;
await new Promise<void>((done) => twin.listen(0, config.HOST, done));

serveParent(service.port, {
  ports: () => ({ real: service.port, twin: (twin.address() as AddressInfo).port }),
  /** `true` starts recording statements; `false` stops and answers those recorded. */
  capture: (on) => {
    const out = captured;
    captured = on ? [] : undefined;
    return out ?? [];
  },
  /**
   * `{ shopId, perSecond }`: from now on, changes one of the shop's 50 newest conversations
   * (its priority, which the inbox shows) that many times a second, each its own transaction,
   * as a busy shop's chat would; `perSecond` 0 stops. Its CPU counts as the server's and
   * PostgreSQL's, for the real route and the twin alike.
   */
  churn: (payload) => {
    const { shopId, perSecond } = payload as { shopId: string; perSecond: number };
    clearInterval(churning);
    if (perSecond > 0) {
      churning = setInterval(() => {
        void database.db
          .execute(sql`update conversations set priority = case when priority = 'normal' then 'high' else 'normal' end
            where id = (select id from conversations where shop_id = ${shopId} and merged_into_id is null order by updated_at desc, id desc offset floor(random() * 50)::int limit 1)`)
          .catch((e: unknown) => process.stderr.write(`churn: ${String(e)}\n`));
      }, 1000 / perSecond);
    }
    return null;
  },
  /** This process's CPU so far (µs, user and system): the bench takes the difference over a run. */
  cpu: () => process.cpuUsage(),
  stop: async () => {
    clearInterval(churning);
    twin.closeAllConnections();
    twin.close();
    await stop();
  },
});
