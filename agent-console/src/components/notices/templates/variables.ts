import type { VariableInfo } from './api.ts';

/**
 * The variables form's values, as people type them, and the variables the API takes. Free text
 * has a Japanese and an optional English box (both given: { ja, en }); a list is one item per
 * line; a time is typed in Tokyo time and sent with +09:00. Empty optional fields are left out,
 * and an empty required one too, so the server names it at its field.
 */
export type FieldValue = string | string[] | { ja: string; en: string };
export type FormValues = Record<string, FieldValue>;

const translatable = (v: VariableInfo) => (v.kind === 'text' || v.kind === 'list') && !v.choices;

const tokyo = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
/** An ISO instant as the value of a datetime-local input, in Tokyo time. */
export const tokyoLocal = (iso: string) => (Number.isNaN(Date.parse(iso)) ? '' : tokyo.format(new Date(iso)).replace(' ', 'T'));
export const fromTokyoLocal = (local: string) => `${local}:00+09:00`;

const side = (x: unknown, lang: 'ja' | 'en') => (x && typeof x === 'object' ? String((x as Record<string, unknown>)[lang] ?? '') : lang === 'ja' ? String(x ?? '') : '');

export function toForm(specs: VariableInfo[], vars: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const v of specs) {
    const x = vars[v.name];
    if (translatable(v)) {
      const items = v.kind === 'list' ? (Array.isArray(x) ? x : []) : x === undefined ? [] : [x];
      out[v.name] = { ja: items.map((i) => side(i, 'ja')).join('\n'), en: items.map((i) => side(i, 'en')).join('\n') };
    } else if (v.kind === 'list') out[v.name] = Array.isArray(x) ? x.map(String) : [];
    else if (v.kind === 'datetime') out[v.name] = typeof x === 'string' ? tokyoLocal(x) : '';
    else out[v.name] = x === undefined ? '' : String(x);
  }
  return out;
}

export function toVariables(specs: VariableInfo[], form: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of specs) {
    const f = form[v.name];
    if (f === undefined) continue;
    if (translatable(v)) {
      const { ja, en } = f as { ja: string; en: string };
      const jaLines = v.kind === 'list' ? ja.split('\n').map((l) => l.trim()).filter(Boolean) : [ja.trim()].filter(Boolean);
      const enLines = v.kind === 'list' ? en.split('\n').map((l) => l.trim()) : [en.trim()];
      const items = jaLines.map((j, i) => (enLines[i] ? { ja: j, en: enLines[i] } : j));
      if (items.length) out[v.name] = v.kind === 'list' ? items : items[0];
    } else if (v.kind === 'list') {
      if ((f as string[]).length) out[v.name] = f;
    } else {
      const s = String(f).trim();
      if (!s) continue;
      out[v.name] = v.kind === 'number' ? Number(s) : v.kind === 'datetime' ? fromTokyoLocal(s) : s;
    }
  }
  return out;
}
