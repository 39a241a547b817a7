/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and names where the server's CPU went:
 * self time by function and by area (our files, each package, Node internals, GC).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const root = new URL('../../', import.meta.url).pathname;

/** Where a frame lives: `server/…` for ours, the package name for a dependency, or V8's own labels. */
export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return 'node:internal';
  return path.startsWith(root) ? path.slice(root.length) : path;
}

const label = (n: ProfileNode, area: string) => `${n.callFrame.functionName || '(anonymous)'}  ${area}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;

/**
 * Self time by area and by function, and "by our caller": each sample charged to the nearest
 * frame in server/ on its stack, so library time (drizzle, pg, Socket.IO) is pinned on the
 * application function that asked for it. Async hops cut stacks, so that column is a floor.
 */
export function summarize(file: string, top = 15): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const msPerSample = (p.endTime - p.startTime) / 1000 / Math.max(1, p.samples.length);
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const ours = (n: ProfileNode | undefined): ProfileNode | undefined => {
    for (; n; n = parent.get(n.id)) if (areaOf(n.callFrame.url, n.callFrame.functionName).startsWith('server/')) return n;
    return undefined;
  };
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, h: number) => m.set(k, (m.get(k) ?? 0) + h);
  let busy = 0;
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || n.callFrame.functionName === '(idle)') continue;
    busy += hits;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    bump(byArea, area, hits);
    bump(byFn, label(n, area), hits);
    const o = ours(n);
    bump(byCaller, o ? label(o, areaOf(o.callFrame.url, '')) : '(no server/ frame on the stack)', hits);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, h]) => `  ${((100 * h) / busy).toFixed(1).padStart(5)} %  ${(h * msPerSample).toFixed(0).padStart(7)} ms  ${k}`);
  // Who called the three hottest functions: their heaviest stacks, innermost first.
  const hottest = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k);
  const stacks = new Map<string, number>();
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    if (!hits || !hottest.includes(label(n, area))) continue;
    const frames: string[] = [];
    for (let q: ProfileNode | undefined = n; q && frames.length < 9; q = parent.get(q.id)) frames.push(label(q, areaOf(q.callFrame.url, q.callFrame.functionName)).replace(/\s+/g, ' '));
    bump(stacks, frames.join(' ← '), hits);
  }
  const stackRows = [...stacks]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, h]) => `  ${((100 * h) / busy).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `server CPU profile ${file}: ${((busy * msPerSample) / 1000).toFixed(1)} s busy of ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s`,
    'self time by area:',
    ...rows(byArea),
    'self time by function:',
    ...rows(byFn),
    'self time charged to the nearest server/ function on the stack:',
    ...rows(byCaller),
    'heaviest stacks of the three hottest functions:',
    ...stackRows,
  ];
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/**
 * Reads a V8 sampling heap profile (BENCH_PROFILE=heap: every allocation sampled, collected or
 * not; heap-old: only what outlived the young generation, plus what was still young and alive
 * when sampling stopped) and names where the server allocated: bytes by area, by function, and the heaviest
 * stacks, so what the garbage collector has to clear up can be traced to the code that made it.
 */
export function summarizeHeap(file: string, top = 15): string[] {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  const stacks = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, b: number) => m.set(k, (m.get(k) ?? 0) + b);
  let total = 0;
  const walk = (n: HeapNode, path: string[]) => {
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    const here = [label({ id: 0, callFrame: n.callFrame }, area).replace(/\s+/g, ' '), ...path];
    if (n.selfSize) {
      total += n.selfSize;
      bump(byArea, area, n.selfSize);
      bump(byFn, here[0]!, n.selfSize);
      bump(stacks, here.slice(0, 8).join(' ← '), n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, []);
  const rows = (m: Map<string, number>, k = top) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, b]) => `  ${((100 * b) / total).toFixed(1).padStart(5)} %  ${(b / 1048576).toFixed(1).padStart(7)} MiB  ${name}`);
  return [
    `server allocations ${file}: ${(total / 1048576).toFixed(0)} MiB sampled`,
    'bytes by area:',
    ...rows(byArea),
    'bytes by function:',
    ...rows(byFn),
    'heaviest stacks:',
    ...rows(stacks, 12),
  ];
}
