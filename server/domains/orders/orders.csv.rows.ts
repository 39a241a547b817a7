/**
 * The columns of an order CSV (English names and the Japanese headers platforms write) and the
 * reading of its header and rows into converted cells with per-cell errors.
 */
import { orderNumber as orderNumberSchema, type ImportField } from './orders.schema.ts';
import { convert, quote, type Kind, type Value } from './orders.csv.cells.ts';

export interface CsvRowError {
  /** Physical line in the file where the row starts (header = line 1). */
  line: number;
  orderNumber: string | null;
  /** The header of the offending column as written in the file, or null when the error is about the row. */
  column: string | null;
  reason: string;
}



/** A problem with the file as a whole: nothing in it can be imported. */
export class CsvFileError extends Error {
  override readonly name = 'CsvFileError';
  constructor(
    message: string,
    /** The same problem in Japanese: the console shows the merchant's language, not the English. */
    readonly ja: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Columns

type Level = 'key' | 'order' | 'line';

interface ColumnSpec {
  aliases: readonly string[];
  /** What the column holds, for the console's mapping step. */
  ja: string;
  en: string;
  required: boolean;
  level: Level;
  kind: Kind;
}

export const columns = {
  order_number: { aliases: ['注文番号'], ja: '注文番号', en: 'order number', required: true, level: 'key', kind: 'text' },
  ordered_at: { aliases: ['注文日時'], ja: '注文日時', en: 'ordered at', required: true, level: 'order', kind: 'date' },
  customer_name: { aliases: ['氏名', '注文者氏名'], ja: 'お客様の氏名', en: 'customer name', required: true, level: 'order', kind: 'text' },
  customer_email: { aliases: ['メールアドレス'], ja: 'メールアドレス', en: 'email', required: true, level: 'order', kind: 'text' },
  customer_phone: { aliases: ['電話番号'], ja: '電話番号', en: 'phone', required: false, level: 'order', kind: 'text' },
  postcode: { aliases: ['郵便番号'], ja: '郵便番号', en: 'postcode', required: false, level: 'order', kind: 'text' },
  prefecture: { aliases: ['都道府県'], ja: '都道府県', en: 'prefecture', required: false, level: 'order', kind: 'text' },
  address: { aliases: ['住所'], ja: '住所', en: 'address', required: false, level: 'order', kind: 'text' },
  sku: { aliases: ['商品コード', 'SKU'], ja: '商品コード（SKU）', en: 'SKU', required: true, level: 'line', kind: 'text' },
  item_name: { aliases: ['商品名'], ja: '商品名', en: 'item name', required: true, level: 'line', kind: 'text' },
  quantity: { aliases: ['数量'], ja: '数量', en: 'quantity', required: true, level: 'line', kind: 'count' },
  unit_price: { aliases: ['単価', '単価(税込)'], ja: '単価（税込）', en: 'unit price (tax included)', required: true, level: 'line', kind: 'yen' },
  tax_rate: { aliases: ['税率'], ja: '税率', en: 'tax rate', required: true, level: 'line', kind: 'tax' },
  tags: { aliases: ['タグ', '商品タグ'], ja: '商品タグ', en: 'product tags', required: false, level: 'line', kind: 'text' },
  shipping_fee: { aliases: ['送料'], ja: '送料', en: 'shipping fee', required: false, level: 'order', kind: 'yen' },
  cod_fee: { aliases: ['代引手数料', '代引き手数料'], ja: '代引き手数料', en: 'COD fee', required: false, level: 'order', kind: 'yen' },
  coupon_code: { aliases: ['クーポンコード'], ja: 'クーポンコード', en: 'coupon code', required: false, level: 'order', kind: 'text' },
  coupon_discount: { aliases: ['クーポン値引額', 'クーポン割引'], ja: 'クーポン値引額', en: 'coupon discount', required: false, level: 'order', kind: 'yen' },
  payment_method: { aliases: ['支払方法'], ja: '支払方法', en: 'payment method', required: true, level: 'order', kind: 'payment' },
  carrier: { aliases: ['配送業者'], ja: '配送業者', en: 'carrier', required: false, level: 'order', kind: 'text' },
  tracking_number: { aliases: ['伝票番号', '追跡番号'], ja: '伝票番号', en: 'tracking number', required: false, level: 'order', kind: 'text' },
  shipped_at: { aliases: ['発送日'], ja: '発送日', en: 'shipped at', required: false, level: 'order', kind: 'date' },
  delivered_at: { aliases: ['配達日', 'お届け日'], ja: '配達日', en: 'delivered at', required: false, level: 'order', kind: 'date' },
  /** Where the order ships from when not from the shop's usual place: route-targeted notices (2024年問題) read it. */
  origin_prefecture: { aliases: ['発送元都道府県', '出荷元都道府県'], ja: '発送元都道府県', en: 'ships from (prefecture)', required: false, level: 'order', kind: 'text' },
  cancelled_at: { aliases: ['キャンセル日時'], ja: 'キャンセル日時', en: 'cancelled at', required: false, level: 'order', kind: 'date' },
} as const satisfies Record<ImportField, ColumnSpec>;

export type Field = keyof typeof columns;
export const fields = Object.keys(columns) as Field[];
export const orderFields = fields.filter((f) => columns[f].level === 'order');
export const lineFields = fields.filter((f) => columns[f].level === 'line');
export const requiredFields = fields.filter((f) => columns[f].required);

/** Header cells are matched after NFKC (full-width letters and brackets), trimming and lower-casing. */
export const headerKey = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s-]+/g, '_');

