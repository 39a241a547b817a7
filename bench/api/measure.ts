/**
 * One measured run of bench/api.ts: wait for a quiet machine, warm up, then load one URL from
 * the load generator's process (bench/api/loadgen.ts) while the server child, PostgreSQL's
 * backends and the rest of the machine are read before and after, for CPU per request and
 * the server's event loop over the run.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Child, Load } from '../chat/ipc.ts';
import { cpuBetween, databaseCpu, machineBusySeconds, quiet } from './cpu.ts';
import type { LoadAnswer, LoadAsk } from './loadgen.ts';
import type { Measured } from './report.ts';

export interface Loadgen {
  run(ask: Omit<LoadAsk, 'id'>): Promise<LoadAnswer>;
  stop(): void;
}

/** Forks the load generator; its answers come back by id. */
export function startLoadgen(): Loadgen {
  const child = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, { done: (a: LoadAnswer) => void; fail: (e: Error) => void }>();
  child.on('message', (m: Partial<LoadAnswer> & { id?: number }) => {
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    // NaN (no answer in the run) crosses IPC as null.
    const n = (x: unknown) => (typeof x === 'number' ? x : NaN);
    if (m.error) w.fail(new Error(`load generator: ${m.error}`));
    else w.done({ ...(m as LoadAnswer), p50: n(m.p50), p99: n(m.p99), max: n(m.max) });
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.fail(new Error(`load generator exited (${code})`));
  });
  return {
    run: (ask) =>
      new Promise((done, fail) => {
        const id = next++;
        waiting.set(id, { done, fail });
        child.send({ ...ask, id } satisfies LoadAsk);
      }),
    stop: () => void child.kill(),
  };
}

export interface RunOptions {
  connections: number;
  seconds: number;
  warmup: number;
  /** At most this long (s) waiting for the machine to be idle first; 0: no wait. */
  quiet: number;
  /** The bench database, whose backends' CPU is counted. */
  database: string;
}

export async function measure(server: Child, loadgen: Loadgen, url: string, headers: Record<string, string>, o: RunOptions): Promise<Measured> {
  const ask = { url, headers, connections: o.connections };
  if (o.quiet > 0) await quiet(o.quiet);
  if (o.warmup > 0) await loadgen.run({ ...ask, seconds: o.warmup });
  const read = async () => ({ server: await server.request<NodeJS.CpuUsage>('cpu'), pg: databaseCpu(o.database), machine: machineBusySeconds(), self: process.cpuUsage() });
  const before = await read();
  await server.request('stats'); // starts the server's event-loop and GC figures afresh
  const m = await loadgen.run({ ...ask, seconds: o.seconds });
  const loop = await server.request<Load>('stats');
  const after = await read();
  const n = Math.max(1, m.responses);
  const serverMs = (after.server.user + after.server.system - before.server.user - before.server.system) / 1000;
  const pgMs = cpuBetween(before.pg, after.pg) * 1000;
  const selfMs = (after.self.user + after.self.system - before.self.user - before.self.system) / 1000;
  const machineMs = (after.machine - before.machine) * 1000;
  return {
    ...m,
    serverMsPerReq: serverMs / n,
    pgMsPerReq: pgMs / n,
    loadgenCores: m.cpuMs / m.wallMs,
    otherCores: Math.max(0, machineMs - serverMs - pgMs - m.cpuMs - selfMs) / m.wallMs,
    server: { elu: loop.elu, loopP99: loop.loopP99, loopMax: loop.loopMax, gcMs: loop.gcMs, gcMax: loop.gcMax },
  };
}
