import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import type { CampaignCounts, CampaignStatus, RecipientStatus } from './notices.campaigns.model.ts';
import { noticeCampaigns, noticeRecipients } from './notices.campaigns.tables.ts';
import { customerKey, targetWhere } from './notices.target.ts';
import { perOrderTypes } from './notices.types.ts';

export type CampaignRow = typeof noticeCampaigns.$inferSelect;
export type RecipientRow = typeof noticeRecipients.$inferSelect;

export async function insertCampaign(db: Db, row: typeof noticeCampaigns.$inferInsert): Promise<CampaignRow> {
  const [r] = await db.insert(noticeCampaigns).values(row).returning();
  return r!;
}

export async function findCampaign(db: Db, shopId: string, id: string): Promise<CampaignRow | undefined> {
  const [r] = await db.select().from(noticeCampaigns).where(and(eq(noticeCampaigns.shopId, shopId), eq(noticeCampaigns.id, id)));
  return r;
}

export function listCampaigns(db: Db, shopId: string): Promise<CampaignRow[]> {
  return db.select().from(noticeCampaigns).where(eq(noticeCampaigns.shopId, shopId)).orderBy(desc(noticeCampaigns.createdAt), desc(noticeCampaigns.id)).limit(500);
}

/**
 * The one guarded write of a campaign: applied only while it is in one of `from` and (when
 * given) at `version`. A person's write names the version it saw and bumps it; the worker's
 * own steps (begun, finished) name none and leave it, so a console's next action is not refused
 * for a change it did not make (the status guard keeps those apart). Undefined when the guard did
 * not hold: two writers racing get one row and one undefined, never a half-applied change.
 */
export async function updateCampaignIf(
  db: Db,
  shopId: string,
  id: string,
  guard: { from: readonly CampaignStatus[]; version?: number },
  patch: Partial<typeof noticeCampaigns.$inferInsert>,
): Promise<CampaignRow | undefined> {
  const [r] = await db
    .update(noticeCampaigns)
    .set({ ...patch, ...(guard.version === undefined ? {} : { version: sql`${noticeCampaigns.version} + 1` }), updatedAt: new Date() })
    .where(
      and(
        eq(noticeCampaigns.shopId, shopId),
        eq(noticeCampaigns.id, id),
        inArray(noticeCampaigns.status, [...guard.from]),
        guard.version === undefined ? undefined : eq(noticeCampaigns.version, guard.version),
      ),
    )
    .returning();
  return r;
}

const zero = (): CampaignCounts => ({ total: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 });

/** Counts by status of each campaign's recipients: one grouped read over the (campaign, status) index. */
export async function countsOf(db: Db, campaignIds: string[]): Promise<Map<string, CampaignCounts>> {
  const out = new Map<string, CampaignCounts>(campaignIds.map((id) => [id, zero()]));
  if (!campaignIds.length) return out;
  const rows = await db
    .select({ campaignId: noticeRecipients.campaignId, status: noticeRecipients.status, n: count() })
    .from(noticeRecipients)
    .where(inArray(noticeRecipients.campaignId, campaignIds))
    .groupBy(noticeRecipients.campaignId, noticeRecipients.status);
  for (const r of rows) {
    const c = out.get(r.campaignId)!;
    c[r.status as RecipientStatus] += Number(r.n);
    c.total += Number(r.n);
  }
  return out;
}

/**
 * Writes every recipient of a campaign in one statement, from the orders its target concerns
 * as they are now: one row per customer address (lower-cased), listing all of their orders,
 * numbered into chunks of `chunkSize` by address. A set-based INSERT … SELECT rather than rows
 * sent from here: 100,000 recipients are one round trip, and all of them exist (or none) before
 * the first mail. Written again (a retried job) it adds nothing: the (campaign, address) key.
 */
export async function writeRecipients(db: Db, c: Pick<CampaignRow, 'id' | 'shopId' | 'target'>, chunkSize: number): Promise<number> {
  const result = await db.execute(sql`
    insert into ${noticeRecipients} (shop_id, campaign_id, email, customer_name, order_numbers, chunk)
    select ${c.shopId}, ${c.id}, ${customerKey},
           (array_agg(${orders.customerName} order by ${orders.orderedAt} desc))[1],
           array_agg(${orders.orderNumber} order by ${orders.orderedAt}, ${orders.orderNumber}),
           ((row_number() over (order by ${customerKey})) - 1) / ${chunkSize}
      from ${orders}
     where ${targetWhere(c.shopId, c.target)}
     group by ${customerKey}
    on conflict (campaign_id, email) do nothing`);
  return Number((result as { rowCount?: number; affectedRows?: number }).rowCount ?? (result as { affectedRows?: number }).affectedRows ?? 0);
}

