import { DateTime } from 'luxon';
import type { BackupRunner } from './backup.runner.ts';

const hourOfDay = (now: Date, hour: number) => DateTime.fromJSDate(now).setZone('Asia/Tokyo').set({ hour, minute: 0, second: 0, millisecond: 0 });

/** The next time it is `hour`:00 in Tokyo, strictly after `now`. */
export function nextNightly(now: Date, hour: number): Date {
  const today = hourOfDay(now, hour);
  return (today.toMillis() > now.getTime() ? today : today.plus({ days: 1 })).toJSDate();
}

/** The latest time it was `hour`:00 in Tokyo, at or before `now`: when the last nightly run was due. */
export function lastNightly(now: Date, hour: number): Date {
  const today = hourOfDay(now, hour);
  return (today.toMillis() <= now.getTime() ? today : today.minus({ days: 1 })).toJSDate();
}

/** How long after start a server with no recent backup takes one: late enough not to slow the start. */
export const CATCH_UP_MS = 10 * 60_000;

/**
 * The first run after the server starts: the next night, or sooner when no good backup was
 * taken since the last scheduled time (none at all, or the server was down at the hour, even
 * for the minutes around it), so a server restarted every night around its backup hour still
 * gets its backups.
 */
export function firstRun(now: Date, hour: number, lastSuccessAt: Date | null): Date {
  const nightly = nextNightly(now, hour);
  const missed = !lastSuccessAt || lastSuccessAt < lastNightly(now, hour);
  const soon = new Date(now.getTime() + CATCH_UP_MS);
  return missed && soon < nightly ? soon : nightly;
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
