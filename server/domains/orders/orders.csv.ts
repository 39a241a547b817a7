/**
 * Order CSV import: bytes in, validated order inputs and per-row errors out.
 *
 * Pure: no I/O, no database. The caller decides what to do with `orders` (upsert) and `errors` (report).
 *
 * Layout: one row per order line, as Japanese shop platforms export them; order-level columns are repeated on
 * every row of the same order (or, as some platforms do, filled on the first row only and left blank on the
 * others). Every order is validated with the same `orderInput` schema as the JSON API, so the normalisation
 * rules live in one place; this module only turns CSV cells into the types that schema expects.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { convert, quote, type Kind, type Value } from './orders.csv.cells.ts';
import { orderInput, orderNumber as orderNumberSchema, type OrderInput } from './orders.schema.ts';

export type CsvEncoding = 'utf-8' | 'shift_jis';

export interface CsvRowError {
  /** Physical line in the file where the row starts (header = line 1). */
  line: number;
  orderNumber: string | null;
  /** The header of the offending column as written in the file, or null when the error is about the row. */
  column: string | null;
  reason: string;
}

export interface ParsedCsvOrder {
  orderNumber: string;
  /** File line of each row; `lines[i]` is the row of `input.lines[i]`. */
  lines: number[];
  input: OrderInput;
}

export interface ParsedCsv {
  encoding: CsvEncoding;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  orders: ParsedCsvOrder[];
  /** Sorted by line. Every row that was not imported has at least one entry. */
  errors: CsvRowError[];
}

/** A problem with the file as a whole: nothing in it can be imported. */
export class CsvFileError extends Error {
  override readonly name = 'CsvFileError';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const maxCsvRows = 50_000;

// ---------------------------------------------------------------------------------------------------------------
// Columns

type Level = 'key' | 'order' | 'line';

interface ColumnSpec {
  aliases: readonly string[];
  required: boolean;
  level: Level;
  kind: Kind;
}

const columns = {
  order_number: { aliases: ['注文番号'], required: true, level: 'key', kind: 'text' },
  ordered_at: { aliases: ['注文日時'], required: true, level: 'order', kind: 'date' },
  customer_name: { aliases: ['氏名', '注文者氏名'], required: true, level: 'order', kind: 'text' },
  customer_email: { aliases: ['メールアドレス'], required: true, level: 'order', kind: 'text' },
  customer_phone: { aliases: ['電話番号'], required: false, level: 'order', kind: 'text' },
  postcode: { aliases: ['郵便番号'], required: false, level: 'order', kind: 'text' },
  prefecture: { aliases: ['都道府県'], required: false, level: 'order', kind: 'text' },
  address: { aliases: ['住所'], required: false, level: 'order', kind: 'text' },
  sku: { aliases: ['商品コード', 'SKU'], required: true, level: 'line', kind: 'text' },
  item_name: { aliases: ['商品名'], required: true, level: 'line', kind: 'text' },
  quantity: { aliases: ['数量'], required: true, level: 'line', kind: 'count' },
  unit_price: { aliases: ['単価', '単価(税込)'], required: true, level: 'line', kind: 'yen' },
  tax_rate: { aliases: ['税率'], required: true, level: 'line', kind: 'tax' },
  shipping_fee: { aliases: ['送料'], required: false, level: 'order', kind: 'yen' },
  cod_fee: { aliases: ['代引手数料', '代引き手数料'], required: false, level: 'order', kind: 'yen' },
  coupon_code: { aliases: ['クーポンコード'], required: false, level: 'order', kind: 'text' },
  coupon_discount: { aliases: ['クーポン値引額', 'クーポン割引'], required: false, level: 'order', kind: 'yen' },
  payment_method: { aliases: ['支払方法'], required: true, level: 'order', kind: 'payment' },
  carrier: { aliases: ['配送業者'], required: false, level: 'order', kind: 'text' },
  tracking_number: { aliases: ['伝票番号', '追跡番号'], required: false, level: 'order', kind: 'text' },
  shipped_at: { aliases: ['発送日'], required: false, level: 'order', kind: 'date' },
  delivered_at: { aliases: ['配達日', 'お届け日'], required: false, level: 'order', kind: 'date' },
} as const satisfies Record<string, ColumnSpec>;

type Field = keyof typeof columns;
const fields = Object.keys(columns) as Field[];
const orderFields = fields.filter((f) => columns[f].level === 'order');
const lineFields = fields.filter((f) => columns[f].level === 'line');
const requiredFields = fields.filter((f) => columns[f].required);

/** Header cells are matched after NFKC (full-width letters and brackets), trimming and lower-casing. */
const headerKey = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s-]+/g, '_');

