/**
 * CPU of the services the server leans on (PostgreSQL's processes, Redis), read from /proc:
 * they share the machine's cores with the server and the client, so a step's figures say
 * what each of them took. Linux only; elsewhere the figures are absent.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux
const WATCHED = ['postgres', 'redis-server'] as const;
export type ServiceCpu = Record<(typeof WATCHED)[number], number>;

/** Seconds of CPU each watched service has used so far (its processes alive now). */
export function serviceCpuSeconds(): ServiceCpu | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const out: ServiceCpu = { postgres: 0, 'redis-server': 0 };
  const seen: Array<{ name: keyof ServiceCpu; pid: string; ppid: string; own: number; reaped: number }> = [];
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const name = WATCHED.find((w) => comm === w || comm.startsWith(w));
    if (!name) continue;
    // Fields after the command, from the 3rd: ppid 4th, utime and stime 14th and 15th, the
    // reaped children's cutime and cstime 16th and 17th.
    const f = stat.slice(close + 2).split(' ');
    seen.push({ name, pid, ppid: f[1]!, own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) });
  }
  // A backend or an autovacuum worker that ended during the step took its time with it, except
  // into its parent's reaped-children count: the postmaster's is added, so nothing goes missing.
  const watched = new Set(seen.map((p) => p.pid));
  for (const p of seen) out[p.name] += (p.own + (watched.has(p.ppid) ? 0 : p.reaped)) / TICKS;
  return out;
}

/** Cores each service used between two readings `seconds` apart. */
export function serviceCores(before: ServiceCpu | undefined, after: ServiceCpu | undefined, seconds: number): ServiceCpu | undefined {
  if (!before || !after || seconds <= 0) return undefined;
  return { postgres: Math.max(0, after.postgres - before.postgres) / seconds, 'redis-server': Math.max(0, after['redis-server'] - before['redis-server']) / seconds };
}
