/**
 * bench/api.ts's table and its verdicts against the targets of issue 17: p99 ≤ 50 ms at 64
 * connections for every list, each within 2× its twin's p99, the inbox page at ≥ 1,500 req/s,
 * the contractor's queue over 100 shops at p99 ≤ 100 ms, and the inbox's p99 flat within 20%
 * from 1k to 100k conversations.
 */
import type { LoadAnswer } from './loadgen.ts';
import type { Pair } from './requests.ts';

export interface Measured extends LoadAnswer {
  /** The server process's CPU per answer (ms): the real app and the twin share it, and run one at a time. */
  serverMsPerReq: number;
  /** CPU per answer (ms) of the bench database's PostgreSQL backends and their parallel workers, read from /proc. */
  pgMsPerReq: number;
  /** The load generator's CPU over the run, in cores. */
  loadgenCores: number;
  /** What the rest of the machine used meanwhile (other processes, other databases), in cores. */
  otherCores: number;
  /** The server's event loop over the run: utilisation (0..1), delay p99 and longest (ms), GC pauses (total and longest, ms). */
  server: { elu: number; loopP99: number; loopMax: number; gcMs: number; gcMax: number };
}

export interface Row {
  pair: Pair;
  /** Conversations in the shop asked about. */
  conversations?: number;
  /** Rows on the real route's page (a list's answer, read once before the load). */
  shown?: number;
  /** With --rounds: each round's p99 (ms) and the other work's cores, in the order run; `real` and `twin` are round `chosen`. */
  rounds?: { real: number[]; twin: number[]; otherCores: number[]; chosen: number };
  /** Statements each side sent for one request (counted outside the load), and their first words. */
  statements: { real: number; twin: number; texts?: { real: string[]; twin: string[] } };
  /** Median time of one request with nothing else running (ms). */
  alone: { real: number; twin: number };
  real: Measured;
  twin: Measured;
}

export interface Verdict {
  target: string;
  subject: string;
  value: string;
  pass: boolean;
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const k = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));
/** Anything but 2xx, a connection error or timeout, or no answer at all within the run. */
export const failed = (m: Measured) => m.non2xx + m.errors + m.timeouts > 0 || m.responses === 0 || m.error !== undefined;

/** Columns: a group heading over sub-headings, each cell right-aligned in its width (left-aligned when the width is negative). */
const groups: Array<[string, Array<[string, number]>]> = [
  ['', [['request', -17], ['shop', -10]]],
  ['real', [['req/s', 6], ['p50', 6], ['p99', 7]]],
  ['twin', [['req/s', 6], ['p50', 6], ['p99', 7]]],
  ['p99', [['×', 5]]],
  ['alone ms', [['real', 6], ['twin', 6]]],
  ['server ms/req', [['real', 6], ['twin', 6]]],
  ['server ELU', [['real', 5], ['twin', 5]]],
  ['pg ms/req', [['real', 6], ['twin', 6]]],
  ['cores', [['load', 5], ['other', 5]]],
  ['SQL/req', [['real', 4], ['twin', 4]]],
  ['', [['non-2xx', -7]]],
];

function line(cells: string[][]): string {
  return groups
    .map(([, cols], g) => cols.map(([, w], c) => (w < 0 ? cells[g]![c]!.padEnd(-w) : cells[g]![c]!.padStart(w))).join(' '))
    .join(' │ ');
}

export function table(rows: Row[]): string[] {
  const width = (cols: Array<[string, number]>) => cols.reduce((n, [, w]) => n + Math.abs(w) + 1, -1);
  const top = groups.map(([title, cols]) => title.padStart(Math.floor((width(cols) + title.length) / 2)).padEnd(width(cols))).join(' │ ');
  const sub = line(groups.map(([, cols]) => cols.map(([h]) => h)));
  const lines = [top, sub, '─'.repeat(sub.length)];
  for (const r of rows) {
    const shop = r.pair.size ? `${r.pair.size} ${k(r.conversations ?? 0)}` : r.pair.who === 'contractor' ? '100 shops' : '—';
    const bad = (m: Measured) => m.non2xx + m.errors + m.timeouts;
    const errors = !failed(r.real) ? '0' : r.real.responses === 0 ? `‼ no answer in ${f(r.real.wallMs / 1000)} s` : `${bad(r.real)} ‼ ${JSON.stringify(r.real.statuses)}`;
    lines.push(
      line([
        [r.pair.name, shop],
        [f(r.real.rps, 0), f(r.real.p50), f(r.real.p99)],
        [f(r.twin.rps, 0), f(r.twin.p50), f(r.twin.p99)],
        [f(r.real.p99 / r.twin.p99)],
        [f(r.alone.real), f(r.alone.twin)],
        [f(r.real.serverMsPerReq, 2), f(r.twin.serverMsPerReq, 2)],
        [f(r.real.server.elu, 2), f(r.twin.server.elu, 2)],
        [f(r.real.pgMsPerReq, 2), f(r.twin.pgMsPerReq, 2)],
        [f(Math.max(r.real.loadgenCores, r.twin.loadgenCores), 2), f(Math.max(r.real.otherCores, r.twin.otherCores), 2)],
        [String(r.statements.real), String(r.statements.twin)],
        [`${errors}${failed(r.twin) ? ` (twin ${bad(r.twin)})` : ''}`],
      ]),
    );
  }
  return lines;
}

