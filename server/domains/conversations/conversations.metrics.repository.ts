import { sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import type { QueueNowCount } from './conversations.dto.ts';

/**
 * The SQL of the metrics page (conversations.metrics.ts): counts over the shop's
 * conversations, scoped by the shop in every statement and subquery. Days are Tokyo days.
 */

const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

/** What is open and waiting now, by state (merged-away conversations left out). */
export async function queueNowCounts(db: Db, shopId: string): Promise<Partial<Record<QueueNowCount, number>> | undefined> {
  const [now] = rowsOf<Record<QueueNowCount, number>>(
    await db.execute(sql`
      select count(*) filter (where status = 'open')::int as open,
             count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where status = 'waiting_merchant')::int as waiting_merchant,
             count(*) filter (where status = 'snoozed')::int as snoozed,
             count(*) filter (where status in ('open', 'pending', 'waiting_merchant') and assignee_id is null)::int as unassigned,
             count(*) filter (where status = 'open' and last_customer_message_at = last_message_at)::int as awaiting_reply
      from conversations where shop_id = ${shopId} and merged_into_id is null`),
  );
  return now;
}

/** First responses to conversations opened in [from, to): how many, median and 90th percentile (seconds). */
export async function firstResponseStats(db: Db, shopId: string, from: Date, to: Date) {
  const [frt] = rowsOf<{ count: number; median_s: number | null; p90_s: number | null }>(
    await db.execute(sql`
      select count(*)::int as count,
             percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at))::float as median_s,
             percentile_cont(0.9) within group (order by extract(epoch from first_response_at - created_at))::float as p90_s
      from conversations
      where shop_id = ${shopId} and first_response_at is not null and created_at >= ${from} and created_at < ${to}`),
  );
  return frt;
}

/** Per Tokyo day of [from, to): conversations opened and resolved. */
export async function dailyOpenedResolved(db: Db, shopId: string, from: Date, to: Date) {
  return rowsOf<{ day: string; opened: number; resolved: number }>(
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
}
