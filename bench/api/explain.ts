/**
 * --explain: the statements one real request sent, as the server child recorded them (text and
 * parameters, exactly as the repository built them), explained by PostgreSQL with
 * EXPLAIN (ANALYZE, BUFFERS) on the bench's database. The statements its twin sent too are the
 * route's main queries: their whole plans are printed; the others (session, membership,
 * details, SLA…) get one line each with their execution time. Writes are listed, not run again.
 */
import type { Client } from 'pg';
import type { Statement } from './server.ts';

const short = (text: string, n = 140) => {
  // A long column list says little: how many columns, then the rest of the statement.
  const s = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^select ((?:"[\w.]+"\."[\w]+"|"[\w]+")(?:, (?:"[\w.]+"\."[\w]+"|"[\w]+")){5,}) from /i, (_m, cols: string) => `select <${cols.split(', ').length} columns> from `);
  return s.length > n ? `${s.slice(0, n)}…` : s;
};

export async function explainRequest(client: Client, name: string, real: Statement[], twin: Statement[]): Promise<string[]> {
  const main = new Set(twin.map((s) => s.text));
  const out = [`── ${name}: the real route sent ${real.length} statement(s), its twin ${twin.length}`];
  for (const s of real) {
    if (!/^\s*(select|with)\b/i.test(s.text)) {
      out.push(`   (a write, not explained) ${short(s.text)}`);
      continue;
    }
    let plan: string[];
    try {
      plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values)).rows.map((r) => r['QUERY PLAN']);
    } catch (e) {
      out.push(`   (could not explain: ${e instanceof Error ? e.message : String(e)}) ${short(s.text)}`);
      continue;
    }
    if (main.has(s.text)) {
      out.push(`   main query: ${short(s.text, 1200)}`, `   parameters: ${short(JSON.stringify(s.values), 300)}`, ...plan.map((l) => `     ${l}`));
    } else {
      const time = plan.find((l) => l.startsWith('Execution Time'))?.replace('Execution Time: ', '') ?? '?';
      out.push(`   ${time.padStart(10)}  ${short(s.text)}`);
    }
  }
  return out;
}
