import { sql } from 'drizzle-orm';
import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { csatSummary } from '../csat/csat.service.ts';
import { slaCompliance } from '../sla/sla.service.ts';

const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

/**
 * The queue at a glance for the console's metrics page: what is open and waiting now, first
 * response times and SLA compliance over [from, to), CSAT, and a per-day series (Tokyo days)
 * of conversations opened and resolved for the charts.
 */
export async function queueMetrics(db: Db, actor: Actor, from: Date, to: Date) {
  requireKind(actor, 'user', 'api_key');
  const shopId = actor.shopId;
  const [now] = rowsOf<Record<string, number>>(
    await db.execute(sql`
      select count(*) filter (where status = 'open')::int as open,
             count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where status = 'waiting_merchant')::int as waiting_merchant,
             count(*) filter (where status = 'snoozed')::int as snoozed,
             count(*) filter (where status in ('open', 'pending', 'waiting_merchant') and assignee_id is null)::int as unassigned,
             count(*) filter (where status = 'open' and last_customer_message_at = last_message_at)::int as awaiting_reply
      from conversations where shop_id = ${shopId} and merged_into_id is null`),
  );
  const [frt] = rowsOf<{ count: number; median_s: number | null; p90_s: number | null }>(
    await db.execute(sql`
      select count(*)::int as count,
             percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at))::float as median_s,
             percentile_cont(0.9) within group (order by extract(epoch from first_response_at - created_at))::float as p90_s
      from conversations
      where shop_id = ${shopId} and first_response_at is not null and created_at >= ${from} and created_at < ${to}`),
  );
  const daily = rowsOf<{ day: string; opened: number; resolved: number }>(
    await db.execute(sql`
      with days as (
        select to_char(d, 'YYYY-MM-DD') as day
        from generate_series(date_trunc('day', ${from}::timestamptz at time zone 'Asia/Tokyo'),
                             date_trunc('day', (${to}::timestamptz - interval '1 millisecond') at time zone 'Asia/Tokyo'),
                             interval '1 day') d)
      select days.day,
             (select count(*) from conversations c where c.shop_id = ${shopId}
                and to_char(c.created_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') = days.day
                and c.created_at >= ${from} and c.created_at < ${to})::int as opened,
             (select count(*) from conversations c where c.shop_id = ${shopId}
                and to_char(c.resolved_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') = days.day
                and c.resolved_at >= ${from} and c.resolved_at < ${to})::int as resolved
      from days order by days.day`),
  );
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
