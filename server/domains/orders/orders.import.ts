import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { mappingMissing, ownSuggestion, presetSuggestion, recognise, unmappedRequired, type SavedMapping } from './orders.csv.layout.ts';
import { CsvFileError, parseOrdersCsv, readCsvFile, type CsvEncoding } from './orders.csv.ts';
import { reasonInJapanese } from './orders.csv.ja.ts';
import { fields, headerKey, matchHeader, type Field } from './orders.csv.rows.ts';
import { findMapping } from './orders.mapping.repository.ts';
import { requireMappingEditor } from './orders.mapping.ts';
import { maskAddress, maskEmail, maskPhone, maskPostcode } from './orders.mask.ts';
import type { ImportPreset } from './orders.schema.ts';
import { requireOrderWriter, saveImportedOrders } from './orders.service.ts';

/** A file-level problem as every 400 has it (a list of { path, message, ja }), so the console shows the merchant's language. */
function fileError(e: unknown): never {
  if (e instanceof CsvFileError) throw new DomainError('invalid_input', e.message, [{ path: 'file', ...e.details, message: e.message, ja: e.ja }]);
  throw e;
}

const savedOf = async (db: Db, shopId: string): Promise<SavedMapping | null> => {
  const m = await findMapping(db, shopId);
  return m && { columns: m.columns, defaults: m.defaults ?? {} };
};

/**
 * CSV import: parse and validate everything first, then write the good orders in one
 * transaction. A file-level problem (encoding, header) is a 400 and writes nothing.
 * The columns are madoguchi's own, a platform's export (detected), or the shop's saved mapping.
 */
export async function importOrdersCsv(db: Db, actor: Actor, bytes: Buffer, hint: CsvEncoding | 'auto', requestId?: string, mode: 'auto' | 'saved' = 'auto') {
  requireOrderWriter(actor);
  const mapping = await savedOf(db, actor.shopId);
  let parsed;
  try {
    parsed = parseOrdersCsv(bytes, hint, { mapping, mode });
  } catch (e) {
    fileError(e);
  }
  const rejected = new Set(parsed.errors.map((e) => e.orderNumber ?? `line:${e.line}`)).size;
  const counts = await saveImportedOrders(db, actor, parsed.orders, { requestId, rows: parsed.rows, rejected, encoding: parsed.encoding, preset: parsed.preset });
  return {
    preset: parsed.preset,
    encoding: parsed.encoding,
    rows: parsed.rows,
    orders: { ...counts, rejected },
    errors: parsed.errors.map((e) => ({ ...e, ja: reasonInJapanese(e.reason) })),
  };
}

/** Columns that hold contact data, by the field they fill or by their name. */
const contactField: Partial<Record<Field, (v: string) => string>> = { customer_email: maskEmail, customer_phone: maskPhone, postcode: maskPostcode, address: maskAddress };
const contactHeader: Array<[RegExp, (v: string) => string]> = [
  [/mail|メール/i, maskEmail],
  [/phone|tel|電話/i, maskPhone],
  [/zip|postal|postcode|郵便|〒/i, maskPostcode],
  [/address|street|city|company|住所|番地|建物/i, maskAddress],
];

const samples = 5;

/**
 * The mapping step's first look at a file: its header row, what it looks like (a platform's export, the
 * saved mapping), a suggested column for each field, and its first rows with contact cells masked.
 */
export async function previewOrdersCsv(db: Db, actor: Actor, bytes: Buffer, hint: CsvEncoding | 'auto') {
  requireMappingEditor(actor);
  let file;
  try {
    file = readCsvFile(bytes, hint);
  } catch (e) {
    fileError(e);
  }
  const headers = file.header.map((h) => h.trim());
  const mapping = await savedOf(db, actor.shopId);
  const savedMapping = !!mapping && mappingMissing(mapping, headers).length === 0;
  const recognised = recognise(headers);

  let preset: ImportPreset | null = null;
  if (matchHeader(headers).missing.length === 0) preset = 'madoguchi';
  else if (recognised && recognised.missing.length === 0) preset = recognised.preset.id;

  const suggested = Object.fromEntries(fields.map((f) => [f, null])) as Record<Field, string | null>;
  Object.assign(suggested, ownSuggestion(headers));
  if (mapping) {
    const present = new Set(headers.map(headerKey));
    for (const [f, h] of Object.entries(mapping.columns) as [Field, string][]) if (present.has(headerKey(h))) suggested[f] = headers.find((x) => headerKey(x) === headerKey(h))!;
  }
  if (recognised && preset !== 'madoguchi') Object.assign(suggested, presetSuggestion(recognised.preset, headers));

  const masks = headers.map((h) => {
    const f = (Object.entries(suggested) as [Field, string | null][]).find(([, s]) => s === h)?.[0];
    return (f && contactField[f]) ?? contactHeader.find(([re]) => re.test(h))?.[1] ?? null;
  });
  const sampleRows = file.data.slice(0, samples).map((r) => r.cells.map((c, i) => (masks[i] && c.trim() ? masks[i]!(c.trim()) : c)));

  return {
    encoding: file.encoding,
    headers,
    preset,
    savedMapping,
    suggested,
    sampleRows,
    missing: unmappedRequired(suggested, savedMapping ? mapping!.defaults : {}),
  };
}
