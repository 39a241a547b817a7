import { DateTime } from 'luxon';
import type { BackupRunner } from './backup.runner.ts';

/** The next time it is `hour`:00 in Tokyo, strictly after `now`. */
export function nextNightly(now: Date, hour: number): Date {
  const tokyo = DateTime.fromJSDate(now).setZone('Asia/Tokyo');
  let at = tokyo.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (at <= tokyo) at = at.plus({ days: 1 });
  return at.toJSDate();
}

/**
 * The nightly backup of the embedded database, on a timer in the server process: with PGlite
 * no other process can read the database, so a BullMQ job (which may run in a worker) could
 * not take it. Re-armed after each run; a server that was down at the hour takes the next
 * night's. The timer does not keep the process alive.
 */
export function scheduleNightly(runner: BackupRunner, hour: number, now: () => Date = () => new Date()): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => void runner.run('nightly').finally(arm), nextNightly(now(), hour).getTime() - now().getTime()).unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
