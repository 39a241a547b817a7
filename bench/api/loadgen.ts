/**
 * The load generator of bench/api.ts, in a process of its own so that its CPU is its own and
 * can be reported beside the result: autocannon run programmatically, one run per ask over
 * IPC (the bench asks for a short warm-up run first and drops its figures). Latencies are
 * taken from each response (autocannon's own histogram keeps whole milliseconds, and only of
 * 2xx answers), so p50 and p99 are to the microsecond and count every answer; the statuses are
 * counted apart. Started by bench/api.ts; not for running by hand.
 */
import autocannon from 'autocannon';

export interface LoadAsk {
  id: number;
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadAnswer {
  id: number;
  responses: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers by status code, e.g. { "200": 51234 }. */
  statuses: Record<string, number>;
  non2xx: number;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  timeouts: number;
  wallMs: number;
  /** This process's CPU over the measured run (ms, user + system). */
  cpuMs: number;
  error?: string;
}

const pct = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

function run(ask: LoadAsk, seconds: number): Promise<{ result: autocannon.Result; times: number[]; statuses: Record<string, number> }> {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((done, fail) => {
    const instance = autocannon({ url: ask.url, headers: ask.headers, connections: ask.connections, duration: seconds, timeout: 10 }, (err, result) =>
      err ? fail(err) : done({ result, times, statuses }),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      times.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

process.on('message', (ask: LoadAsk) => {
  void (async () => {
    try {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const { result, times, statuses } = await run(ask, ask.seconds);
      const wallMs = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      const sorted = Float64Array.from(times).sort();
      const answer: LoadAnswer = {
        id: ask.id,
        responses: times.length,
        rps: times.length / (wallMs / 1000),
        p50: pct(sorted, 50),
        p99: pct(sorted, 99),
        max: sorted.length ? sorted[sorted.length - 1]! : NaN,
        statuses,
        non2xx: Object.entries(statuses).reduce((n, [code, k]) => (code.startsWith('2') ? n : n + k), 0),
        errors: result.errors,
        timeouts: result.timeouts,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
      };
      process.send?.(answer);
    } catch (e) {
      process.send?.({ id: ask.id, error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
