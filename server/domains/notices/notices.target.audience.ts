import { parse } from 'csv-parse/sync';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { CsvFileError, decodeFile } from '../orders/orders.csv.ts';
import { maskEmail, masksContactData } from '../orders/orders.mask.ts';
import type { CampaignTarget } from './notices.campaigns.model.ts';
import { audienceCounts, audienceSample, knownOrderNumbers } from './notices.target.ts';

/** Everyone who works the shop's notices may see who they would reach; contractors masked. */
export const AUDIENCE_READERS = ['owner', 'staff', 'agent', 'contractor'] as const;

export interface UnknownOrderNumber {
  /** 1-based: the line of the pasted list or uploaded file it was on. */
  line: number;
  value: string;
}

/** The lines of a pasted list the shop has no order for (blank lines are skipped, not reported). */
export async function unknownLines(db: Db, shopId: string, lines: { line: number; value: string }[]): Promise<UnknownOrderNumber[]> {
  const given = lines.filter((l) => l.value.length > 0);
  const known = await knownOrderNumbers(db, shopId, [...new Set(given.map((l) => l.value))]);
  return given.filter((l) => !known.has(l.value));
}

/**
 * How many orders and distinct customers a target reaches before anything is sent, by
 * prefecture and carrier, with a sample; order numbers of a pasted list the shop does not have
 * are reported by line. The sample's addresses are masked for contractors, and the look is
 * audited like a list of orders (who saw whose data).
 *
 * @example
 * await previewAudience(db, actor, { prefectures: ['北海道'], shipment: 'shipped_not_delivered' });
 */
export async function previewAudience(db: Db, actor: Actor, target: CampaignTarget, requestId?: string, lines?: { line: number; value: string }[]) {
  requireRole(actor, ...AUDIENCE_READERS);
  const listed = lines ?? (target.orderNumbers ?? []).map((value, i) => ({ line: i + 1, value }));
  const [counts, sample, unknownOrderNumbers] = await Promise.all([audienceCounts(db, actor.shopId, target), audienceSample(db, actor.shopId, target), unknownLines(db, actor.shopId, listed)]);
  const masked = masksContactData(actor.role);
  if (sample.length) {
    await recordAudit(db, actor, { action: 'notice_audience.viewed', objectType: 'order', summary: { orderNumbers: sample.map((s) => s.orderNumber), masked } }, requestId);
  }
  return {
    ...counts,
    sample: sample.map((s) => ({ ...s, orderedAt: s.orderedAt.toISOString(), email: masked ? maskEmail(s.email) : s.email })),
    unknownOrderNumbers,
  };
}

const HEADER = /^(注文番号|受注番号|order ?number|order_number|ordernumber|order no\.?)$/i;

/**
 * Order numbers from an uploaded file: the first cell of each row (a CSV export, or one number
 * a line), UTF-8 or Shift_JIS; a header row naming the column is skipped. Each keeps its file line.
 */
export function orderNumbersOfFile(bytes: Uint8Array): { line: number; value: string }[] {
  let text: string;
  try {
    text = decodeFile(bytes, 'auto').text;
  } catch (e) {
    if (e instanceof CsvFileError) throw new DomainError('invalid_input', e.message, [{ ...e.details, in: 'body', path: 'file', message: e.message, ja: e.ja }]);
    throw e;
  }
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true, relax_quotes: true });
  } catch {
    throw new DomainError('invalid_input', 'the file is not CSV', [{ in: 'body', path: 'file', message: 'the file is not CSV', ja: 'CSV として読めないファイルです。' }]);
  }
  const out = rows.map((r, i) => ({ line: i + 1, value: (r[0] ?? '').trim() }));
  if (out[0] && HEADER.test(out[0].value)) out.shift();
  if (out.length > 10_000) {
    throw new DomainError('invalid_input', 'at most 10,000 order numbers at once', [{ in: 'body', path: 'file', message: 'at most 10,000 order numbers at once', ja: '一度に指定できる注文番号は10,000件までです。' }]);
  }
  return out;
}

/** The audience of an uploaded list alone, with the numbers read from it (the console puts them in the campaign's target). */
export async function previewUploadedList(db: Db, actor: Actor, bytes: Uint8Array, requestId?: string) {
  requireRole(actor, ...AUDIENCE_READERS);
  const lines = orderNumbersOfFile(bytes);
  const orderNumbers = [...new Set(lines.map((l) => l.value).filter((v) => v.length > 0))];
  const preview = orderNumbers.length
    ? await previewAudience(db, actor, { orderNumbers }, requestId, lines)
    : { orders: 0, customers: 0, byPrefecture: [], byCarrier: [], sample: [], unknownOrderNumbers: [] };
  return { ...preview, orderNumbers };
}
