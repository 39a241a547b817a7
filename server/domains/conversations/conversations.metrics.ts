import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { csatSummary, type CsatSummary } from '../csat/csat.service.ts';
import { slaCompliance, type SlaCompliance } from '../sla/sla.service.ts';
import type { QueueNowCount } from './conversations.dto.ts';
import { dailyOpenedResolved, firstResponseStats, queueNowCounts } from './conversations.metrics.repository.ts';

/**
 * The metrics page's answer. It lives here rather than in conversations.dto.ts because it
 * carries the SLA and CSAT domains' summaries, which the widget's type check must not pull in.
 */
export interface QueueMetricsDto {
  from: string;
  to: string;
  now: Partial<Record<QueueNowCount, number>>;
  /** Conversations opened in [from, to) that have a first response, and how long it took (seconds). */
  firstResponse: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  sla: SlaCompliance[];
  csat: CsatSummary;
  /** Per Tokyo day of [from, to). */
  daily: Array<{ day: string; opened: number; resolved: number }>;
}

/**
 * The queue at a glance for the console's metrics page: what is open and waiting now, first
 * response times and SLA compliance over [from, to), CSAT, and a per-day series (Tokyo days)
 * of conversations opened and resolved for the charts.
 */
export async function queueMetrics(db: Db, actor: Actor, from: Date, to: Date): Promise<QueueMetricsDto> {
  requireKind(actor, 'user', 'api_key');
  const shopId = actor.shopId;
  const now = await queueNowCounts(db, shopId);
  const frt = await firstResponseStats(db, shopId, from, to);
  const daily = await dailyOpenedResolved(db, shopId, from, to);
  const [sla, csat] = await Promise.all([slaCompliance(db, shopId, from, to), csatSummary(db, shopId, from, to)]);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    now: now ?? {},
    firstResponse: { count: frt?.count ?? 0, medianSeconds: frt?.median_s ?? null, p90Seconds: frt?.p90_s ?? null },
    sla,
    csat,
    daily,
  };
}
