/**
 * What PostgreSQL's own upkeep did on the chat's tables during a step: autovacuum and
 * autoanalyze runs, and the dead row versions left behind (PostgreSQL only; read from
 * pg_stat_user_tables on the bench's database). A step right after a heavy one may be
 * measuring that upkeep as much as the chat.
 */
import { onPostgres } from '../../server/core/backup/backup.postgres.ts';

const TABLES = ['conversations', 'messages', 'sla_clocks'];
type Row = { relname: string; n_dead_tup: string; autovacuum_count: string; autoanalyze_count: string };
export type Upkeep = Map<string, { dead: number; vacuums: number; analyzes: number }>;

/** The chat's tables' upkeep figures; undefined without a database, or when it cannot be read (figures only). */
export async function upkeep(url: string | undefined): Promise<Upkeep | undefined> {
  if (!url) return undefined;
  const names = TABLES.map((t) => `'${t}'`).join(', ');
  const rows = await onPostgres(url, (query) => query(`select relname, n_dead_tup, autovacuum_count, autoanalyze_count from pg_stat_user_tables where relname in (${names})`)).catch(() => undefined);
  return rows && new Map((rows as Row[]).map((r) => [r.relname, { dead: Number(r.n_dead_tup), vacuums: Number(r.autovacuum_count), analyzes: Number(r.autoanalyze_count) }]));
}

/** "conversations: 2 vacuums, 1 analyze, 41,000 dead at the end; …" for the tables upkeep touched. */
export function describeUpkeep(before: Upkeep | undefined, after: Upkeep | undefined): string | undefined {
  if (!before || !after) return undefined;
  const parts: string[] = [];
  for (const [t, a] of after) {
    const b = before.get(t) ?? { dead: 0, vacuums: 0, analyzes: 0 };
    const v = a.vacuums - b.vacuums;
    const an = a.analyzes - b.analyzes;
    parts.push(`${t} ${v} vacuum${v === 1 ? '' : 's'}, ${an} analyze${an === 1 ? '' : 's'}, ${a.dead.toLocaleString('en')} dead rows at the end`);
  }
  return parts.join('; ');
}

/**
 * PostgreSQL servers run autovacuum, which keeps the conversations' rows (each updated by every
 * message) from piling up dead versions; this machine's server has it off. Where it is off,
 * the bench vacuums the chat's tables before each step instead, as autovacuum would between
 * them, and says so. Answers whether it did.
 */
export async function vacuumIfNoAutovacuum(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  return onPostgres(url, async (query) => {
    const [row] = await query('show autovacuum');
    if (row?.autovacuum === 'on') return false;
    await query(`vacuum (analyze) ${TABLES.join(', ')}`);
    return true;
  }).catch(() => false);
}
