import { DateTime } from 'luxon';

export interface Kept {
  daily: number;
  weekly: number;
}

const tokyo = (at: Date) => DateTime.fromJSDate(at).setZone('Asia/Tokyo');
const dayOf = (d: DateTime) => d.toISODate()!;
const weekOf = (d: DateTime) => `${d.weekYear}-W${d.weekNumber}`;

/**
 * Which archives to delete. Kept: the newest archive of each of the `daily` most recent Tokyo
 * days that have one; then, beyond those, the newest of each of the `weekly` most recent ISO
 * weeks (Monday to Sunday) that have an archive and none of the daily ones, so with 7 and 4
 * the weeklies reach back four whole weeks before the week of the oldest daily (11 archives,
 * the oldest about five weeks old). Days and weeks without a backup (the server was down) do
 * not use up a place, so a gap never costs the older backups. Pure: takes names and times,
 * returns names.
 */
export function toPrune(archives: { name: string; at: Date }[], keep: Kept): string[] {
  const newestFirst = [...archives].sort((a, b) => b.at.getTime() - a.at.getTime());
  const kept = new Set<string>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  const dailyWeeks = new Set<string>();
  for (const a of newestFirst) {
    const t = tokyo(a.at);
    if (days.has(dayOf(t))) continue;
    if (days.size < keep.daily) {
      days.add(dayOf(t));
      dailyWeeks.add(weekOf(t));
      kept.add(a.name);
    } else if (!dailyWeeks.has(weekOf(t)) && !weeks.has(weekOf(t)) && weeks.size < keep.weekly) {
      weeks.add(weekOf(t));
      kept.add(a.name);
    }
  }
  return newestFirst.filter((a) => !kept.has(a.name)).map((a) => a.name);
}
