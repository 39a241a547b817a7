import holidayJp from '@holiday-jp/holiday_jp';
import { DateTime } from 'luxon';
import type { WeeklyHours } from './sla.tables.ts';

/**
 * When a shop is open, in its own time zone. Pure data: the clock functions below do no I/O,
 * so the service loads one of these once per event and the unit tests build them by hand.
 */
export interface BusinessCalendar {
  /** IANA zone the weekly hours and closed dates are written in. */
  timeZone: string;
  weekly: WeeklyHours;
  /** Closed on Japanese public holidays, as listed by @holiday-jp/holiday_jp. */
  observeJpHolidays: boolean;
  /** Extra closed days, "YYYY-MM-DD" in `timeZone` (年末年始, 棚卸し). */
  closedDates: readonly string[];
}

const weekdayHours: Array<[string, string]> = [['09:00', '18:00']];

/** Mon–Fri 09:00–18:00 Asia/Tokyo, closed on Japanese public holidays: for shops with no hours set. */
export const defaultCalendar: BusinessCalendar = Object.freeze({
  timeZone: 'Asia/Tokyo',
  weekly: { '0': [], '1': weekdayHours, '2': weekdayHours, '3': weekdayHours, '4': weekdayHours, '5': weekdayHours, '6': [] },
  observeJpHolidays: true,
  closedDates: [],
});

/**
 * How far addBusinessMs looks for open time. Validation makes every calendar open at least
 * once a week and bounds the targets, so only a broken calendar gets this far.
 */
const SCAN_DAYS = 3700;

/** True when the library lists the local date as a Japanese public holiday (振替休日 and 国民の休日 included). */
export const isJpHoliday = (isoDate: string): boolean => Object.hasOwn(holidayJp.holidays, isoDate);

/** The library's dates, sorted once: it keys them by date but promises no order. */
const jpHolidays: Readonly<Record<string, { name: string; name_en: string }>> = holidayJp.holidays;
const jpHolidayDates = Object.keys(jpHolidays).sort();

/**
 * The next Japanese public holidays from the local date of `now` in `zone` (today included),
 * with their names in both languages: what "closed on public holidays" means, shown to the owner.
 */
export function upcomingJpHolidays(now: Date, zone: string, count: number): Array<{ date: string; ja: string; en: string }> {
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate() ?? '';
  return jpHolidayDates
    .filter((d) => d >= today)
    .slice(0, count)
    .map((d) => ({ date: d, ja: jpHolidays[d]!.name, en: jpHolidays[d]!.name_en }));
}

/** Validates a zone the way luxon reads it; shops may set any IANA zone, not only Asia/Tokyo. */
export const isValidTimeZone = (zone: string): boolean => DateTime.now().setZone(zone).isValid;

interface Compiled {
  zone: string;
  weekly: WeeklyHours;
  closed: Set<string>;
  holidays: boolean;
}

function compile(cal: BusinessCalendar): Compiled {
  if (!isValidTimeZone(cal.timeZone)) throw new RangeError(`unknown time zone ${cal.timeZone}`);
  return { zone: cal.timeZone, weekly: cal.weekly, closed: new Set(cal.closedDates), holidays: cal.observeJpHolidays };
}

/** The instant of a local wall-clock time on `day`; "24:00" is the next midnight. */
function wallClock(day: DateTime, hhmm: string, zone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  if (h === 24) return day.plus({ days: 1 }).startOf('day').toMillis();
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: h, minute: m }, { zone }).toMillis();
}

/** The open periods of one local day as epoch-ms pairs, sorted; none on a closed day. */
function openPeriods(day: DateTime, c: Compiled): Array<[number, number]> {
  const iso = day.toISODate()!;
  if (c.closed.has(iso) || (c.holidays && isJpHoliday(iso))) return [];
  // luxon numbers weekdays 1 (Mon) … 7 (Sun); the table uses 0 (Sun) … 6 (Sat).
  const hours = c.weekly[String(day.weekday % 7) as keyof WeeklyHours] ?? [];
  return hours.map(([s, e]): [number, number] => [wallClock(day, s, c.zone), wallClock(day, e, c.zone)]).sort((a, b) => a[0] - b[0]);
}

const startDay = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).startOf('day');

/**
 * Business milliseconds in [from, to): open hours only, closed days and holidays skipped.
 *
 * @example businessMsBetween(fri17h, mon10h, defaultCalendar) // 2 h: Fri 17–18 and Mon 9–10
 */
export function businessMsBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const end = to.getTime();
  const start = from.getTime();
  if (!(end > start)) return 0;
  const c = compile(calendar);
  let total = 0;
  for (let day = startDay(from, c.zone); day.toMillis() < end; day = day.plus({ days: 1 })) {
    for (const [s, e] of openPeriods(day, c)) total += Math.max(0, Math.min(e, end) - Math.max(s, start));
  }
  return total;
}

/**
 * The wall-clock moment when `ms` business milliseconds have elapsed after `from`. A target
 * that ends exactly at closing time is due at closing time, not at the next opening.
 *
 * @example addBusinessMs(fri17h, 2 * 3_600_000, defaultCalendar) // Monday 10:00 (or later after a holiday)
 */
export function addBusinessMs(from: Date, ms: number, calendar: BusinessCalendar): Date {
  if (!(ms > 0)) return new Date(from.getTime());
  const c = compile(calendar);
  const start = from.getTime();
  let remaining = ms;
  let day = startDay(from, c.zone);
  for (let i = 0; i < SCAN_DAYS; i++, day = day.plus({ days: 1 })) {
    for (const [s, e] of openPeriods(day, c)) {
      const begin = Math.max(s, start);
      if (e <= begin) continue;
      if (remaining <= e - begin) return new Date(begin + remaining);
      remaining -= e - begin;
    }
  }
  throw new RangeError('the calendar has no open time within ten years');
}
