import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

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
  if (await answers(usual.host, usual.port)) return { url: `redis://${usual.host}:${usual.port}`, close: async () => undefined };

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
