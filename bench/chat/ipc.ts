/**
 * The bench's line to its server children: requests over Node's IPC channel, answered by id.
 * Both sides live here so the two cannot drift apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

export interface Request {
  id: number;
  type: string;
  payload?: unknown;
}
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface Memory {
  heapUsed: number;
  rss: number;
}
export interface Load {
  /** Event-loop utilisation since the previous `stats` request, 0..1. */
  elu: number;
  /** CPU time (user + system) over wall time since the previous request; 1 = one core. */
  cpu: number;
  /** The server's event-loop delay since the previous request (ms): p99 and the longest block. */
  loopP99: number;
  loopMax: number;
  /** Garbage-collection pauses since the previous request: their total (ms) and the longest. */
  gcMs: number;
  gcMax: number;
  /** The full (mark-compact) collections since the previous request. */
  majors: MajorGc[];
}

/** A full collection: when it started (ms since the epoch, comparable across processes) and its pause (ms). */
export interface MajorGc {
  at: number;
  ms: number;
}

/**
 * Every garbage collection of this process, as it ends: the pauses' total and longest, and
 * the full collections one by one (each marks the whole heap: with thousands of sockets held,
 * they are what a step's slowest windows line up with). `take` answers those since the last take.
 */
export function watchGc(): { take(): { total: number; max: number; majors: MajorGc[] } } {
  let gc = { total: 0, max: 0, majors: [] as MajorGc[] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.total += e.duration;
      gc.max = Math.max(gc.max, e.duration);
      if ((e as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.majors.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    take() {
      const out = gc;
      gc = { total: 0, max: 0, majors: [] };
      return out;
    },
  };
}

/* ---------- child side ---------- */

type Handler = (payload: unknown) => Promise<unknown> | unknown;

/**
 * Answers the parent's requests. `mem` forces a full collection first (the child runs with
 * --expose-gc) so heap figures are live objects, not garbage waiting for the next cycle.
 */
export function serveParent(port: number, handlers: Record<string, Handler>): void {
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gcs = watchGc();
  let at = performance.now();
  let profiler: Session | undefined;
  // BENCH_PROFILE=heap: V8's sampling heap profiler instead of the CPU profiler, counting every allocation (collected
  // or not) by where it was made; heap-old: only what outlived the young generation (what the full collections clear).
  const heap = process.env.BENCH_PROFILE === 'heap' || process.env.BENCH_PROFILE === 'heap-old';
  const builtIn: Record<string, Handler> = {
    /** Starts V8's CPU (or heap) profiler, so a profile covers only the window the parent chooses. */
    profileStart: async () => {
      profiler = new Session();
      profiler.connect();
      if (heap) {
        await profiler.post('HeapProfiler.enable');
        const minor = process.env.BENCH_PROFILE === 'heap';
        await profiler.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: minor } as never);
      } else {
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
    },
    /** Stops it and writes the .cpuprofile (or .heapprofile) to the given path. */
    profileStop: async (path) => {
      if (!profiler) throw new Error('profileStart first');
      const { profile } = heap ? await profiler.post('HeapProfiler.stopSampling') : await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      const file = heap ? (path as string).replace(/\.cpuprofile$/, '.heapprofile') : (path as string);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
    mem: (): Memory => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('start the child with --expose-gc');
      gc();
      gc();
      const m = process.memoryUsage();
      return { heapUsed: m.heapUsed, rss: m.rss };
    },
    /** Writes a heap snapshot to the given path (diagnostics for --heap-diff). */
    snapshot: (path) => writeHeapSnapshot(path as string),
    stats: (): Load => {
      const now = performance.now();
      const e = performance.eventLoopUtilization(elu);
      const c = process.cpuUsage(cpu);
      const gc = gcs.take();
      const out = { elu: e.utilization, cpu: (c.user + c.system) / 1000 / (now - at), loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, gcMs: gc.total, gcMax: gc.max, majors: gc.majors };
      loop.reset();
      elu = performance.eventLoopUtilization();
      cpu = process.cpuUsage();
      at = now;
      return out;
    },
  };
  process.on('message', (m: Request) => {
    const h = handlers[m.type] ?? builtIn[m.type];
    const reply = (a: Answer) => process.send?.(a);
    if (!h) return reply({ id: m.id, ok: false, error: `unknown request ${m.type}` });
    Promise.resolve()
      .then(() => h(m.payload))
      .then(
        (value) => reply({ id: m.id, ok: true, value }),
        (e: unknown) => reply({ id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
  });
  // A bench killed with Ctrl-C must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: port });
}

/* ---------- parent side ---------- */

/**
 * The Node flags `npm start` gives the server (whatever package.json's start script puts
 * before `--import tsx`), so a bench's servers run as it does.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  // Whatever stands between `node` and `--import tsx`, in order (a flag's value included).
  const flags = /^node\s+(.*?)\s*--import\s+tsx\s/.exec(pkg.scripts.start);
  if (!flags) throw new Error(`package.json's start script is not "node [flags] --import tsx …": ${pkg.scripts.start}`);
  return flags[1] ? flags[1].split(/\s+/) : [];
}

/** The Node flags this process runs with, without tsx's own (its loader, given with --require and --import). */
export function ownFlags(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const loader = (args[i] === '--require' || args[i] === '--import') && /[\\/]tsx[\\/]/.test(args[i + 1] ?? '');
    if (loader) i++;
    else out.push(args[i]!);
  }
  return out;
}

/**
 * Node flags for a bench's server child: npm start's, then BENCH_SERVER_FLAGS (`--cpu-prof`,
 * `--perf-basic-prof`, `--trace-gc`…), split on any run of spaces: an empty argument (from a
 * doubled or trailing space) would be taken by Node for the script, and the child would exit
 * before it was ready.
 */
export const benchServerFlags = (): string[] => [...startFlags(), ...(process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean)];

export class Child {
  private next = 1;
  private readonly waiting = new Map<number, { done: (v: unknown) => void; fail: (e: Error) => void }>();
  readonly exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (a: Answer | { ready: number }) => {
      if ('ready' in a) return;
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if (a.ok) w.done(a.value);
      else w.fail(new Error(a.error));
    });
    this.exited = new Promise((done) =>
      proc.once('exit', (code) => {
        for (const w of this.waiting.values()) w.fail(new Error(`server child exited (${code})`));
        this.waiting.clear();
        done(code);
      }),
    );
  }

  /** Runs `bench/chat/<script>` under tsx with a forced-GC hook, and waits for its `ready` answer. */
  static async start(script: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<{ child: Child; port: number }> {
    const file = fileURLToPath(new URL(script, import.meta.url));
    const proc = spawn(process.execPath, ['--expose-gc', ...nodeFlags, '--import', 'tsx', file], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(proc);
    // The child says when it listens; until then a request could arrive before its listener.
    const port = await new Promise<number>((done, fail) => {
      proc.on('message', (m: { ready?: number }) => m.ready !== undefined && done(m.ready));
      void child.exited.then((code) => fail(new Error(`${script} exited (${code}) before it was ready`)));
    });
    return { child, port };
  }

  request<T = unknown>(type: string, payload?: unknown, timeoutMs = 600_000): Promise<T> {
    const id = this.next++;
    return new Promise<T>((done, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        fail(new Error(`server child did not answer ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        done: (v) => (clearTimeout(timer), done(v as T)),
        fail: (e) => (clearTimeout(timer), fail(e)),
      });
      this.proc.send({ id, type, payload } satisfies Request);
    });
  }

  /** Asks the child to close cleanly (so a CPU profile gets written), then kills it if it hangs. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.request('stop', undefined, graceMs).catch(() => undefined);
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
  }
}