export function verdicts(rows: Row[], connections: number): Verdict[] {
  const out: Verdict[] = [];
  const who = (r: Row) => (r.pair.size ? `${r.pair.name} @ ${r.pair.size}` : r.pair.name);
  const errs = (r: Row) => (!failed(r.real) ? '' : r.real.responses === 0 ? ` (no answer within the run; alone ${f(r.alone.real)} ms)` : ' (the real route answered errors)');
  /** Every round's real p99, when the row is the median of several. */
  const each = (r: Row) => (r.rounds ? ` [rounds ${r.rounds.real.map((x) => f(x)).join(', ')}]` : '');
  for (const r of rows.filter((x) => x.pair.kind !== 'floor')) {
    const bound = r.pair.kind === 'queue' ? 100 : 50;
    out.push({ target: `p99 ≤ ${bound} ms at ${connections} connections`, subject: who(r), value: `${f(r.real.p99)} ms${each(r)}${errs(r)}`, pass: !failed(r.real) && r.real.p99 <= bound });
    out.push({ target: 'p99 ≤ 2× the twin’s', subject: who(r), value: `${f(r.real.p99 / r.twin.p99, 2)}× (${f(r.real.p99)} / ${f(r.twin.p99)} ms)${r.rounds ? ` [rounds ${r.rounds.real.map((x, i) => f(x / r.rounds!.twin[i]!, 2)).join(', ')}×]` : ''}${errs(r)}${failed(r.twin) ? ' (the twin answered errors)' : ''}`, pass: !failed(r.real) && r.real.p99 <= 2 * r.twin.p99 });
  }
  const inbox = rows.find((r) => r.pair.name === 'inbox' && r.pair.size === 'big');
  if (inbox) out.push({ target: 'inbox page ≥ 1,500 req/s', subject: who(inbox), value: `${f(inbox.real.rps, 0)} req/s${errs(inbox)}`, pass: !failed(inbox.real) && inbox.real.rps >= 1500 });
  for (const name of ['inbox', 'inbox-active']) {
    const bySize = (['small', 'mid', 'big'] as const).map((s) => rows.find((r) => r.pair.name === name && r.pair.size === s)).filter((r): r is Row => !!r);
    if (bySize.length < 2) continue;
    // Like with like: the cost follows the page, so a smaller shop whose view has fewer rows than
    // the biggest shop's page (the 1k shop's 24 active conversations) is shown but not compared.
    // The biggest shop's page is the measure: were it the short one, the verdict fails.
    const biggest = bySize.at(-1)!;
    const page = biggest.shown;
    const short = (r: Row) => page !== undefined && r.shown !== undefined && r.shown < page;
    const compared = bySize.filter((r) => !short(r));
    const odd = page !== undefined && bySize.some((r) => r.shown !== undefined && r.shown > page);
    const p99s = compared.map((r) => r.real.p99);
    const spread = Math.max(...p99s) / Math.min(...p99s);
    out.push({
      target: 'p99 flat within 20% over shop sizes',
      subject: name,
      value: `${bySize.map((r) => `${k(r.conversations ?? 0)}: ${f(r.real.p99)} ms${each(r)}${short(r) ? ` (${r.shown} rows against ${page}, not compared)` : ''}`).join(', ')} → max/min ${f(spread, 2)}${odd ? ' (the biggest shop’s page is shorter than another’s)' : ''}${compared.length < 2 ? ' (fewer than two sizes compared)' : ''}${bySize.some((r) => failed(r.real)) ? ' (errors)' : ''}`,
      pass: !odd && compared.length >= 2 && !bySize.some((r) => failed(r.real)) && spread <= 1.2,
    });
  }
  return out;
}
