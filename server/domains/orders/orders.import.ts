import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { CsvFileError, parseOrdersCsv, type CsvEncoding } from './orders.csv.ts';
import { reasonInJapanese } from './orders.csv.ja.ts';
import { requireOrderWriter, saveImportedOrders } from './orders.service.ts';

/**
 * CSV import: parse and validate everything first, then write the good orders in one
 * transaction. A file-level problem (encoding, header) is a 400 and writes nothing.
 */
export async function importOrdersCsv(db: Db, actor: Actor, bytes: Buffer, hint: CsvEncoding | 'auto', requestId?: string) {
  requireOrderWriter(actor);
  let parsed;
  try {
    parsed = parseOrdersCsv(bytes, hint);
  } catch (e) {
    // Details as every 400 has them (a list of { path, message, ja }), so the console shows the merchant's language.
    if (e instanceof CsvFileError) throw new DomainError('invalid_input', e.message, [{ ...e.details, path: 'file', message: e.message, ja: e.ja }]);
    throw e;
  }
  const rejected = new Set(parsed.errors.map((e) => e.orderNumber ?? `line:${e.line}`)).size;
  const counts = await saveImportedOrders(db, actor, parsed.orders, { requestId, rows: parsed.rows, rejected, encoding: parsed.encoding });
  return { encoding: parsed.encoding, rows: parsed.rows, orders: { ...counts, rejected }, errors: parsed.errors.map((e) => ({ ...e, ja: reasonInJapanese(e.reason) })) };
}
