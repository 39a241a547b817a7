import { and, count, desc, eq, isNull, max, ne, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { apiKeys } from '../apikeys/apikeys.tables.ts';
import { conversations } from '../conversations/conversations.tables.ts';
import { invitations } from '../invitations/invitations.tables.ts';
import { orders } from '../orders/orders.tables.ts';
import { returnTermsVersions } from '../returns/returns.tables.ts';
import { memberships } from '../shops/shops.tables.ts';
import { businessHours } from '../sla/sla.tables.ts';
import { slackConnections } from '../slack/slack.tables.ts';
import { storeConnections } from '../stores/stores.tables.ts';

/**
 * The facts the first-run checklist is made of, read from the shop's own tables in one round of
 * small queries (index lookups, and counts of the shop's people and keys, which stay small), never from a flag someone
 * ticked: a step is done when the thing it asks for exists.
 */
export async function setupFacts(db: Db, shopId: string) {
  const [hours, terms, people, invited, keys, orderFacts, chats, slack, stores] = await Promise.all([
    db.select({ at: businessHours.updatedAt }).from(businessHours).where(eq(businessHours.shopId, shopId)),
    db
      .select({ version: returnTermsVersions.version, at: returnTermsVersions.publishedAt })
      .from(returnTermsVersions)
      .where(eq(returnTermsVersions.shopId, shopId))
      .orderBy(desc(returnTermsVersions.version))
      .limit(1),
    db.select({ n: count() }).from(memberships).where(and(eq(memberships.shopId, shopId), ne(memberships.role, 'owner'))),
    db
      .select({ n: count() })
      .from(invitations)
      .where(and(eq(invitations.shopId, shopId), isNull(invitations.revokedAt), isNull(invitations.acceptedAt), sql`${invitations.expiresAt} > now()`)),
    db
      .select({ n: count(), lastUsedAt: max(apiKeys.lastUsedAt) })
      .from(apiKeys)
      .where(and(eq(apiKeys.shopId, shopId), isNull(apiKeys.revokedAt))),
    // The newest order by its date (the shop's index), and whether any came from a file.
    db
      .select({ orderedAt: orders.orderedAt, source: orders.source })
      .from(orders)
      .where(eq(orders.shopId, shopId))
      .orderBy(desc(orders.orderedAt))
      .limit(1),
    db
      .select({ at: conversations.createdAt })
      .from(conversations)
      .where(and(eq(conversations.shopId, shopId), eq(conversations.channel, 'chat')))
      .limit(1),
    db.select({ status: slackConnections.status }).from(slackConnections).where(eq(slackConnections.shopId, shopId)),
    db.select({ platform: storeConnections.platform, status: storeConnections.status }).from(storeConnections).where(eq(storeConnections.shopId, shopId)),
  ]);
  return {
    hoursSetAt: hours[0]?.at ?? null,
    terms: terms[0] ?? null,
    otherMembers: people[0]?.n ?? 0,
    openInvitations: invited[0]?.n ?? 0,
    liveApiKeys: keys[0]?.n ?? 0,
    keyLastUsedAt: keys[0]?.lastUsedAt ?? null,
    newestOrder: orderFacts[0] ?? null,
    anyChat: chats.length > 0,
    /** The shop's Slack connection's state: null when not connected, 'broken' when Slack refuses its token. */
    slackStatus: slack[0]?.status ?? null,
    /** The shop's store connections (Shopify, BASE) and whether each still works. */
    stores,
  };
}

export type SetupFacts = Awaited<ReturnType<typeof setupFacts>>;
