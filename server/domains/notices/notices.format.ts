import type { NoticeLang, NoticeType, VariableSpec } from './notices.types.ts';
import { noticeVariableSpecs } from './notices.types.ts';

/**
 * Variables as a reader sees them, in Asia/Tokyo: 「12月11日（金）」 / "Fri, Dec 11" for a date,
 * 「12月3日 21時」 / "Dec 3, 21:00 JST" for a time (a template writes 「現在」 or "as of" around
 * it). The year shows only when it is not the year the notice speaks in.
 */
const TOKYO = 'Asia/Tokyo';
/** Formatters are costly to make and a campaign formats the same dates for every recipient: one per language. */
const formatters: Record<NoticeLang, Intl.DateTimeFormat> = {
  ja: new Intl.DateTimeFormat('ja-JP', { timeZone: TOKYO, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  en: new Intl.DateTimeFormat('en-US', { timeZone: TOKYO, year: 'numeric', month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
};
const parts = (d: Date, lang: NoticeLang) =>
  Object.fromEntries(formatters[lang].formatToParts(d).map((p) => [p.type, p.value])) as Record<'year' | 'month' | 'day' | 'weekday' | 'hour' | 'minute', string>;

/** The calendar day in Tokyo, as YYYY-MM-DD. */
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: TOKYO });
export const tokyoDay = (d: Date) => isoDay.format(d);
/** A day (YYYY-MM-DD) `n` days later, or earlier for a negative `n`. */
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export const tokyoYear = (d: Date) => parts(d, 'en').year;

/** A calendar date (YYYY-MM-DD) is a day in Tokyo; noon keeps it that day in any zone. */
const dayOf = (iso: string) => new Date(`${iso}T12:00:00+09:00`);

export function formatDate(iso: string, lang: NoticeLang, year: string): string {
  const p = parts(dayOf(iso), lang);
  const y = p.year !== year;
  return lang === 'ja' ? `${y ? `${p.year}年` : ''}${p.month}月${p.day}日（${p.weekday}）` : `${p.weekday}, ${p.month} ${p.day}${y ? `, ${p.year}` : ''}`;
}

export function formatDateTime(d: Date, lang: NoticeLang, year: string): string {
  const p = parts(d, lang);
  const y = p.year !== year;
  if (lang === 'ja') return `${y ? `${p.year}年` : ''}${p.month}月${p.day}日 ${Number(p.hour)}時${p.minute === '00' ? '' : `${p.minute}分`}`;
  return `${p.month} ${p.day}${y ? `, ${p.year}` : ''}, ${p.hour}:${p.minute} JST`;
}

/** The carriers' English names; any other name is shown as the shop wrote it. */
const carriersEn: Record<string, string> = {
  ヤマト運輸: 'Yamato Transport',
  佐川急便: 'Sagawa Express',
  日本郵便: 'Japan Post',
  西濃運輸: 'Seino Transportation',
  福山通運: 'Fukuyama Transporting',
};

/** A carrier's name in the reader's language (an order's carrier as it wrote it). */
export const carrierName = (name: string, lang: NoticeLang) => (lang === 'en' ? (carriersEn[name] ?? name) : name);

/** Free text given in both languages ({ ja, en }) shows the reader's; a plain string shows as written. */
const inLang = (x: unknown, lang: NoticeLang) => (x && typeof x === 'object' ? String((x as Record<NoticeLang, string>)[lang]) : String(x));

const days = (n: number, lang: NoticeLang) => (lang === 'ja' ? `${n}日` : `${n} day${n === 1 ? '' : 's'}`);
/** Lead times read 「発送日の翌日」「発送日の3日後」 in Japanese. */
const leadTime = (n: number, lang: NoticeLang) => (lang === 'en' ? days(n, lang) : n === 1 ? '翌日' : n === 2 ? '翌々日' : `${n}日後`);

function display(s: VariableSpec, value: unknown, lang: NoticeLang, year: string): unknown {
  const label = (x: unknown) => s.choices?.find((c) => c.value === x)?.label[lang] ?? inLang(x, lang);
  switch (s.kind) {
    case 'date':
      return formatDate(String(value), lang, year);
    case 'datetime':
      return formatDateTime(new Date(String(value)), lang, year);
    case 'number':
      return s.name.endsWith('lead_time') ? leadTime(Number(value), lang) : days(Number(value), lang);
    case 'list': {
      const items = (value as unknown[]).map(label);
      // "Asahikawa, Hokkaido, Kitami, Hokkaido" would read as four places.
      return s.lines ? items : items.join(lang === 'ja' ? '、' : items.some((i) => i.includes(',')) ? '; ' : ', ');
    }
    case 'text':
      if (s.choices) return label(value);
      return s.name === 'carrier' && typeof value === 'string' ? carrierName(value, lang) : inLang(value, lang);
    case 'url':
      return value;
  }
}

/**
 * The values a template sees: every declared variable (an optional one left out is null, so a
 * template tests it with {{#if}}), in the reader's language.
 */
export function displayVariables(type: NoticeType, vars: Record<string, unknown>, lang: NoticeLang, year: string): Record<string, unknown> {
  return Object.fromEntries(noticeVariableSpecs[type].map((s) => [s.name, vars[s.name] === undefined ? null : display(s, vars[s.name], lang, year)]));
}
