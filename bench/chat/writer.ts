/**
 * The group commit's own figures for a step, from the server's /metrics
 * (conversations.write.metrics.ts): read before and after, the difference is the step's.
 * Quantiles are bucket bounds ("≤ 20 ms"), as Prometheus histograms give them.
 */
type Histo = { buckets: Map<number, number>; sum: number; count: number };

function parse(text: string, name: string, want: Record<string, string>): Histo {
  const h: Histo = { buckets: new Map(), sum: 0, count: 0 };
  const matches = (labels: Record<string, string>) => Object.entries(want).every(([k, v]) => labels[k] === v);
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || !m[1]!.startsWith(name)) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!matches(labels)) continue;
    const v = Number(m[3]);
    if (m[1] === `${name}_bucket`) h.buckets.set(labels.le === '+Inf' ? Infinity : Number(labels.le), v);
    else if (m[1] === `${name}_sum`) h.sum = v;
    else if (m[1] === `${name}_count`) h.count = v;
  }
  return h;
}

function minus(a: Histo, b: Histo): Histo {
  return { buckets: new Map([...a.buckets].map(([le, n]) => [le, n - (b.buckets.get(le) ?? 0)])), sum: a.sum - b.sum, count: a.count - b.count };
}

/** The bucket bound under which `q` of the observations fell. */
function quantile(h: Histo, q: number): number {
  for (const [le, n] of [...h.buckets].sort((x, y) => x[0] - y[0])) if (n >= q * h.count) return le;
  return Infinity;
}

export interface WriterFigures {
  batches: number;
  meanBatch: number;
  /** Per message: from its send to its batch's start. */
  queued: { p50: number; p99: number; mean: number };
  /** Per message: from its send to its answer. */
  written: { p50: number; p99: number };
  /** Per committed transaction. */
  transaction: { p50: number; p99: number; mean: number };
  failed: number;
}

/** The server's /metrics text, or undefined where there is none (the bare relay). */
export async function scrape(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

export function writerFigures(before: string | undefined, after: string | undefined): WriterFigures | undefined {
  if (!before || !after) return undefined;
  const d = (name: string, labels: Record<string, string> = {}) => minus(parse(after, name, labels), parse(before, name, labels));
  const size = d('chat_write_batch_messages');
  const queued = d('chat_write_queued_seconds');
  const written = d('chat_write_written_seconds');
  const tx = d('chat_write_transaction_seconds', { outcome: 'committed' });
  if (!size.count) return undefined;
  const ms = (s: number) => s * 1000;
  return {
    batches: size.count,
    meanBatch: size.sum / size.count,
    queued: { p50: ms(quantile(queued, 0.5)), p99: ms(quantile(queued, 0.99)), mean: ms(queued.sum / queued.count) },
    written: { p50: ms(quantile(written, 0.5)), p99: ms(quantile(written, 0.99)) },
    transaction: { p50: ms(quantile(tx, 0.5)), p99: ms(quantile(tx, 0.99)), mean: tx.count ? ms(tx.sum / tx.count) : NaN },
    failed: d('chat_write_transaction_seconds', { outcome: 'failed' }).count,
  };
}