const fieldByHeader = new Map<string, Field>();
for (const f of fields) {
  fieldByHeader.set(headerKey(f), f);
  for (const a of columns[f].aliases) fieldByHeader.set(headerKey(a), f);
}

export const describeColumn = (f: Field) => `${f} (${columns[f].aliases.join(' / ')})`;

// ---------------------------------------------------------------------------------------------------------------
// Rows

export interface Row {
  line: number;
  orderNumber: string | null;
  /** Converted cells; a field is absent when its cell is empty, the column is missing, or conversion failed. */
  values: Partial<Record<Field, Value>>;
  /** Fields whose cell already has an error (so schema issues about them are not reported twice). */
  bad: Set<Field>;
  /** The row could not be read cell by cell (wrong number of fields). */
  unreadable: boolean;
  errors: CsvRowError[];
}

export interface Header {
  index: Map<Field, number>;
  /** The header cell as written (trimmed), per field. */
  name: Map<Field, string>;
  width: number;
}

/** madoguchi's own columns in a header row (names or aliases), or null when a required one is missing. */
export function matchHeader(cells: string[]): { header: Header; missing: Field[] } {
  const index = new Map<Field, number>();
  const name = new Map<Field, string>();
  cells.forEach((cell, i) => {
    const f = fieldByHeader.get(headerKey(cell));
    if (!f || index.has(f)) return;
    index.set(f, i);
    name.set(f, cell.trim());
  });
  return { header: { index, name, width: cells.length }, missing: requiredFields.filter((f) => !index.has(f)) };
}

export function readHeader(cells: string[]): Header {
  const index = new Map<Field, number>();
  const name = new Map<Field, string>();
  cells.forEach((cell, i) => {
    const f = fieldByHeader.get(headerKey(cell));
    if (!f) return; // platforms add many columns of their own
    const written = cell.trim();
    if (index.has(f)) {
      throw new CsvFileError(`the columns "${name.get(f)}" and "${written}" both mean ${f}; keep only one of them`, `列「${name.get(f)}」と「${written}」は同じ項目（${f}）です。どちらか一方だけにしてください`, {
        column: f,
        headers: [name.get(f), written],
      });
    }
    index.set(f, i);
    name.set(f, written);
  });
  const missing = requiredFields.filter((f) => !index.has(f));
  if (missing.length > 0) {
    let message = `missing required columns: ${missing.map(describeColumn).join(', ')}`;
    let ja = `必須の列がありません：${missing.map(describeColumn).join('、')}`;
    if (index.size === 0) {
      const tabs = cells.length === 1 && cells[0]!.includes('\t');
      message += tabs ? '; the file looks tab-separated, but only comma-separated files are accepted' : '; the first row must be a header row naming the columns';
      ja += tabs ? '。タブ区切りのファイルのようです。カンマ区切り（CSV）で保存してください' : '。1行目は列の名前を並べた見出し行にしてください';
    }
    throw new CsvFileError(message, ja, { missing });
  }
  return { index, name, width: cells.length };
}

/** A record's cells as madoguchi's fields: raw strings, before conversion. */
export type RawValues = Partial<Record<Field, string>>;

/** The cells of a record in madoguchi's own layout. */
export const cellsOf = (cells: string[], header: Header): RawValues =>
  Object.fromEntries([...header.index].map(([f, i]) => [f, cells[i]])) as RawValues;

/**
 * One record, its cells already picked out as madoguchi's fields (by name, a platform preset or a saved
 * mapping); `names` are the headers as written, for the report; `unreadable` says why the record cannot be
 * read cell by cell.
 */
export function readRow(
  raw: RawValues,
  line: number,
  names: Map<Field, string>,
  unreadable: string | null = null,
  problems: Partial<Record<Field, string>> = {},
): Row {
  const cell = (f: Field): string | undefined => raw[f]?.trim();
  const row: Row = { line, orderNumber: null, values: {}, bad: new Set(), unreadable: false, errors: [] };
  const fail = (f: Field | null, reason: string) => {
    if (f) row.bad.add(f);
    row.errors.push({ line, orderNumber: row.orderNumber, column: f ? (names.get(f) ?? null) : null, reason });
  };

  // The order number first, so that every other error of the row can name it.
  const rawNumber = cell('order_number') ?? '';
  if (rawNumber === '') {
    fail('order_number', 'the order number is empty');
  } else {
    const checked = orderNumberSchema.safeParse(rawNumber);
    if (checked.success) row.orderNumber = checked.data;
    else fail('order_number', `invalid order number ${quote(rawNumber)}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  }

  if (unreadable) {
    row.unreadable = true;
    fail(null, unreadable);
    return row;
  }

  for (const f of fields) {
    if (f === 'order_number') continue;
    const problem = problems[f];
    if (problem) {
      fail(f, problem);
      continue;
    }
    const value = cell(f);
    if (value === undefined || value === '') {
      // Required order-level cells may be blank on the later rows of an order; checkOrder checks the first row.
      if (columns[f].required && columns[f].level === 'line') fail(f, 'a value is required');
      continue;
    }
    const converted = convert(columns[f].kind, value);
    if (converted.ok) row.values[f] = converted.value;
    else fail(f, converted.reason);
  }
  return row;
}
