import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { mailSuppressions } from '../maillog/maillog.tables.ts';
import type { CampaignRow } from './notices.campaigns.repository.ts';
import { noticeRecipients } from './notices.campaigns.tables.ts';
import { isPerOrderType } from './notices.types.ts';

/**
 * Recipients whose address is on the shop's suppression list (a hard bounce, repeated soft
 * bounces, an unsubscribe) are marked `suppressed` as they are written, with the reason, so the
 * campaign's counts say so before sending begins. sendLogged checks the list again at each mail
 * (an address may be added meanwhile). A per-order notice (shop delay, shipment exception,
 * returned to sender) is mail about the customer's own order: never suppressed. Chat notices are not mail: a campaign with chat keeps them.
 */
export async function suppressKnown(tx: Db, c: Pick<CampaignRow, 'id' | 'shopId' | 'channels' | 'type'>): Promise<void> {
  // A notice about the customer's own order goes whatever their suppressions (see isBulk in maillog.send.ts).
  if (!c.channels.mail || c.channels.chat || isPerOrderType(c.type)) return;
  await tx
    .update(noticeRecipients)
    .set({ status: 'suppressed', reason: sql`(select string_agg(${mailSuppressions.reason}, ',' order by ${mailSuppressions.reason}) from ${mailSuppressions} where ${mailSuppressions.shopId} = ${c.shopId} and ${mailSuppressions.address} = ${noticeRecipients.email})` })
    .where(
      and(
        eq(noticeRecipients.campaignId, c.id),
        eq(noticeRecipients.status, 'queued'),
        sql`exists (select 1 from ${mailSuppressions} where ${mailSuppressions.shopId} = ${c.shopId} and ${mailSuppressions.address} = ${noticeRecipients.email})`,
      ),
    );
}