const fieldByHeader = new Map<string, Field>();
for (const f of fields) {
  fieldByHeader.set(headerKey(f), f);
  for (const a of columns[f].aliases) fieldByHeader.set(headerKey(a), f);
}

const describeColumn = (f: Field) => `${f} (${columns[f].aliases.join(' / ')})`;

// ---------------------------------------------------------------------------------------------------------------
// Decoding

function decode(bytes: Uint8Array, encoding: CsvEncoding): string | null {
  try {
    // The UTF-8 decoder strips a leading BOM (ignoreBOM defaults to false).
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** NUL characters cannot be stored; a file full of them is almost always UTF-16. */
function refuseNul(decoded: { text: string; encoding: CsvEncoding }): { text: string; encoding: CsvEncoding } {
  const at = decoded.text.indexOf('\u0000');
  if (at >= 0) {
    const line = decoded.text.slice(0, at).split('\n').length;
    throw new CsvFileError(`the file contains a NUL character (line ${line}); UTF-16 files are not supported, save it as UTF-8 or Shift_JIS`, { line });
  }
  return decoded;
}

function decodeFile(bytes: Uint8Array, hint: CsvEncoding | 'auto'): { text: string; encoding: CsvEncoding } {
  return refuseNul(decodeAny(bytes, hint));
}

function decodeAny(bytes: Uint8Array, hint: CsvEncoding | 'auto'): { text: string; encoding: CsvEncoding } {
  if (hint !== 'auto') {
    const text = decode(bytes, hint);
    if (text === null) {
      const name = hint === 'utf-8' ? 'UTF-8' : 'Shift_JIS';
      throw new CsvFileError(`the file is not valid ${name} text`, { encoding: hint });
    }
    return { text, encoding: hint };
  }
  for (const encoding of ['utf-8', 'shift_jis'] as const) {
    const text = decode(bytes, encoding);
    if (text !== null) return { text, encoding };
  }
  throw new CsvFileError('the file is neither UTF-8 nor Shift_JIS text', { tried: ['utf-8', 'shift_jis'] });
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

interface Row {
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

interface Header {
  index: Map<Field, number>;
  /** The header cell as written (trimmed), per field. */
  name: Map<Field, string>;
  width: number;
}

function readHeader(cells: string[]): Header {
  const index = new Map<Field, number>();
  const name = new Map<Field, string>();
  cells.forEach((cell, i) => {
    const f = fieldByHeader.get(headerKey(cell));
    if (!f) return; // platforms add many columns of their own
    const written = cell.trim();
    if (index.has(f)) {
      throw new CsvFileError(`the columns "${name.get(f)}" and "${written}" both mean ${f}; keep only one of them`, {
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
    if (index.size === 0) {
      message += cells.length === 1 && cells[0]!.includes('\t')
        ? '; the file looks tab-separated, but only comma-separated files are accepted'
        : '; the first row must be a header row naming the columns';
    }
    throw new CsvFileError(message, { missing });
  }
  return { index, name, width: cells.length };
}

function readRow(cells: string[], line: number, header: Header): Row {
  const cell = (f: Field): string | undefined => {
    const i = header.index.get(f);
    return i === undefined ? undefined : cells[i]?.trim();
  };
  const row: Row = { line, orderNumber: null, values: {}, bad: new Set(), unreadable: false, errors: [] };
  const fail = (f: Field | null, reason: string) => {
    if (f) row.bad.add(f);
    row.errors.push({ line, orderNumber: row.orderNumber, column: f ? (header.name.get(f) ?? null) : null, reason });
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

  if (cells.length !== header.width) {
    row.unreadable = true;
    fail(null, `the row has ${cells.length} fields but the header has ${header.width}`);
    return row;
  }

  for (const f of fields) {
    if (f === 'order_number') continue;
    const raw = cell(f);
    if (raw === undefined || raw === '') {
      // Required order-level cells may be blank on the later rows of an order; checkOrder checks the first row.
      if (columns[f].required && columns[f].level === 'line') fail(f, 'a value is required');
      continue;
    }
    const converted = convert(columns[f].kind, raw);
    if (converted.ok) row.values[f] = converted.value;
    else fail(f, converted.reason);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

type Issue = z.core.$ZodIssue;

const orderPathFields: Record<string, Field> = {
  orderedAt: 'ordered_at',
  shippingFee: 'shipping_fee',
  codFee: 'cod_fee',
  paymentMethod: 'payment_method',
  carrier: 'carrier',
  trackingNumber: 'tracking_number',
  shippedAt: 'shipped_at',
  deliveredAt: 'delivered_at',
};
const customerPathFields: Record<string, Field> = {
  name: 'customer_name',
  email: 'customer_email',
  phone: 'customer_phone',
  postcode: 'postcode',
  prefecture: 'prefecture',
  address: 'address',
};
const couponPathFields: Record<string, Field> = { code: 'coupon_code', discount: 'coupon_discount' };
const linePathFields: Record<string, Field> = {
  sku: 'sku',
  name: 'item_name',
  quantity: 'quantity',
  unitPrice: 'unit_price',
  taxRate: 'tax_rate',
};

/** Which row and column a schema issue is about. */
function locate(path: readonly PropertyKey[], first: Row, lineRows: Row[]): { row: Row; field: Field | null } {
  const [head, second, third] = path;
  if (head === 'lines') {
    const row = typeof second === 'number' ? lineRows[second] : undefined;
    if (!row) return { row: first, field: null };
    return { row, field: typeof third === 'string' ? (linePathFields[third] ?? null) : null };
  }
  if (head === 'customer') return { row: first, field: typeof second === 'string' ? (customerPathFields[second] ?? null) : null };
  if (head === 'coupon') {
    return { row: first, field: typeof second === 'string' ? (couponPathFields[second] ?? null) : 'coupon_discount' };
  }
  return { row: first, field: typeof head === 'string' ? (orderPathFields[head] ?? null) : null };
}

function describeIssue(issue: Issue): string {
  // z.union of literals (taxRate) only says "Invalid input"; name the allowed values instead.
  if (issue.code === 'invalid_union') {
    const values = issue.errors.flatMap((branch) => branch.flatMap((i) => (i.code === 'invalid_value' ? i.values : [])));
    if (values.length > 0 && issue.errors.every((b) => b.every((i) => i.code === 'invalid_value'))) {
      return `expected ${values.map(String).join(' or ')}`;
    }
  }
  return issue.message;
}

const strip = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Order-level values are compared as converted, so `¥1,980` and `1980` agree, as do equal instants. */
function sameValue(kind: Kind, a: Value | undefined, b: Value): boolean {
  if (a === undefined) return false;
  if (kind === 'date') return Date.parse(String(a)) === Date.parse(String(b));
  return a === b;
}

function checkOrder(orderNumber: string, rows: Row[], header: Header): ParsedCsvOrder | null {
  const first = rows[0]!;
  const column = (f: Field | null) => (f ? (header.name.get(f) ?? null) : null);
  const fail = (row: Row, f: Field | null, reason: string) => {
    if (f) row.bad.add(f);
    row.errors.push({ line: row.line, orderNumber, column: column(f), reason });
  };

  // Order-level columns: the first row decides; a later row may repeat the value or leave the cell blank.
  if (!first.unreadable) {
    for (const f of orderFields) {
      if (columns[f].required && first.values[f] === undefined && !first.bad.has(f)) fail(first, f, 'a value is required');
    }
    for (const row of rows.slice(1)) {
      if (row.unreadable) continue;
      for (const f of orderFields) {
        const v = row.values[f];
        if (v === undefined || row.bad.has(f) || first.bad.has(f)) continue;
        if (!sameValue(columns[f].kind, first.values[f], v)) fail(row, f, `order-level column ${column(f)} differs from line ${first.line}`);
      }
    }
  }

  const lineRows = rows.filter((r) => !r.unreadable && !lineFields.some((f) => r.bad.has(f)));
  const linesDropped = lineRows.length < rows.length;

  if (!first.unreadable) {
    const v = first.values;
    let coupon: { code?: Value; discount: Value } | undefined;
    if (v.coupon_discount !== undefined) {
      if (v.coupon_discount !== 0 || v.coupon_code !== undefined) coupon = strip({ code: v.coupon_code, discount: v.coupon_discount });
    } else if (v.coupon_code !== undefined && !first.bad.has('coupon_discount')) {
      fail(first, 'coupon_code', 'a coupon code needs a coupon discount (write 0 if the coupon gives no discount)');
    }
    const input = strip({
      orderedAt: v.ordered_at,
      customer: strip({
        name: v.customer_name,
        email: v.customer_email,
        phone: v.customer_phone,
        postcode: v.postcode,
        prefecture: v.prefecture,
        address: v.address,
      }),
      lines: lineRows.map((r) =>
        strip({ sku: r.values.sku, name: r.values.item_name, quantity: r.values.quantity, unitPrice: r.values.unit_price, taxRate: r.values.tax_rate }),
      ),
      shippingFee: v.shipping_fee,
      codFee: v.cod_fee,
      coupon,
      paymentMethod: v.payment_method,
      carrier: v.carrier,
      trackingNumber: v.tracking_number,
      shippedAt: v.shipped_at,
      deliveredAt: v.delivered_at,
    });

    const result = orderInput.safeParse(input);
    if (result.success) {
      if (rows.every((r) => r.errors.length === 0)) {
        return { orderNumber, lines: rows.map((r) => r.line), input: result.data };
      }
    } else {
      for (const issue of result.error.issues) {
        const { row, field } = locate(issue.path, first, lineRows);
        if (field && row.bad.has(field)) continue; // the cell is already reported
        // Issues about the lines as a whole would be misleading when some rows could not be used.
        const aboutAllLines =
          issue.path.length === 0 || (issue.path[0] === 'lines' && issue.path.length === 1) || (issue.code === 'custom' && issue.path[0] === 'coupon');
        if (linesDropped && aboutAllLines) continue;
        fail(row, field, describeIssue(issue));
      }
      if (rows.every((r) => r.errors.length === 0)) fail(first, null, 'the order is invalid');
    }
  }

  const bad = rows.filter((r) => r.errors.length > 0);
  const firstBad = bad.reduce((min, r) => Math.min(min, r.line), Infinity);
  for (const row of rows) {
    if (row.errors.length === 0) row.errors.push({ line: row.line, orderNumber, column: null, reason: `order rejected: line ${firstBad} has an error` });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV structure

interface CsvRecord {
  cells: string[];
  line: number;
}

function readRecords(text: string): CsvRecord[] {
  // csv-parse counts a CRLF inside a quoted field as two lines; one kind of line break keeps line numbers right.
  const normalised = text.replace(/\r\n?/g, '\n');
  let lastEnd = 0;
  try {
    const parsed = parse(normalised, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells: string[], info) => {
        lastEnd = info.lines;
        // info.lines is the line on which the record ends; quoted line breaks move its start up.
        const breaks = cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
        return { cells, line: info.lines - breaks } as unknown as string[];
      },
    }) as unknown as CsvRecord[];
    return parsed.filter((r) => r.cells.some((c) => c.trim() !== ''));
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const err = e;
    let line = typeof err.lines === 'number' ? err.lines : null;
    let message = err.message;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse reports the end of the file; the culprit is the record after the last complete one.
      const physical = normalised.split('\n');
      let start = lastEnd + 1;
      while (start <= physical.length && physical[start - 1]!.trim() === '') start++;
      line = start;
      message = `a quoted field in the row starting on line ${start} is never closed`;
    }
    throw new CsvFileError(`the file is not valid CSV${line ? ` (line ${line})` : ''}: ${message}`, { code: err.code, line });
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** hint: from the request (?encoding= or the Content-Type charset); 'auto' detects. */
export function parseOrdersCsv(bytes: Uint8Array, hint: CsvEncoding | 'auto' = 'auto'): ParsedCsv {
  const { text, encoding } = decodeFile(bytes, hint);
  if (text.trim() === '') throw new CsvFileError('the file is empty', { encoding });

  const records = readRecords(text);
  const [headerRecord, ...data] = records;
  if (!headerRecord) throw new CsvFileError('the file is empty: there is no header row', { encoding });
  if (data.length > maxCsvRows) {
    throw new CsvFileError(`the file has ${data.length} data rows; at most ${maxCsvRows} are accepted per file`, {
      rows: data.length,
      limit: maxCsvRows,
    });
  }
  const header = readHeader(headerRecord.cells);

  const rows = data.map((r) => readRow(r.cells, r.line, header));
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.orderNumber === null) continue;
    const group = groups.get(row.orderNumber);
    if (group) group.push(row);
    else groups.set(row.orderNumber, [row]);
  }

  const orders: ParsedCsvOrder[] = [];
  for (const [orderNumber, group] of groups) {
    const order = checkOrder(orderNumber, group, header);
    if (order) orders.push(order);
  }

  const errors = rows.flatMap((r) => r.errors).sort((a, b) => a.line - b.line);
  return { encoding, rows: rows.length, orders, errors };
}
