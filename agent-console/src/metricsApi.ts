import { request } from './api.ts';
import type { QueueMetrics, WorkLogReport } from './types.ts';

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

export type WorkLogCsv = 'conversation' | 'agent';

/** The metrics page's REST calls. */
export const metricsApi = {
  /** [from, to) as ISO times, at most 93 days apart. */
  queue: (shopId: string, from: string, to: string, signal?: AbortSignal) =>
    request<QueueMetrics>(`${shop(shopId)}/queue-metrics?${new URLSearchParams({ from, to })}`, opt(signal)),
  /** A Tokyo month as YYYY-MM; agents and contractors get only their own row. */
  workLog: (shopId: string, month: string, signal?: AbortSignal) =>
    request<WorkLogReport>(`${shop(shopId)}/work-log?${new URLSearchParams({ month })}`, opt(signal)),
};

/**
 * Where the month's CSV is: a plain link, so the browser downloads it with the session cookie
 * and the server's own file name (and audits the export).
 */
export const workLogCsvUrl = (shopId: string, month: string, by: WorkLogCsv) => `${shop(shopId)}/work-log.csv?${new URLSearchParams({ month, by })}`;
