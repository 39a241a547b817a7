import type { Lang } from './i18n.ts';

/**
 * Days and months of the metrics page are Tokyo's, whatever the agent's computer says. Japan
 * keeps no daylight saving time, so a Tokyo day is always [YYYY-MM-DDT00:00+09:00, +24 h).
 */
const DAY_MS = 86_400_000;
const TOKYO_OFFSET_MS = 9 * 3_600_000;

/** Today (or `now`'s day) in Tokyo as YYYY-MM-DD. */
export const tokyoDay = (now = new Date()) => new Date(now.getTime() + TOKYO_OFFSET_MS).toISOString().slice(0, 10);

/** This month in Tokyo as YYYY-MM, the work log's unit. */
export const tokyoMonth = (now = new Date()) => tokyoDay(now).slice(0, 7);

export const isMonth = (v: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

const startOf = (day: string) => Date.parse(`${day}T00:00:00+09:00`);

/**
 * The last `days` Tokyo days with today the last of them, as the API's [from, to): `to` is
 * the coming midnight, so today counts in full however late it is.
 */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const today = startOf(tokyoDay(now));
  return { from: new Date(today - (days - 1) * DAY_MS).toISOString(), to: new Date(today + DAY_MS).toISOString() };
}

/** The Tokyo days of [from, to) as YYYY-MM-DD: its first, and its last (to is exclusive). */
export function dayRange(from: string, to: string): [string, string] {
  return [tokyoDay(new Date(from)), tokyoDay(new Date(Date.parse(to) - 1))];
}

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-US');
const zone = { timeZone: 'Asia/Tokyo' } as const;
const at = (day: string) => new Date(startOf(day));

/** 2026/11/20 (ja) or Nov 20, 2026 (en). */
export const formatDate = (day: string, lang: Lang) => at(day).toLocaleDateString(locale(lang), { ...zone, dateStyle: 'medium' });

/** 11月20日(金) or Fri, Nov 20: a row of the day table. */
export const formatDayLong = (day: string, lang: Lang) =>
  at(day).toLocaleDateString(locale(lang), { ...zone, month: 'short', day: 'numeric', weekday: 'short' });

/** 11/20: an axis label, the same in both languages. */
export const formatDayShort = (day: string) => `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}`;

/** 14:05, Tokyo time. */
export const formatTime = (d: Date, lang: Lang) => d.toLocaleTimeString(locale(lang), { ...zone, hour: '2-digit', minute: '2-digit' });

/** 2026年11月 or November 2026. */
export const formatMonth = (month: string, lang: Lang) =>
  at(`${month}-01`).toLocaleDateString(locale(lang), { ...zone, year: 'numeric', month: 'long' });

export const formatNumber = (n: number, lang: Lang) => n.toLocaleString(locale(lang));

/** 66.7 → 66.7%; the API rounds to one decimal already. */
export const formatPercent = (p: number, lang: Lang) => `${p.toLocaleString(locale(lang), { maximumFractionDigits: 1 })}%`;

/** Seconds as h:mm, rounded to the minute, as the CSV export and a timesheet show them. */
export function hmm(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
