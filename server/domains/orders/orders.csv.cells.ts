/**
 * Cell conversion for the order CSV import: turns what Japanese shop platforms write in a cell
 * (`¥1,980`, `８％`, `2026/11/25 14:03`, 代金引換) into the types the order schema expects.
 */
import { paymentMethods, type PaymentMethod } from './orders.schema.ts';

export type Kind = 'text' | 'date' | 'yen' | 'count' | 'tax' | 'payment';

export type Value = string | number;
export type Converted = { ok: true; value: Value } | { ok: false; reason: string };

export const quote = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/** `1,980`, `¥1,980`, `1980円`, full-width digits; a negative sign is kept for the schema to reject. */
function wholeNumber(raw: string, yen: boolean): Converted {
  let s = raw.normalize('NFKC').trim();
  let sign = 1;
  if (/^[-−]/.test(s)) {
    sign = -1;
    s = s.slice(1).trim();
  }
  // In Shift_JIS files the yen sign is byte 0x5C, which decodes as a backslash.
  if (yen) s = s.replace(/^[¥\\]\s*/, '').replace(/\s*円$/, '');
  const example = yen ? 'a whole number of yen such as 1,980' : 'a whole number such as 2';
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return { ok: false, reason: `expected ${example}, got ${quote(raw)}` };
  if (m[2] && /[1-9]/.test(m[2])) return { ok: false, reason: `expected ${example}, got the fraction ${quote(raw)}` };
  const value = sign * Number(m[1]!.replace(/,/g, ''));
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `the number ${quote(raw)} is too large` };
  return { ok: true, value };
}

/** `10`, `8`, `10%`, `８％`. Whether the rate is allowed is the schema's business. */
function taxRate(raw: string): Converted {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw.normalize('NFKC').trim());
  if (!m) return { ok: false, reason: `expected a tax rate such as 10 or 8%, got ${quote(raw)}` };
  return { ok: true, value: Number(m[1]) };
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * ISO 8601 with an offset, or `2026/11/25`, `2026-11-25`, `2026/11/25 14:03`, `2026-11-25 14:03:00`
 * (one-digit months, days and hours too, as spreadsheets write them). No offset means Japan time.
 */
function dateTime(raw: string): Converted {
  const s = raw.normalize('NFKC').trim();
  const m =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(s);
  const bad: Converted = {
    ok: false,
    reason: `expected a date such as 2026/11/25, 2026/11/25 14:03 or 2026-11-25T14:03:00+09:00, got ${quote(raw)}`,
  };
  if (!m) return bad;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return bad;
  let offset = m[8] ?? '+09:00';
  if (offset.toUpperCase() === 'Z') offset = 'Z';
  else if (!offset.includes(':')) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return { ok: true, value: `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}${m[7] ?? ''}${offset}` };
}

const paymentLabels: Record<string, PaymentMethod> = {
  クレジットカード: 'credit_card',
  カード: 'credit_card',
  代金引換: 'cod',
  代引き: 'cod',
  代引: 'cod',
  銀行振込: 'bank_transfer',
  コンビニ払い: 'convenience_store',
  コンビニ決済: 'convenience_store',
  キャリア決済: 'carrier_billing',
  後払い: 'deferred',
  電子マネー: 'e_money',
  その他: 'other',
};

function payment(raw: string): Converted {
  // NFKC also turns half-width katakana (ｶｰﾄﾞ) into the full-width labels above.
  const s = raw.normalize('NFKC').trim();
  const english = s.toLowerCase().replace(/[\s-]+/g, '_');
  if ((paymentMethods as readonly string[]).includes(english)) return { ok: true, value: english };
  const label = paymentLabels[s];
  if (label) return { ok: true, value: label };
  return {
    ok: false,
    reason: `unknown payment method ${quote(raw)}; expected one of ${paymentMethods.join(', ')} or a Japanese label such as クレジットカード, 代金引換, 銀行振込, コンビニ払い`,
  };
}

export function convert(kind: Kind, raw: string): Converted {
  switch (kind) {
    case 'text':
      return { ok: true, value: raw };
    case 'date':
      return dateTime(raw);
    case 'yen':
      return wholeNumber(raw, true);
    case 'count':
      return wholeNumber(raw, false);
    case 'tax':
      return taxRate(raw);
    case 'payment':
      return payment(raw);
  }
}
