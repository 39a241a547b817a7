import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../helpers/process.ts';
import { onRunEnd } from '../../helpers/cleanup.ts';
import { testPostgresUrl } from '../../helpers/db.ts';
import { openPostgres, type Database } from '../../../server/core/db/client.ts';

/**
 * A redis-server of the test's own, on a free port, keeping nothing on disk: it can be
 * stopped, flushed and started again on the same port without touching the shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mdg-redis-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    onRunEnd(`private redis-server ${r.port}`, () => r.close());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no'], { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    for (let i = 0; i < 100; i++) {
      if (await this.answers()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Kills it at once (SIGKILL), as a crashed or unplugged Redis goes; its data goes with it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await gone;
  }

  async flush(): Promise<void> {
    const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await r.connect();
    await r.flushall();
    await r.quit();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private answers(): Promise<boolean> {
    return new Promise((done) => {
      const s = createConnection(this.port, '127.0.0.1');
      s.setTimeout(500, () => {
        s.destroy();
        done(false);
      });
      s.once('error', () => done(false));
      s.once('connect', () => s.write('PING\r\n'));
      s.once('data', (d) => {
        s.destroy();
        done(d.toString().startsWith('+PONG'));
      });
    });
  }
}

/**
 * A TCP proxy in front of a server (PostgreSQL here) that the test can cut and restore:
 * cut closes every connection through it and refuses new ones, as a database that went
 * down does; restore listens again on the same port.
 */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const p = new CuttableProxy(await freePort(), target);
    onRunEnd(`tcp proxy ${p.port}`, () => p.cut());
    await p.restore();
    return p;
  }

  restore(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((client) => {
      const upstream = createConnection(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((done, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => done());
    });
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }
}

/**
 * The run's PostgreSQL database reached through a CuttableProxy: `database` (a pool of 4) goes
 * away when `proxy.cut()` is called and comes back with `proxy.restore()`.
 */
export async function postgresBehindProxy(): Promise<{ proxy: CuttableProxy; database: Database }> {
  const url = new URL(await testPostgresUrl());
  const proxy = await CuttableProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  return { proxy, database: await openPostgres(url.toString(), { max: 4 }) };
}