/** The lowest `limit` chunks of a campaign that still have queued recipients. */
export async function queuedChunks(db: Db, campaignId: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectDistinct({ chunk: noticeRecipients.chunk })
    .from(noticeRecipients)
    .where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.status, 'queued')))
    .orderBy(asc(noticeRecipients.chunk))
    .limit(limit);
  return rows.map((r) => r.chunk);
}

export function queuedOfChunk(db: Db, campaignId: string, chunk: number): Promise<RecipientRow[]> {
  return db
    .select()
    .from(noticeRecipients)
    .where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.chunk, chunk), eq(noticeRecipients.status, 'queued')))
    .orderBy(asc(noticeRecipients.email));
}

/** What became of one recipient's notice. */
export interface RecipientOutcome {
  id: string;
  status: Exclude<RecipientStatus, 'queued' | 'cancelled'>;
  reason: string | null;
  messageId: string;
  sentAt: Date | null;
}

/**
 * Records what became of a batch of recipients' notices in one UPDATE … FROM (VALUES …). A
 * cancelled row whose mail went anyway says sent: the record follows the mail.
 */
export async function markRecipients(db: Db, outcomes: RecipientOutcome[]): Promise<void> {
  if (!outcomes.length) return;
  const values = sql.join(
    outcomes.map((o) => sql`(${o.id}::uuid, ${o.status}::text, ${o.reason}::text, ${o.messageId}::text, ${o.sentAt?.toISOString() ?? null}::timestamptz)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${noticeRecipients} as r
       set status = v.status, reason = v.reason, message_id = v.message_id, sent_at = v.sent_at
      from (values ${values}) as v(id, status, reason, message_id, sent_at)
     where r.id = v.id and r.status in ('queued', 'cancelled')`);
}

export async function hasQueued(db: Db, campaignId: string): Promise<boolean> {
  const [r] = await db.select({ id: noticeRecipients.id }).from(noticeRecipients).where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.status, 'queued'))).limit(1);
  return !!r;
}

export async function cancelQueued(db: Db, campaignId: string): Promise<number> {
  const rows = await db
    .update(noticeRecipients)
    .set({ status: 'cancelled', reason: 'campaign cancelled' })
    .where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.status, 'queued')))
    .returning({ id: noticeRecipients.id });
  return rows.length;
}

export async function requeueFailed(db: Db, campaignId: string): Promise<number> {
  const rows = await db
    .update(noticeRecipients)
    .set({ status: 'queued', reason: null })
    .where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.status, 'failed')))
    .returning({ id: noticeRecipients.id });
  return rows.length;
}

/** Campaigns of every shop that are sending: the sweep's list (a handful at any time). */
export function sendingCampaigns(db: Db): Promise<Pick<CampaignRow, 'id' | 'shopId'>[]> {
  return db.select({ id: noticeCampaigns.id, shopId: noticeCampaigns.shopId }).from(noticeCampaigns).where(eq(noticeCampaigns.status, 'sending'));
}

/** A page of a campaign's recipients by id (the cursor), optionally of one status. */
export function listRecipients(db: Db, shopId: string, campaignId: string, q: { status?: RecipientStatus; after?: string; limit: number }): Promise<RecipientRow[]> {
  return db
    .select()
    .from(noticeRecipients)
    .where(
      and(
        eq(noticeRecipients.shopId, shopId),
        eq(noticeRecipients.campaignId, campaignId),
        q.status ? eq(noticeRecipients.status, q.status) : undefined,
        q.after ? gt(noticeRecipients.id, q.after) : undefined,
      ),
    )
    .orderBy(asc(noticeRecipients.id))
    .limit(q.limit);
}

/** Banner campaigns a page may show at `now`: published (not a draft, not cancelled), in their window. */
export const activeBanners = (db: Db, shopId: string, now: Date): Promise<CampaignRow[]> => publishedBanners(db, shopId, now, new Date(now.getTime() + 1));

/** The shop's published banner notices that have begun and had not ended by `since`, newest first: the public page's current and past ones. */
export function publishedBanners(db: Db, shopId: string, now: Date, since: Date): Promise<CampaignRow[]> {
  return db
    .select()
    .from(noticeCampaigns)
    .where(
      and(
        eq(noticeCampaigns.shopId, shopId),
        notInArray(noticeCampaigns.status, ['draft', 'cancelled']),
        // A notice about customers' own orders is never public, whatever its channels say (one saved before the rule).
        notInArray(noticeCampaigns.type, [...perOrderTypes]),
        sql`(${noticeCampaigns.channels} ->> 'banner')::boolean`,
        lte(noticeCampaigns.startsAt, now),
        or(isNull(noticeCampaigns.endsAt), gte(noticeCampaigns.endsAt, since)),
      ),
    )
    .orderBy(desc(noticeCampaigns.startsAt))
    .limit(50);
}
