/**
 * CPU read from /proc for bench/api.ts: the whole machine's, and that of the PostgreSQL
 * backends serving one database (by the database's name in their process title), so that
 * another database's work on the same server is not counted. Whatever the machine did beside
 * the bench's own processes is reported too: on a shared machine it says which runs were
 * measured while something else ran. Linux only; elsewhere the figures are NaN.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ

/** CPU seconds the machine has spent busy (all cores), or NaN. */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return (user + nice + system + irq + softirq + steal) / TICKS;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of each PostgreSQL process working for `database` now, by pid: its backends
 * (the database's name is in their title) and the parallel workers they lead ("parallel
 * worker for PID n").
 */
export function databaseCpu(database: string): Map<string, number> {
  const out = new Map<string, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  const workers: Array<{ pid: string; leader: string; cpu: number }> = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const f = stat.slice(close + 2).split(' ');
      const cpu = (Number(f[11]) + Number(f[12])) / TICKS;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const leader = /parallel worker for PID (\d+)/.exec(title)?.[1];
      if (leader) workers.push({ pid, leader, cpu });
      else if (title.includes(` ${database} `)) out.set(pid, cpu);
    } catch {
      // gone meanwhile
    }
  }
  for (const w of workers) if (out.has(w.leader)) out.set(w.pid, w.cpu);
  return out;
}

/** Seconds used between two readings; a backend that started since counts whole, one that ended is lost. */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): number {
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits, at most `maxSeconds`, for half a second in which the machine is nearly idle (under
 * `cores`) while the bench itself rests; answers the cores in use at the last look.
 */
export async function quiet(maxSeconds: number, cores = 0.3): Promise<number> {
  const until = Date.now() + maxSeconds * 1000;
  for (;;) {
    const m0 = machineBusySeconds();
    const c0 = process.cpuUsage();
    await sleep(500);
    const own = process.cpuUsage(c0);
    const busy = (machineBusySeconds() - m0 - (own.user + own.system) / 1e6) / 0.5;
    if (!(busy >= cores) || Date.now() >= until) return busy;
  }
}
