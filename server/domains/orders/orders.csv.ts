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
import type { z } from 'zod';
import type { Kind, Value } from './orders.csv.cells.ts';
import { readCsvFile, type CsvEncoding } from './orders.csv.file.ts';
import { chooseLayout, type SavedMapping } from './orders.csv.layout.ts';
import { CsvFileError, columns, lineFields, orderFields, readRow, type CsvRowError, type Field, type Row } from './orders.csv.rows.ts';
import type { OrderRecord } from './orders.presets.ts';
import { orderInput, type ImportPreset, type OrderInput } from './orders.schema.ts';

export { CsvFileError, type CsvRowError, type SavedMapping };
export { decodeFile, readCsvFile, type CsvEncoding } from './orders.csv.file.ts';

export interface ParsedCsvOrder {
  orderNumber: string;
  /** File line of each row; `lines[i]` is the row of `input.lines[i]`. */
  lines: number[];
  input: OrderInput;
}

export interface ParsedCsv {
  encoding: CsvEncoding;
  /** Whose columns the file has: madoguchi's, a platform's export, or the shop's saved mapping. */
  preset: ImportPreset;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  orders: ParsedCsvOrder[];
  /** Sorted by line. Every row that was not imported has at least one entry. */
  errors: CsvRowError[];
}

export const maxCsvRows = 50_000;

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
  originPrefecture: 'origin_prefecture',
  cancelledAt: 'cancelled_at',
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
  tags: 'tags',
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

/** `sale, underwear`, `セール、下着`, `sale|gift`: one cell, several tags. */
const tagList = (v: unknown) => (typeof v === 'string' && v.trim() ? v.split(/[,、，|｜\s]+/).filter(Boolean) : undefined);

const strip = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Order-level values are compared as converted, so `¥1,980` and `1980` agree, as do equal instants. */
function sameValue(kind: Kind, a: Value | undefined, b: Value): boolean {
  if (a === undefined) return false;
  if (kind === 'date') return Date.parse(String(a)) === Date.parse(String(b));
  return a === b;
}

function checkOrder(orderNumber: string, rows: Row[], names: Map<Field, string>): ParsedCsvOrder | null {
  const first = rows[0]!;
  const column = (f: Field | null) => (f ? (names.get(f) ?? null) : null);
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
        strip({ sku: r.values.sku, name: r.values.item_name, quantity: r.values.quantity, unitPrice: r.values.unit_price, taxRate: r.values.tax_rate, tags: tagList(r.values.tags) }),
      ),
      shippingFee: v.shipping_fee,
      codFee: v.cod_fee,
      coupon,
      paymentMethod: v.payment_method,
      carrier: v.carrier,
      trackingNumber: v.tracking_number,
      shippedAt: v.shipped_at,
      deliveredAt: v.delivered_at,
      originPrefecture: v.origin_prefecture,
      cancelledAt: v.cancelled_at,
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

export interface ParseOptions {
  /** The shop's saved column mapping, if any. */
  mapping?: SavedMapping | null;
  /** `saved`: read the file with the saved mapping whatever it looks like. */
  mode?: 'auto' | 'saved';
}

/** Runs the layout's per-order step (Shopify's tax lines, a mapping's defaults) over each order's records, in file order. */
function finishOrders(read: { record: OrderRecord }[], finish: (records: OrderRecord[]) => void): void {
  const groups = new Map<string, OrderRecord[]>();
  for (const { record } of read) {
    const key = record.values.order_number?.trim();
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  for (const group of groups.values()) finish(group);
}

/** hint: from the request (?encoding= or the Content-Type charset); 'auto' detects. */
export function parseOrdersCsv(bytes: Uint8Array, hint: CsvEncoding | 'auto' = 'auto', opts: ParseOptions = {}): ParsedCsv {
  const { encoding, header: headerCells, data } = readCsvFile(bytes, hint);
  if (data.length > maxCsvRows) {
    throw new CsvFileError(`the file has ${data.length} data rows; at most ${maxCsvRows} are accepted per file`, `データが ${data.length} 行あります。1ファイル ${maxCsvRows} 行までにしてください`, {
      rows: data.length,
      limit: maxCsvRows,
    });
  }
  const layout = chooseLayout(headerCells, { mapping: opts.mapping ?? null, mode: opts.mode ?? 'auto' });
  const width = headerCells.length;
  const read = data.map((r) => ({
    line: r.line,
    record: layout.read(r.cells),
    unreadable: r.cells.length === width ? null : `the row has ${r.cells.length} fields but the header has ${width}`,
  }));
  if (layout.finishOrder) finishOrders(read.filter((r) => !r.unreadable), layout.finishOrder);

  const rows = read.map((r) => readRow(r.record.values, r.line, layout.names, r.unreadable, r.record.problems));
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.orderNumber === null) continue;
    const group = groups.get(row.orderNumber);
    if (group) group.push(row);
    else groups.set(row.orderNumber, [row]);
  }

  const orders: ParsedCsvOrder[] = [];
  for (const [orderNumber, group] of groups) {
    const order = checkOrder(orderNumber, group, layout.names);
    if (order) orders.push(order);
  }

  const errors = rows.flatMap((r) => r.errors).sort((a, b) => a.line - b.line);
  return { encoding, preset: layout.preset, rows: rows.length, orders, errors };
}
