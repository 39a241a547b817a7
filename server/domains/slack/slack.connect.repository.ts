import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { memberships, users } from '../shops/shops.tables.ts';
import type { SlackAlertKind, SlackConnectionVia } from './slack.model.ts';
import { slackChannels, slackConnections, slackRoutes, slackUserLinks } from './slack.tables.ts';

/** The connection's console view: the row without its sealed secrets, with who connected it. */
export async function connectionForStatus(db: Db, shopId: string) {
  const [row] = await db
    .select({
      teamId: slackConnections.teamId,
      teamName: slackConnections.teamName,
      via: slackConnections.via,
      status: slackConnections.status,
      brokenReason: slackConnections.brokenReason,
      brokenAt: slackConnections.brokenAt,
      defaultChannelId: slackConnections.defaultChannelId,
      createdAt: slackConnections.createdAt,
      installedBy: slackConnections.installedBy,
      installedByName: users.name,
    })
    .from(slackConnections)
    .leftJoin(users, eq(users.id, slackConnections.installedBy))
    .where(eq(slackConnections.shopId, shopId));
  return row;
}

export async function channelsOf(db: Db, shopId: string) {
  return db.select({ id: slackChannels.channelId, name: slackChannels.name, brokenReason: slackChannels.brokenReason }).from(slackChannels).where(eq(slackChannels.shopId, shopId));
}

export async function routesOf(db: Db, shopId: string) {
  return db.select({ kind: slackRoutes.kind, channelId: slackRoutes.channelId, muted: slackRoutes.muted }).from(slackRoutes).where(eq(slackRoutes.shopId, shopId));
}

export async function linkOf(db: Db, shopId: string, userId: string) {
  const [row] = await db.select({ slackUserId: slackUserLinks.slackUserId, teamId: slackUserLinks.teamId }).from(slackUserLinks).where(and(eq(slackUserLinks.shopId, shopId), eq(slackUserLinks.userId, userId)));
  return row;
}

/** The shop's people linked to Slack, with their role now (a link of someone no longer a member is not shown). */
export async function linksOf(db: Db, shopId: string) {
  return db
    .select({ userId: slackUserLinks.userId, name: users.name, role: memberships.role, slackUserId: slackUserLinks.slackUserId, via: slackUserLinks.via, createdAt: slackUserLinks.createdAt })
    .from(slackUserLinks)
    .innerJoin(users, eq(users.id, slackUserLinks.userId))
    .innerJoin(memberships, and(eq(memberships.shopId, slackUserLinks.shopId), eq(memberships.userId, slackUserLinks.userId)))
    .where(eq(slackUserLinks.shopId, shopId))
    .orderBy(asc(users.name));
}

export async function deleteLink(db: Db, shopId: string, userId: string) {
  const [row] = await db.delete(slackUserLinks).where(and(eq(slackUserLinks.shopId, shopId), eq(slackUserLinks.userId, userId))).returning({ slackUserId: slackUserLinks.slackUserId });
  return row;
}

export interface NewConnection {
  teamId: string;
  teamName: string | null;
  enterpriseId: string | null;
  appId: string | null;
  botUserId: string;
  botId: string | null;
  via: SlackConnectionVia;
  botTokenSealed: string;
  signingSecretSealed: string | null;
  scopes: string[];
  installedBy: string | null;
}

/**
 * Stores the shop's connection, replacing the one it had (a reconnect over a broken one, a second
 * install). Another workspace's channels, routes' channels and people links mean nothing in the
 * new one, so they go with the old workspace; the same workspace keeps them. Returns the team the
 * shop was connected to before, if any.
 */
export async function saveConnection(db: Db, shopId: string, c: NewConnection): Promise<{ previousTeamId: string | null }> {
  const [before] = await db.select({ teamId: slackConnections.teamId }).from(slackConnections).where(eq(slackConnections.shopId, shopId)).for('update');
  const sameTeam = before?.teamId === c.teamId;
  const now = new Date();
  const fresh = { ...c, status: 'ok' as const, brokenReason: null, brokenAt: null, updatedAt: now };
  await db
    .insert(slackConnections)
    .values({ shopId, ...fresh })
    .onConflictDoUpdate({ target: slackConnections.shopId, set: { ...fresh, createdAt: now, ...(sameTeam ? {} : { defaultChannelId: null }) } });
  if (before && !sameTeam) await forgetWorkspace(db, shopId);
  return { previousTeamId: before?.teamId ?? null };
}

