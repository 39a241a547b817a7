import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { csatSummary } from '../csat/csat.service.ts';
import { slaCompliance } from '../sla/sla.service.ts';
import { dailyOpenedResolved, firstResponseStats, queueNowCounts } from './conversations.metrics.repository.ts';

/**
 * The queue at a glance for the console's metrics page: what is open and waiting now, first
 * response times and SLA compliance over [from, to), CSAT, and a per-day series (Tokyo days)
 * of conversations opened and resolved for the charts.
 */
export async function queueMetrics(db: Db, actor: Actor, from: Date, to: Date) {
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
