import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { type Actor, requireRole } from '../../core/actor.ts';
import { EXCEL_CSV } from '../../core/csv.ts';
import type { Db } from '../../core/db/client.ts';
import { invalidInput } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { roles } from '../shops/shops.tables.ts';
import { returnReasons, type ReturnReason } from './returns.model.ts';
import { reasonRows } from './returns.repository.ts';
import type { ReasonRow, ReasonsReportDto } from './returns.schema.ts';
import { reasonLabels } from './returns.terms.text.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month such as 2026-11');
export const reasonsQuery = z
  .strictObject({ from: month.optional(), to: month.optional() })
  .describe('Tokyo months, both included; by default the last 6 months');

/** The first instant of a Tokyo month, and of the month after `to`. */
const monthStart = (m: string) => new Date(`${m}-01T00:00:00+09:00`);
const nextMonth = (m: string) => {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
};
const tokyoMonth = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 7);

function period(q: z.output<typeof reasonsQuery>, now = new Date()): { from: string; to: string } {
  const to = q.to ?? tokyoMonth(now);
  let from = q.from;
  if (!from) {
    from = to;
    for (let i = 0; i < 5; i++) {
      const [y, m] = from.split('-').map(Number) as [number, number];
      from = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    }
  }
  if (from > to) throw invalidInput('from is after to', { path: ['from'] });
  let n = 0;
  for (let m = from; m <= to; m = nextMonth(m)) if (++n > 24) throw invalidInput('at most 24 months at once', { path: ['from'] });
  return { from, to };
}

/**
 * The shop's "customer voice": why products come back, by product and Tokyo month. A product
 * returned as "not as expected" again and again has a page that misleads. Counts every filed
 * request, whatever became of it; no personal data.
 */
export async function returnReasonsReport(db: Db, actor: Actor, q: z.output<typeof reasonsQuery>): Promise<ReasonsReportDto> {
  requireRole(actor, ...roles);
  const { from, to } = period(q);
  const rows = await reasonRows(db, actor.shopId, monthStart(from), monthStart(nextMonth(to)));
  const months: string[] = [];
  for (let x = from; x <= to; x = nextMonth(x)) months.push(x);
  const byReason = Object.fromEntries(returnReasons.map((r) => [r, 0])) as Record<ReturnReason, number>;
  for (const r of rows) byReason[r.reason] += r.quantity;
  const products = new Map<string, { sku: string; name: string; quantity: number; byReason: Record<string, number> }>();
  for (const r of rows) {
    const p = products.get(r.sku) ?? { sku: r.sku, name: r.name, quantity: 0, byReason: {} };
    p.quantity += r.quantity;
    p.byReason[r.reason] = (p.byReason[r.reason] ?? 0) + r.quantity;
    products.set(r.sku, p);
  }
  return { from, to, months, rows: rows as ReasonRow[], byReason, products: [...products.values()].sort((a, b) => b.quantity - a.quantity || a.sku.localeCompare(b.sku)) };
}

export async function returnReasonsCsv(db: Db, actor: Actor, q: z.output<typeof reasonsQuery>, requestId?: string) {
  const report = await returnReasonsReport(db, actor, q);
  const csv = stringify(
    report.rows.map((r) => [r.month, r.sku, r.name, r.reason, reasonLabels[r.reason].ja, r.requests, r.quantity]),
    { ...EXCEL_CSV, columns: ['月 month', '商品コード sku', '商品名 product', '理由 reason', '理由（日本語）', '件数 requests', '数量 quantity'] },
  );
  await recordAudit(db, actor, { action: 'return_reasons.exported', objectType: 'return_reasons', summary: { from: report.from, to: report.to, rows: report.rows.length } }, requestId);
  return { csv, name: `return-reasons-${report.from}_${report.to}.csv` };
}
