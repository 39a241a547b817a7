import { DateTime } from 'luxon';
import type { BackupRunner } from './backup.runner.ts';

/** The next time it is `hour`:00 in Tokyo, strictly after `now`. */
export function nextNightly(now: Date, hour: number): Date {
  const tokyo = DateTime.fromJSDate(now).setZone('Asia/Tokyo');
  let at = tokyo.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (at <= tokyo) at = at.plus({ days: 1 });
  return at.toJSDate();
}

/** How long after start a server with no recent backup takes one: late enough not to slow the start. */
export const CATCH_UP_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * The first run after the server starts: the next night, or sooner when the last good backup
 * is more than a day old (none at all, or the server was down or restarted around the hour),
 * so a server restarted every night around its backup hour still gets its backups.
 */
export function firstRun(now: Date, hour: number, lastSuccessAt: Date | null): Date {
  const nightly = nextNightly(now, hour);
  const stale = !lastSuccessAt || now.getTime() - lastSuccessAt.getTime() > DAY_MS + CATCH_UP_MS;
  const soon = new Date(now.getTime() + CATCH_UP_MS);
  return stale && soon < nightly ? soon : nightly;
}

/**
 * The nightly backup of the embedded database, on a timer in the server process: with PGlite
 * no other process can read the database, so a BullMQ job (which may run in a worker) could
 * not take it. Re-armed after each run. The timer does not keep the process alive.
 */
export function scheduleNightly(runner: BackupRunner, hour: number, now: () => Date = () => new Date()): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (at: Date) => {
    if (stopped) return;
    timer = setTimeout(() => void runner.run('nightly').finally(() => arm(nextNightly(now(), hour))), Math.max(0, at.getTime() - now().getTime())).unref();
  };
  void runner.status().then(
    (s) => arm(firstRun(now(), hour, s.lastSuccess ? new Date(s.lastSuccess.finishedAt) : null)),
    () => arm(nextNightly(now(), hour)),
  );
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
