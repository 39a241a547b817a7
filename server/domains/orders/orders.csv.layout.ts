/**
 * Which columns of a file fill which of madoguchi's fields: madoguchi's own names, a platform's export
 * recognised from its header row (orders.presets.ts), or the shop's saved mapping. The result reads each
 * record into madoguchi's fields and names, per field, the file's own column for the report.
 */
import { convert } from './orders.csv.cells.ts';
import { CsvFileError, cellsOf, fields, headerKey, matchHeader, readHeader, requiredFields, type Field } from './orders.csv.rows.ts';
import { presets, type Get, type OrderRecord, type Preset } from './orders.presets.ts';
import { paymentOf } from './orders.presets.values.ts';
import type { ImportPreset, PaymentMethod } from './orders.schema.ts';

/** A shop's saved mapping: field → header as written, and values for columns the file does not have. */
export interface SavedMapping {
  columns: Partial<Record<Field, string>>;
  defaults: { taxRate?: 10 | 8; paymentMethod?: PaymentMethod };
}

export interface Layout {
  preset: ImportPreset;
  /** The file's own column per field (as written), for the report. */
  names: Map<Field, string>;
  read(cells: string[]): OrderRecord;
  finishOrder?: (records: OrderRecord[]) => void;
}

/** Header cells by their tolerant key (NFKC, case, spaces): the index of the first cell with it. */
function headerIndex(cells: string[]): Map<string, number> {
  const index = new Map<string, number>();
  cells.forEach((c, i) => {
    const k = headerKey(c);
    if (k && !index.has(k)) index.set(k, i);
  });
  return index;
}

const getter = (index: Map<string, number>, cells: string[]): Get => (h) => {
  const i = index.get(headerKey(h));
  return i === undefined ? '' : (cells[i] ?? '');
};

// ---------------------------------------------------------------------------------------------------------------
// Recognising a platform's export

export interface Recognised {
  preset: Preset;
  missing: string[];
  score: number;
}

/** The preset whose columns the header row has most of (at least half of them), and which of its needed columns are missing. */
export function recognise(cells: string[]): Recognised | null {
  const index = headerIndex(cells);
  let best: Recognised | null = null;
  for (const preset of presets) {
    const all = [...new Set([...preset.needs, ...preset.marks])];
    const present = all.filter((h) => index.has(headerKey(h))).length;
    const score = present / all.length;
    if (score >= 0.5 && (!best || score > best.score)) best = { preset, score, missing: preset.needs.filter((h) => !index.has(headerKey(h))) };
  }
  return best;
}

/** The first column a pick reads that the file has, as the file writes it. */
function presentColumn(pick: Preset['columns'][Field], index: Map<string, number>, cells: string[]): string | null {
  if (pick === undefined) return null;
  const present = (typeof pick === 'string' ? [pick] : pick.from).find((h) => index.has(headerKey(h)));
  return present === undefined ? null : cells[index.get(headerKey(present))!]!.trim();
}

/** The column a report names for a pick: the one the file has, else the platform's own name for it. */
const pickName = (pick: Preset['columns'][Field], index: Map<string, number>, cells: string[]) =>
  presentColumn(pick, index, cells) ?? (pick === undefined ? null : typeof pick === 'string' ? pick : (pick.from[0] ?? null));

export function presetLayout(preset: Preset, cells: string[]): Layout {
  const index = headerIndex(cells);
  const names = new Map<Field, string>();
  for (const f of fields) {
    const name = pickName(preset.columns[f], index, cells);
    if (name) names.set(f, name);
  }
  return {
    preset: preset.id,
    names,
    read: (record) => {
      const get = getter(index, record);
      const values: OrderRecord['values'] = {};
      for (const f of fields) {
        const pick = preset.columns[f];
        if (pick === undefined) continue;
        const v = typeof pick === 'string' ? get(pick) : pick.read(get);
        if (v !== undefined) values[f] = v;
      }
      return { get, values, problems: {} };
    },
    finishOrder: preset.finishOrder,
  };
}