/** The shop's workspace-bound settings: channels, routes' channels (mutes are the shop's own choice and stay), people links. */
async function forgetWorkspace(db: Db, shopId: string): Promise<void> {
  await db.delete(slackChannels).where(eq(slackChannels.shopId, shopId));
  await db.update(slackRoutes).set({ channelId: null, updatedAt: new Date() }).where(eq(slackRoutes.shopId, shopId));
  await db.delete(slackUserLinks).where(eq(slackUserLinks.shopId, shopId));
}

/** Deletes the connection and everything bound to it (channels, routes, links); the deleted row, or undefined when there was none. */
export async function deleteConnection(db: Db, shopId: string) {
  const [row] = await db.delete(slackConnections).where(eq(slackConnections.shopId, shopId)).returning({ teamId: slackConnections.teamId, via: slackConnections.via });
  if (!row) return undefined;
  await db.delete(slackChannels).where(eq(slackChannels.shopId, shopId));
  await db.delete(slackRoutes).where(eq(slackRoutes.shopId, shopId));
  await db.delete(slackUserLinks).where(eq(slackUserLinks.shopId, shopId));
  return row;
}

/**
 * Whether another shop's connection uses the same bot of the same workspace (one app installed
 * once serves several shops with one token): revoking it for one shop would cut the others off.
 */
export async function botSharedWithOtherShops(db: Db, shopId: string, teamId: string, botUserId: string): Promise<boolean> {
  const [row] = await db
    .select({ shopId: slackConnections.shopId })
    .from(slackConnections)
    .where(and(eq(slackConnections.teamId, teamId), eq(slackConnections.botUserId, botUserId), ne(slackConnections.shopId, shopId)))
    .limit(1);
  return Boolean(row);
}

export async function setDefaultChannel(db: Db, shopId: string, channelId: string): Promise<void> {
  await db.update(slackConnections).set({ defaultChannelId: channelId, updatedAt: new Date() }).where(eq(slackConnections.shopId, shopId));
}

export async function upsertRoute(db: Db, shopId: string, kind: SlackAlertKind, channelId: string | null, muted: boolean, userId: string): Promise<void> {
  const now = new Date();
  await db
    .insert(slackRoutes)
    .values({ shopId, kind, channelId, muted, updatedBy: userId, updatedAt: now })
    .onConflictDoUpdate({ target: [slackRoutes.shopId, slackRoutes.kind], set: { channelId, muted, updatedBy: userId, updatedAt: now } });
}

/** Marks the connections of a workspace broken (the app was uninstalled from it); for the installation store's delete. */
export async function breakConnectionsOfTeam(db: Db, teamId: string, via: SlackConnectionVia[], reason: string): Promise<void> {
  await db
    .update(slackConnections)
    .set({ status: 'broken', brokenReason: reason, brokenAt: new Date(), updatedAt: new Date() })
    .where(and(eq(slackConnections.teamId, teamId), inArray(slackConnections.via, via), eq(slackConnections.status, 'ok')));
}

/** A member of the shop as an acting person, with their role now; undefined when not a member or disabled. */
export async function memberActor(db: Db, shopId: string, userId: string) {
  const [row] = await db
    .select({ name: users.name, role: memberships.role, disabledAt: users.disabledAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.shopId, shopId), eq(memberships.userId, userId)));
  if (!row || row.disabledAt) return undefined;
  return { kind: 'user' as const, shopId, userId, name: row.name, role: row.role };
}

/** A working connection of the workspace made by "Add to Slack" (the deployment's app), for Bolt's authorize. */
export async function oauthConnectionOfTeam(db: Db, teamId: string) {
  const [row] = await db
    .select()
    .from(slackConnections)
    .where(and(eq(slackConnections.teamId, teamId), eq(slackConnections.via, 'oauth'), eq(slackConnections.status, 'ok')))
    .orderBy(asc(slackConnections.createdAt))
    .limit(1);
  return row;
}
