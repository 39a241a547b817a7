import { stringify } from 'csv-stringify/sync';
import { type Actor, requireRole } from '../../core/actor.ts';
import { EXCEL_CSV } from '../../core/csv.ts';
import type { Db } from '../../core/db/client.ts';
import { invalidInput, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { AgentWork, WorkLogReport } from './worklog.dto.ts';
import { conversationInShop, extendLatestSpan, insertSpan, lockSpanKey, workInPeriod, type WorkRow } from './worklog.repository.ts';

/** A heartbeat later than this after the span's end starts a new span: a tab left open overnight bills nothing. */
export const GAP_MS = 90_000;
/** How often the console sends heartbeats; a heartbeat that starts a span counts this much before it. */
export const HEARTBEAT_MS = 30_000;

export interface Heartbeat {
  shopId: string;
  userId: string;
  conversationId: string;
  at: Date;
}

/**
 * Records that a person had the conversation open at `at`. Each heartbeat covers the time
 * since the one before, up to the gap (90 s); one that starts a new span covers the 30 s
 * interval before it, so a single look at a ticket counts 30 s rather than nothing.
 *
 * Safe under concurrent heartbeats: one person's heartbeats on one conversation take a
 * transaction-scoped lock, so two at once never both start a span.
 *
 * @example
 * // from the console's socket, every 30 s while the conversation is on screen
 * await recordHeartbeat(db, { shopId, userId, conversationId, at: new Date() });
 */
export async function recordHeartbeat(db: Db, hb: Heartbeat) {
  if (Number.isNaN(hb.at.getTime())) throw invalidInput('at is not a valid time');
  return db.transaction(async (tx) => {
    if (!(await conversationInShop(tx, hb.shopId, hb.conversationId))) throw notFound('conversation');
    await lockSpanKey(tx, hb);
    const extended = await extendLatestSpan(tx, hb, hb.at, new Date(hb.at.getTime() - GAP_MS));
    const span = extended ?? (await insertSpan(tx, { ...hb, startedAt: new Date(hb.at.getTime() - HEARTBEAT_MS), endedAt: hb.at }));
    return { spanId: span.id, startedAt: span.startedAt, endedAt: span.endedAt, extended: !!extended };
  });
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A month in Asia/Tokyo as [start, end); Japan keeps no daylight saving time, so +09:00 is exact. */
export function tokyoMonth(month: string): { start: Date; end: Date } {
  const m = MONTH.exec(month);
  if (!m) throw invalidInput('month must look like 2026-11', [{ in: 'query', path: 'month', message: 'expected YYYY-MM' }]);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { start: new Date(`${month}-01T00:00:00+09:00`), end: new Date(`${next}-01T00:00:00+09:00`) };
}

export const currentTokyoMonth = (now = new Date()) => new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 7);

/** Seconds as h:mm, rounded to the nearest minute (what a timesheet shows). */
export function hhmm(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function byAgent(rows: WorkRow[]): AgentWork[] {
  const agents = new Map<string, AgentWork>();
  for (const r of rows) {
    let a = agents.get(r.userId);
    if (!a) agents.set(r.userId, (a = { userId: r.userId, name: r.agentName, totalSeconds: 0, conversations: 0, resolved: 0, rows: [] }));
    a.totalSeconds += r.seconds;
    a.conversations += 1;
    if (r.resolved) a.resolved += 1;
    a.rows.push({ conversationId: r.conversationId, number: r.number, seconds: r.seconds, resolved: r.resolved });
  }
  return [...agents.values()];
}

/**
 * The month's work per person: owner and staff see everyone; agents and contractors see
 * only their own time (an agency's people need not see each other's hours).
 */
export async function workLogReport(db: Db, actor: Actor, month: string): Promise<WorkLogReport> {
  requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
  const { start, end } = tokyoMonth(month);
  const onlyOwn = actor.role === 'agent' || actor.role === 'contractor' ? actor.userId : undefined;
  const agents = byAgent(await workInPeriod(db, actor.shopId, start, end, onlyOwn));
  return { month, from: start.toISOString(), to: end.toISOString(), agents };
}


/**
 * The month as CSV for billing, UTF-8 with a BOM so Excel in Japan reads it as UTF-8, headers
 * in Japanese and English. `by: 'conversation'` is one row per person and conversation;
 * `by: 'agent'` one row per person with ticket counts. The export is audited.
 */
export async function workLogCsv(db: Db, actor: Actor, month: string, by: 'conversation' | 'agent', requestId?: string): Promise<string> {
  const report = await workLogReport(db, actor, month);
  const csv =
    by === 'agent'
      ? stringify(
          report.agents.map((a) => [month, a.name, a.conversations, a.resolved, a.totalSeconds, hhmm(a.totalSeconds)]),
          { ...EXCEL_CSV, columns: ['月 month', '担当者 agent', '対応件数 conversations', '解決件数 resolved', '秒 seconds', '時間 hh:mm'] },
        )
      : stringify(
          report.agents.flatMap((a) => a.rows.map((r) => [month, a.name, r.number, r.resolved ? 1 : 0, r.seconds, hhmm(r.seconds)])),
          { ...EXCEL_CSV, columns: ['月 month', '担当者 agent', '会話番号 conversation', '解決 resolved', '秒 seconds', '時間 hh:mm'] },
        );
  const rows = by === 'agent' ? report.agents.length : report.agents.reduce((n, a) => n + a.rows.length, 0);
  await recordAudit(db, actor, { action: 'work_log.exported', objectType: 'work_log', summary: { month, by, rows } }, requestId);
  return csv;
}
