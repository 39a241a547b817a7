import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

export { Redis };

export interface RedisHandle {
  url: string;
  /** Set when we started a private redis-server for this process. */
  child?: ChildProcess;
  close(): Promise<void>;
}

/** Raised with a one-line message saying what to install or set. */
export class RedisUnavailableError extends Error {}

const answers = (host: string, port: number, timeoutMs = 500) =>
  new Promise<boolean>((done) => {
    const s = new Socket();
    const finish = (ok: boolean) => {
      s.destroy();
      done(ok);
    };
    s.setTimeout(timeoutMs, () => finish(false));
    s.once('error', () => finish(false));
    s.connect(port, host, () => {
      s.write('PING\r\n');
      s.once('data', (d) => finish(d.toString().startsWith('+PONG')));
    });
  });

const freePort = () =>
  new Promise<number>((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

/** The usual local Redis (127.0.0.1:6379) when it answers: what a server without REDIS_URL uses before starting its own. */
export async function usualRedisUrl(usual: { host: string; port: number } = { host: '127.0.0.1', port: 6379 }): Promise<string | undefined> {
  return (await answers(usual.host, usual.port)) ? `redis://${usual.host}:${usual.port}` : undefined;
}

/**
 * REDIS_URL when set; else a Redis already answering on 127.0.0.1:6379; else a private
 * redis-server from PATH with its data under `<dataDir>/redis`.
 */
export async function resolveRedis(
  redisUrl: string | undefined,
  dataDir: string,
  usual: { host: string; port: number } = { host: '127.0.0.1', port: 6379 },
): Promise<RedisHandle> {
  if (redisUrl) return { url: redisUrl, close: async () => undefined };
  const local = await usualRedisUrl(usual);
  if (local) return { url: local, close: async () => undefined };

  const which = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (which.error || which.status !== 0) {
    throw new RedisUnavailableError(
      'madoguchi needs Redis: set REDIS_URL=redis://host:6379, or install redis-server (apt-get install redis-server) so it can start a private one',
    );
  }
  const dir = resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '60 1', '--appendonly', 'yes', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && !(await answers('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers('127.0.0.1', port))) {
    child.kill('SIGKILL');
    throw new RedisUnavailableError(`the private redis-server did not start on port ${port}; set REDIS_URL instead`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
}

/**
 * What ioredis answers a command with when Redis cannot take it: the connection is down and
 * the command gave up (`maxRetriesPerRequest`), the offline queue is off, the connection
 * closed under it, or it timed out; or Redis itself is not serving yet (loading its data,
 * a replica, a failover in progress). Never an error of the command itself (WRONGTYPE…).
 */
export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const m = e.message;
  if (m === 'Connection is closed.' || m.startsWith("Stream isn't writeable") || m === 'Command timed out') return true;
  return e.name === 'ReplyError' && /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY) /.test(m);
}

/**
 * `p`, or a rejection once `ms` pass without its answer: for a wait on Redis that must not hold
 * its caller for ever (a connection that hangs without closing answers nothing, and fails nothing).
 */
export const withTimeout = <T>(p: Promise<T>, ms: number, what = 'redis'): Promise<T> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });

const IF_STILL = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call(ARGV[2], KEYS[1], unpack(ARGV, 3)) end return 0";

/**
 * Runs `command` on `key` only while the key still holds `expected` (a lock or lease this
 * process took, which may have expired and been taken by another), in one step; answers the
 * command's reply, or 0 when the key held something else.
 */
export const ifStill = (client: Redis, key: string, expected: string, command: 'del' | 'pexpire' | 'set', ...args: string[]): Promise<unknown> =>
  client.eval(IF_STILL, 1, key, expected, command, ...args);

/**
 * For state that only decorates the live view (who is online, who has a conversation open):
 * while Redis is away, `fallback` instead of an error, so chat itself keeps working; the
 * entries come back with the next refresh once Redis is. Other errors still throw.
 */
export async function unlessRedisAway<T>(work: Promise<T>, fallback: T): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isRedisUnavailable(e)) return fallback;
    throw e;
  }
}

/**
 * Socket.IO's Redis adapter and emitter publish and forget (`publish(...)` with nobody awaiting it),
 * so a publish that fails while Redis is away was an unhandled rejection that ended the
 * process. Every publish now has a handler: the failure is logged once per outage, and the
 * promise the adapter ignores settles quietly.
 */
export function handledPublishes(client: Redis, logger?: Logger): Redis {
  let failing = false;
  client.on('ready', () => (failing = false));
  const onError = (err: unknown) => {
    if (failing) return;
    failing = true;
    logger?.warn({ err }, 'live updates to other processes are paused until Redis is back');
  };
  for (const name of ['publish', 'spublish'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<number>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const sent = original(...args);
      sent.catch(onError);
      return sent;
    };
  }
  return client;
}

/**
 * One warning when a connection to Redis is lost and one line when it is back, instead of
 * ioredis's error on every reconnect attempt (every two seconds for as long as it is away).
 */
export function watchRedis(client: Redis, logger: Logger, what = 'redis'): Redis {
  let lost = false;
  client.on('error', (err: Error) => {
    if (lost) return;
    lost = true;
    logger.warn({ err, what }, 'redis cannot be reached; retrying until it is back');
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info({ what }, 'redis is back');
  });
  return client;
}
