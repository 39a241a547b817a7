import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { redisPrefix } from './env.ts';

const root = new URL('../../', import.meta.url).pathname;

/** The ports the kernel hands out for a listen on port 0 (and outgoing connections). */
const ephemeral = (() => {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return { low: low!, high: high! };
  } catch {
    // Not Linux: the IANA range.
  }
  return { low: 49152, high: 65535 };
})();

const listens = (port: number) =>
  new Promise<boolean>((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });

/**
 * A port nothing listens on, for a process or proxy the test starts a moment later. It is
 * chosen below the kernel's ephemeral range, so a server elsewhere in the run that listens on
 * port 0 (every in-process test app, Chromium, the SMTP sink) cannot be given it meanwhile, as
 * it could a port the kernel had just handed out and taken back.
 */
export async function freePort(): Promise<number> {
  const low = 20_000;
  const high = Math.min(ephemeral.low - 1, 32_767);
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await listens(port)) return port;
  }
}

export interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/**
 * `node --import tsx server/main.ts`, as npm start runs it (less its V8 flags, which only tune
 * the garbage collector), with its own environment. Its Redis keys go under the run's prefix
 * unless `env` names one, so the shared Redis keeps no queue of the run's (swept at its end)
 * and no other run or server on the default prefix sees its jobs.
 */
export function start(env: Record<string, string>, script = 'server/main.ts', args: string[] = []): Proc {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: `${redisPrefix}started:`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  return { child, out: () => out, exited };
}

const running = new Set<ChildProcess>();

/** Kills what start() started and is still running (a test that failed before it stopped it), and waits for the ends. */
export async function killStarted(): Promise<void> {
  await Promise.all(
    [...running].filter((child) => child.exitCode === null && child.signalCode === null).map((child) => {
      const ended = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      return ended;
    }),
  );
}

export async function until(p: Proc, pattern: RegExp, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(p.out())) {
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.out()}`);
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${pattern}: ${p.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