/** What a preset suggests for each field: its plain column, or the first column of a derived value, where the file has it. */
export function presetSuggestion(preset: Preset, cells: string[]): Partial<Record<Field, string>> {
  const index = headerIndex(cells);
  const out: Partial<Record<Field, string>> = {};
  for (const f of fields) {
    const column = presentColumn(preset.columns[f], index, cells);
    if (column) out[f] = column;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A saved mapping

/** Mapped headers the file does not have. */
export const mappingMissing = (mapping: SavedMapping, cells: string[]) => {
  const index = headerIndex(cells);
  return Object.values(mapping.columns).filter((h): h is string => !!h && !index.has(headerKey(h)));
};

export function mappingLayout(mapping: SavedMapping, cells: string[]): Layout {
  const index = headerIndex(cells);
  const names = new Map<Field, string>();
  for (const [f, h] of Object.entries(mapping.columns) as [Field, string][]) {
    const i = index.get(headerKey(h));
    names.set(f, i === undefined ? h : cells[i]!.trim());
  }
  const { taxRate, paymentMethod } = mapping.defaults;
  return {
    preset: 'custom',
    names,
    read: (record) => {
      const get = getter(index, record);
      const values: OrderRecord['values'] = {};
      for (const [f, h] of Object.entries(mapping.columns) as [Field, string][]) values[f] = get(h);
      if (taxRate && !values.tax_rate?.trim()) values.tax_rate = String(taxRate);
      const pay = values.payment_method?.trim();
      // A platform's own label (クレジットカード決済) is read as the presets read it when the plain labels do not know it.
      if (pay && !convert('payment', pay).ok && paymentOf(pay) !== 'other') values.payment_method = paymentOf(pay);
      return { get, values, problems: {} };
    },
    // Defaults fill the order's first row only: later rows may leave order-level cells blank.
    finishOrder: paymentMethod
      ? (records) => {
          const first = records[0]!;
          if (!first.values.payment_method?.trim()) first.values.payment_method = paymentMethod;
        }
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------

function madoguchiLayout(cells: string[]): Layout {
  const header = readHeader(cells);
  return { preset: 'madoguchi', names: header.name, read: (record) => ({ get: () => '', values: cellsOf(record, header), problems: {} }) };
}

const quoteList = (hs: string[], sep: string) => hs.map((h) => `"${h}"`).join(sep);
const jaList = (hs: string[]) => hs.map((h) => `「${h}」`).join('');

/**
 * How to read a file with this header row. `mode: 'saved'` uses the shop's mapping whatever the file
 * looks like; `auto` tries madoguchi's names, then the platforms' exports, then the saved mapping.
 */
export function chooseLayout(cells: string[], opts: { mapping: SavedMapping | null; mode: 'auto' | 'saved' }): Layout {
  if (opts.mode === 'saved') {
    if (!opts.mapping) throw new CsvFileError('no column mapping is saved for this shop', 'この店舗には列の対応づけが保存されていません', { path: 'mapping' });
    const missing = mappingMissing(opts.mapping, cells);
    if (missing.length) {
      throw new CsvFileError(
        `the saved column mapping names columns this file does not have: ${quoteList(missing, ', ')}`,
        `保存された列の対応づけにある列がこのファイルにありません：${jaList(missing)}`,
        { missing },
      );
    }
    return mappingLayout(opts.mapping, cells);
  }

  const own = matchHeader(cells);
  if (own.missing.length === 0) return madoguchiLayout(cells);

  const recognised = recognise(cells);
  if (recognised && recognised.missing.length === 0) return presetLayout(recognised.preset, cells);
  if (opts.mapping && mappingMissing(opts.mapping, cells).length === 0) return mappingLayout(opts.mapping, cells);
  if (recognised) {
    const { preset, missing } = recognised;
    const one = missing.length === 1;
    throw new CsvFileError(
      `this looks like a ${preset.label} export, but the column${one ? '' : 's'} ${quoteList(missing, ', ')} ${one ? 'is' : 'are'} missing (renamed or removed?); export the file again from ${preset.label} without changing its columns, or map the columns yourself`,
      `${preset.label} の書き出しファイルのようですが、列${jaList(missing)}がありません（名前が変わったか、消されていませんか）。${preset.label} から列を変えずに書き出し直すか、列の対応づけをしてください`,
      { preset: preset.id, missing },
    );
  }
  return madoguchiLayout(cells); // throws, naming madoguchi's required columns
}

/** Required fields a field → header suggestion leaves out (tax rate and payment method may come from defaults). */
export const unmappedRequired = (suggested: Partial<Record<Field, string | null>>, defaults: SavedMapping['defaults'] = {}) =>
  requiredFields.filter((f) => !suggested[f] && !(f === 'tax_rate' && defaults.taxRate) && !(f === 'payment_method' && defaults.paymentMethod));

/** madoguchi's own names and aliases found in a header row, per field. */
export function ownSuggestion(cells: string[]): Partial<Record<Field, string>> {
  return Object.fromEntries([...matchHeader(cells).header.name]) as Partial<Record<Field, string>>;
}

