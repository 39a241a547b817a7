import { DateTime } from 'luxon';

export interface Kept {
  daily: number;
  weekly: number;
}

/**
 * Which archives to delete: keep the newest archive of each of the `daily` most recent Tokyo
 * days that have one, and the newest of each of the `weekly` most recent ISO weeks (Monday to
 * Sunday) that have one; an archive may count for both. Days without a backup (the server was
 * down) do not use up a place, so a gap never costs the older backups. Pure: takes names and
 * times, returns names.
 */
export function toPrune(archives: { name: string; at: Date }[], keep: Kept): string[] {
  const newestFirst = [...archives].sort((a, b) => b.at.getTime() - a.at.getTime());
  const kept = new Set<string>();
  const pick = (period: (d: DateTime) => string, places: number) => {
    const seen = new Set<string>();
    for (const a of newestFirst) {
      const p = period(DateTime.fromJSDate(a.at).setZone('Asia/Tokyo'));
      if (seen.has(p)) continue;
      if (seen.size >= places) break;
      seen.add(p);
      kept.add(a.name);
    }
  };
  pick((d) => d.toISODate()!, keep.daily);
  pick((d) => `${d.weekYear}-W${d.weekNumber}`, keep.weekly);
  return newestFirst.filter((a) => !kept.has(a.name)).map((a) => a.name);
}
