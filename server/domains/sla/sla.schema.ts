import { z } from 'zod';
import { japaneseOf, said } from '../../core/messages.ts';
import { priorities } from '../conversations/conversations.tables.ts';
import { plainText, shopIdParams } from '../shops/shops.schema.ts';
import { isValidTimeZone } from './sla.clock.ts';
import { slaMetrics, type WeeklyHours } from './sla.tables.ts';

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, said('時刻は 00:00〜24:00 の「HH:MM」で入力してください。', 'expected a time "HH:MM" between 00:00 and 24:00'));
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

const period = z.tuple([hhmm, hhmm]).refine(([s, e]) => minutesOf(s) < minutesOf(e), said('終了は開始より後の時刻にしてください。', 'a period must start before it ends'));

const dayPeriods = z
  .array(period)
  .max(6)
  .refine((list) => {
    const sorted = [...list].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
    return sorted.every((p, i) => i === 0 || minutesOf(sorted[i - 1]![1]) <= minutesOf(p[0]));
  }, said('同じ日の時間帯が重なっています。', 'periods of one day may not overlap'));

const weekdays = ['0', '1', '2', '3', '4', '5', '6'] as const;

export const weeklyHours = z
  .strictObject(Object.fromEntries(weekdays.map((d) => [d, dayPeriods])) as Record<(typeof weekdays)[number], typeof dayPeriods>)
  .refine((w) => weekdays.some((d) => w[d].length > 0), said('週に1日以上は営業日にしてください（営業時間がないと SLA の期限が来ません）。', 'open at least once a week, or SLA targets could never be due'))
  .transform((w) => w as WeeklyHours);

const isoDate = z.iso.date({ message: said('日付は「YYYY-MM-DD」で入力してください。', 'expected a date "YYYY-MM-DD"') });

export const timeZone = z.string().max(64).refine(isValidTimeZone, said('タイムゾーンは Asia/Tokyo のような IANA の名前で指定してください。', 'expected an IANA time zone such as Asia/Tokyo'));

export const businessHoursBody = z.strictObject({
  weekly: weeklyHours,
  observeJpHolidays: z.boolean().default(true),
  closedDates: z
    .array(isoDate)
    .max(400)
    .default([])
    .transform((d) => [...new Set(d)].sort()),
  /** Changes the shop's time zone, which the hours are read in. */
  timeZone: timeZone.optional(),
});

export const businessHoursView = z.object({
  weekly: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  observeJpHolidays: z.boolean(),
  closedDates: z.array(z.string()),
  timeZone: z.string(),
  /** The next Japanese public holidays in the shop's time zone, observed or not (what the flag means). */
  upcomingJpHolidays: z.array(z.object({ date: z.string(), ja: z.string(), en: z.string() })),
  /** True while the shop has not set hours and the default (Mon–Fri 9–18, JP holidays) applies. */
  isDefault: z.boolean(),
  updatedAt: z.string().nullable(),
});

/** A year of minutes: enough for any target, and it keeps the clock's look-ahead bounded. */
const minutes = z.number().int(said('目標は1分単位（分の整数）で入力してください。', 'expected whole minutes')).min(1).max(525_600).nullable();

const policyFields = {
  name: plainText(80),
  priority: z.enum(priorities).nullable(),
  firstResponseMinutes: minutes,
  nextResponseMinutes: minutes,
  resolutionMinutes: minutes,
  atRiskPercent: z.int().min(1).max(99),
};

type PolicyTargets = { firstResponseMinutes?: number | null; nextResponseMinutes?: number | null; resolutionMinutes?: number | null };

const noTarget = said('目標を1つ以上設定してください。', 'set at least one target');
const nextNeedsFirst = said('次の返信の目標には、初回返信の目標も必要です。', 'a next-response target needs a first-response target');

/** Rules that span fields; the service applies them again to the merged row on a PATCH. Each detail carries its Japanese, as zod's do. */
export function policyProblems(p: PolicyTargets): Array<{ path: string; message: string; ja: string }> {
  const problems: Array<{ path: string; message: string; ja: string }> = [];
  const add = (path: string, message: string) => problems.push({ path, message, ja: japaneseOf(message) ?? message });
  if (!p.firstResponseMinutes && !p.nextResponseMinutes && !p.resolutionMinutes) add('firstResponseMinutes', noTarget);
  // A next-response cycle starts on a customer message after an answered first response.
  if (p.nextResponseMinutes && !p.firstResponseMinutes) add('nextResponseMinutes', nextNeedsFirst);
  return problems;
}

export const createPolicyBody = z.strictObject({
  ...policyFields,
  priority: policyFields.priority.default(null),
  firstResponseMinutes: minutes.default(null),
  nextResponseMinutes: minutes.default(null),
  resolutionMinutes: minutes.default(null),
  atRiskPercent: policyFields.atRiskPercent.default(80),
});
export const updatePolicyBody = z
  .strictObject(policyFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, said('変更する項目を1つ以上指定してください。', 'name at least one field to change'));

export const policyParams = shopIdParams.extend({ policyId: z.uuid({ message: said('ポリシーの ID の形式が正しくありません。', 'expected a policy id (UUID)') }) });

export const policyView = z.object({
  id: z.uuid(),
  name: z.string(),
  priority: z.enum(priorities).nullable(),
  firstResponseMinutes: z.number().nullable(),
  nextResponseMinutes: z.number().nullable(),
  resolutionMinutes: z.number().nullable(),
  atRiskPercent: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const complianceQuery = z
  .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: said('終了日時は開始日時より後にしてください。', '"from" must be before "to"'), path: ['to'] });

export const complianceView = z.array(
  z.object({ metric: z.enum(slaMetrics), met: z.number(), breached: z.number(), percentMet: z.number().nullable() }),
);
