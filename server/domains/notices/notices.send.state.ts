import { and, eq } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import type { CampaignCounts } from './notices.campaigns.model.ts';
import { cancelQueued, countsOf, hasQueued, requeueFailed, updateCampaignIf, type CampaignRow } from './notices.campaigns.repository.ts';
import { noticeCampaigns } from './notices.campaigns.tables.ts';
import type { NoticeType } from './notices.types.ts';

/** Cancelling: every recipient still queued is marked cancelled (never sent); returns the counts then. */
export async function cancelCampaignRecipients(tx: Db, c: CampaignRow): Promise<CampaignCounts> {
  await cancelQueued(tx, c.id);
  return (await countsOf(tx, [c.id])).get(c.id)!;
}

/** Retrying: the failed recipients are queued again, under the same Message-IDs (a mail log row already sent is not sent twice). */
export const requeueFailedRecipients = (tx: Db, c: CampaignRow) => requeueFailed(tx, c.id);

/** Holds the campaign's row until the transaction ends: finishing and a retry or cancel cannot interleave. */
export async function lockCampaign(tx: Db, id: string): Promise<CampaignRow | undefined> {
  const [r] = await tx.select().from(noticeCampaigns).where(eq(noticeCampaigns.id, id)).for('update');
  return r;
}

/**
 * A sending campaign with no recipient left queued is sent: its status, its finish time and
 * the `notice.finished` event with its counts, once (the row lock and the status guard make a
 * second caller find nothing to do). Called after every chunk and by the sweep.
 */
export async function finishIfDone(db: Db, sink: EventSink, campaignId: string): Promise<boolean> {
  return transact(db, sink, async (tx, out) => {
    const c = await lockCampaign(tx, campaignId);
    if (!c || c.status !== 'sending' || c.total === null) return false;
    if (await hasQueued(tx, c.id)) return false;
    const r = await updateCampaignIf(tx, c.shopId, c.id, { from: ['sending'] }, { status: 'sent', finishedAt: new Date() });
    if (!r) return false;
    const counts = (await countsOf(tx, [c.id])).get(c.id)!;
    out.emit('notice.finished', { shopId: r.shopId, campaignId: r.id, type: r.type as NoticeType, campaignName: r.name, status: 'sent', counts });
    out.live('notice.progress', { shopId: r.shopId, campaignId: r.id });
    return true;
  });
}

/** The campaign's status now, read cheaply between mails (a pause or cancel stops a chunk before its next one). */
export async function statusOf(db: Db, campaignId: string): Promise<string | undefined> {
  const [r] = await db.select({ status: noticeCampaigns.status }).from(noticeCampaigns).where(eq(noticeCampaigns.id, campaignId));
  return r?.status;
}
