import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { Broadcaster } from '../conversations/conversations.broadcast.ts';
import { rooms } from '../conversations/conversations.rooms.ts';
import type { CampaignCounts, CampaignStatus } from './notices.campaigns.model.ts';
import { countsOf, findCampaign } from './notices.campaigns.repository.ts';

/** What the console hears while a campaign sends (`notice:progress`); `version` is the one its next action names. */
export interface NoticeProgress {
  campaignId: string;
  status: CampaignStatus;
  counts: CampaignCounts;
  version: number;
}

/** At most one progress message per campaign per window: ≤ 4 a second however fast mail goes. */
const THROTTLE_MS = 250;

/**
 * Turns progress on the bus (a recipient done, a status changed) into `notice:progress` for
 * every console connection of the shop, throttled per campaign: the first change of a window
 * is sent at its end with the counts then, read from the recipient rows (one grouped read), so
 * the last message always carries the final counts. A console that reconnects reads the
 * campaign again, so a missed message loses nothing.
 */
export function broadcastNotices(bus: DomainBus, out: Broadcaster, deps: { db: Db; logger: Logger }): () => void {
  let stopped = false;
  const pending = new Map<string, NodeJS.Timeout>();
  const send = async (shopId: string, campaignId: string) => {
    const c = await findCampaign(deps.db, shopId, campaignId);
    if (!c || stopped) return;
    const counts = (await countsOf(deps.db, [campaignId])).get(campaignId)!;
    const said: NoticeProgress = { campaignId, status: c.status, counts, version: c.version };
    out.of('/agent').to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('notice:progress', said);
  };
  const changed = ({ shopId, campaignId }: { shopId: string; campaignId: string }) => {
    if (stopped || pending.has(campaignId)) return;
    const t = setTimeout(() => {
      pending.delete(campaignId);
      send(shopId, campaignId).catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'notice progress broadcast failed'));
    }, THROTTLE_MS);
    pending.set(campaignId, t);
  };
  bus.on('notice.progress', changed);
  bus.onEvent(['notice.published', 'notice.finished'], (e) => changed(e.payload));
  return () => {
    stopped = true;
    for (const t of pending.values()) clearTimeout(t);
    pending.clear();
  };
}
