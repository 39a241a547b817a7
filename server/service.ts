import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDeps } from './app.ts';
import { publicUrl } from './config.ts';
import { DomainBus } from './core/bus.ts';
import { answerClientError } from './core/http.ts';
import { createRealtime, defaultSocketLimits, type Realtime } from './core/realtime.ts';
import { broadcastChat, type Broadcaster } from './domains/conversations/conversations.broadcast.ts';
import { broadcastReturns } from './domains/returns/returns.broadcast.ts';
import { broadcastNotices } from './domains/notices/notices.send.progress.ts';
import { registerChatSockets } from './domains/conversations/conversations.socket.ts';
import { pruneInboxChangesEvery } from './domains/conversations/conversations.pagecache.prune.ts';
import { connectionOf } from './core/queue.ts';
import { withTimeout } from './core/redis.ts';
import { startJobs, type Jobs } from './worker.ts';
import { createBackupRunner, type BackupRunner } from './core/backup/backup.runner.ts';
import { pgliteOf } from './core/backup/backup.pglite.ts';
import { loadKeyring } from './core/sealed.ts';

/** How often inbox_changes and list_changes lose the rows no kept page needs (a kept page older than that is read again after a write). */
const PRUNE_INBOX_CHANGES_MS = 60_000;

export interface ServiceOptions {
  port: number;
  host?: string;
  /** How long to let requests in flight finish before cutting connections. */
  graceMs: number;
}

export interface Service {
  app: App;
  server: Server;
  bus: DomainBus;
  port: number;
  /** The outbox dispatcher and job worker, when JOBS=inline. */
  jobs?: Jobs;
  realtime: Realtime;
  /** With the embedded database: this process's backups (main.ts schedules the nightly one). */
  backups?: BackupRunner;
  /** Stops taking connections, drains what is in flight; the caller closes Redis and the database. */
  close(): Promise<void>;
}

/**
 * The composition root shared by `server/main.ts` and the tests: the Koa app on an HTTP
 * server. Storage (database, Redis, mailer) is the caller's, so tests can share it.
 */
export async function startService(given: AppDeps, opts: ServiceOptions): Promise<Service> {
  // Loaded once for the process: the app's Slack routes and the jobs (alerts) open the same sealed tokens.
  const deps = { ...given, keyring: given.keyring ?? loadKeyring(given.config) };
  const bus = deps.bus ?? new DomainBus(deps.logger);
  const jobs = deps.config.JOBS === 'inline' ? startJobs({ ...deps, redisUrl: connectionOf(deps.redis), bus }) : undefined;
  // With JOBS=off the worker processes poll the outbox; nothing here to wake.
  // With PGlite only this process can read the database, so it takes the backups.
  const pglite = pgliteOf(deps.database.db);
  const backups =
    deps.backups ??
    (pglite
      ? createBackupRunner({
          source: () => ({ kind: 'pglite', client: pglite }),
          dataDir: deps.config.DATA_DIR,
          version: deps.version,
          keep: { daily: deps.config.BACKUP_KEEP_DAILY, weekly: deps.config.BACKUP_KEEP_WEEKLY },
          logger: deps.logger,
        })
      : undefined);
  const app = createApp({ ...deps, bus, poke: deps.poke ?? jobs?.poke, backups });
  const server = createServer(app.callback());
  server.keepAliveTimeout = 5000;
  // A client may close its sending side as soon as its request is written (a half-close: FIN
  // after the request). Node's default then ends the connection at once, dropping the answer
  // of a request still being worked on (one that waits for PostgreSQL): the client gets no
  // HTTP answer at all. Allowing half-open connections, Node instead ends the connection after
  // the answer that is in flight (and at once when nothing is).
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('clientError', answerClientError);
  const realtime = createRealtime(server, { redis: deps.redis, keyPrefix: deps.config.REDIS_KEY_PREFIX, logger: deps.logger });
  const chatSockets = registerChatSockets(realtime.io, {
    ...app.chat,
    auth: app.authDeps,
    logger: deps.logger,
    limits: { ...defaultSocketLimits, rate: deps.config.SOCKET_RATE, burst: deps.config.SOCKET_BURST, ...deps.socketLimits },
    consoleOrigins: [new URL(publicUrl(deps.config)).origin],
    ...(deps.socketRefreshMs ? { refreshMs: deps.socketRefreshMs } : {}),
  });
  const stopChat = broadcastChat(bus, realtime.io as unknown as Broadcaster, { db: deps.database.db, presence: app.chat.presence, logger: deps.logger });
  const stopReturns = broadcastReturns(bus, realtime.io as unknown as Broadcaster);
  const stopNotices = broadcastNotices(bus, realtime.io as unknown as Broadcaster, { db: deps.database.db, logger: deps.logger });
  // The rows that tell kept inbox pages what changed are removed once no page can need them,
  // by every API process (any may keep pages; each removal is one statement).
  const stopPrune = await pruneInboxChangesEvery(deps.database.db, deps.logger, PRUNE_INBOX_CHANGES_MS, app.chat.pages);
  const stopBroadcast = () => {
    stopPrune();
    stopChat();
    stopReturns();
    stopNotices();
  };
  // The processes already running publish for this one's sockets before any can connect.
  await realtime.peers.announce();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => done());
  }).catch(async (e: unknown) => {
    stopBroadcast();
    await jobs?.close();
    throw e;
  });
  const port = (server.address() as AddressInfo).port;

  const close = async () => {
    stopBroadcast();
    await realtime.close(chatSockets.settled);
    const force = setTimeout(() => {
      deps.logger.warn('drain took too long; closing remaining connections');
      server.closeAllConnections();
    }, opts.graceMs).unref();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    // Chat sends still gathering for a batch are written now, before the caller closes the
    // database; a batch stuck on a lock gets the grace period, then the close goes on, said.
    await withTimeout(app.chat.writer.idle(), opts.graceMs, 'the chat writer').catch((err: unknown) =>
      deps.logger.warn({ err }, 'chat messages were still being written after the grace period; closing anyway'),
    );
    // After the requests: a request in flight may still enqueue and poke.
    await jobs?.close();
    // The caller closes the database next: let a backup that is being written finish first.
    await backups?.idle();
  };
  return { app, server, bus, port, jobs, realtime, backups, close };
}
