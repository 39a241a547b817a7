import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { findShop } from '../shops/shops.repository.ts';
import { latestSightings } from '../shops/shops.sightings.repository.ts';
import { setupFacts } from './setup.repository.ts';
import type { SetupStepId, SetupView } from './setup.schema.ts';

/**
 * The first-run checklist of a shop, for its owner (and staff, who may read settings). Every
 * step is judged from the shop's tables: the widget is in place once it loaded on an allowed
 * origin (or a customer chatted), hours once they are saved, terms once published, people once
 * someone else is a member or invited, the platform once an order arrived (by API or CSV) or a store is connected and working, delay
 * notices once the shop says how customers reach it about one (its notice contact, without which
 * no notice can be published), Slack once the shop has a working connection (a broken one is not
 * done: alerts do not arrive).
 */
export async function getSetup(db: Db, actor: Actor): Promise<SetupView> {
  requireRole(actor, 'owner', 'staff');
  const shop = await findShop(db, actor.shopId);
  if (!shop) throw notFound('shop');
  const [f, seen] = await Promise.all([setupFacts(db, shop.id), latestSightings(db, shop.id)]);
  const done: Record<SetupStepId, boolean> = {
    widget: seen.some((s) => s.allowed) || f.anyChat,
    hours: f.hoursSetAt !== null,
    terms: f.terms !== null,
    people: f.otherMembers > 0 || f.openInvitations > 0,
    // A working store connection brings orders by itself; the first may still be on its way.
    platform: f.newestOrder !== null || f.stores.some((s) => s.status === 'ok'),
    notices: Boolean(shop.noticeContact?.trim()),
    slack: f.slackStatus === 'ok',
  };
  // Every step is built now; `available` stays in the view for a step still to come.
  const steps = (Object.keys(done) as SetupStepId[]).map((id) => ({ id, available: true, done: done[id] }));
  return {
    steps,
    progress: { done: steps.filter((s) => s.done).length, of: steps.length },
    widget: {
      allowedOrigins: shop.allowedOrigins,
      seen: seen.slice(0, 10).map((s) => ({ origin: s.origin, allowed: s.allowed, lastSeenAt: s.lastSeen.toISOString() })),
      anyChat: f.anyChat,
    },
    hoursSetAt: f.hoursSetAt?.toISOString() ?? null,
    terms: f.terms && { version: f.terms.version, publishedAt: f.terms.at.toISOString() },
    people: { otherMembers: f.otherMembers, openInvitations: f.openInvitations },
    platform: {
      liveApiKeys: f.liveApiKeys,
      keyLastUsedAt: f.keyLastUsedAt?.toISOString() ?? null,
      newestOrder: f.newestOrder && { orderedAt: f.newestOrder.orderedAt.toISOString(), source: f.newestOrder.source },
      stores: f.stores,
    },
  };
}
