import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const root = new URL('../../', import.meta.url).pathname;

export const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

export interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** `node --import tsx server/main.ts`, as npm start runs it, with its own environment. */
export function start(env: Record<string, string>, script = 'server/main.ts', args: string[] = []): Proc {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, out: () => out, exited };
}

export async function until(p: Proc, pattern: RegExp, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(p.out())) {
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.out()}`);
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${pattern}: ${p.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

