/** What a preset is made of: picks of a platform's columns, and the small readers the presets share. */
import type { Field, RawValues } from './orders.csv.rows.ts';
import type { ImportPreset } from './orders.schema.ts';
import { paymentOf, phoneOf, prefectureOf } from './orders.presets.values.ts';

/** A cell of the current record by its header as written; '' when the file has no such column. */
export type Get = (header: string) => string;

/** A value read from one or more columns; `from[0]` (or the first present) is the column the report names. */
export interface Derived {
  from: readonly string[];
  read: (get: Get) => string | undefined;
}

export type Pick = string | Derived;

export type PlatformPreset = Exclude<ImportPreset, 'madoguchi' | 'custom'>;

export interface OrderRecord {
  get: Get;
  values: RawValues;
  /** Reasons a derived value could not be made, per field (reported at the field's column). */
  problems: Partial<Record<Field, string>>;
}

export interface Preset {
  id: PlatformPreset;
  label: string;
  /** Columns without which no order can be read: a file that looks like this platform's but lacks one is refused naming it. */
  needs: readonly string[];
  /** Further columns typical of the layout: with `needs`, they recognise it. */
  marks: readonly string[];
  columns: Partial<Record<Field, Pick>>;
  /** Runs once per order over its records, first row first: values only the whole order gives. */
  finishOrder?: (records: OrderRecord[]) => void;
}

export const blank = (s: string | undefined) => s === undefined || s.trim() === '';
export const firstOf = (get: Get, ...headers: string[]) => headers.map((h) => get(h).trim()).find((v) => v !== '') ?? '';
export const orUndefined = (s: string) => (s === '' ? undefined : s);

export const derive = (from: readonly string[], read: (get: Get) => string | undefined): Derived => ({ from, read });
export const firstNonBlank = (...from: string[]) => derive(from, (get) => orUndefined(firstOf(get, ...from)));
export const payment = (...from: string[]) => derive(from, (get) => (blank(firstOf(get, ...from)) ? undefined : paymentOf(firstOf(get, ...from))));
export const prefecture = (...from: string[]) => derive(from, (get) => orUndefined(firstOf(get, ...from)) && prefectureOf(firstOf(get, ...from)));
export const phone = (...from: string[]) => derive(from, (get) => orUndefined(phoneOf(firstOf(get, ...from))));
export const joined = (sep: string, ...from: string[]) =>
  derive(from, (get) => orUndefined(from.map((h) => get(h).trim()).filter(Boolean).join(sep)));
/** A tax-rate column where there is one, else the standard rate (most goods). */
export const taxOrStandard = (...from: string[]) => derive(from, (get) => firstOf(get, ...from) || '10');
