import type { WebClient } from '@slack/web-api';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, invalidInput, notFound } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { seal, unseal } from '../../core/sealed.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findConnection, markChannel, markConnectionBroken, signingAad, slackProblem, tokenAad, webClient, type SlackDeps } from './slack.client.ts';
import { slackConnectMessages as say, type SlackStatusView } from './slack.connect.schema.ts';
import * as repo from './slack.connect.repository.ts';
import { slackAlertKinds, type SlackAlertKind } from './slack.model.ts';

/** What the connection's console routes need: the shared Slack deps, and whether this deployment has an app for "Add to Slack". */
export interface ConnectDeps extends SlackDeps {
  logger: Logger;
  oauthEnabled: boolean;
}

const slackUnavailable = (retryAfterSeconds = 5) =>
  new DomainError('unavailable', say.slackDown.en, { dependency: 'slack', retryAfterSeconds, say: say.slackDown }, { 'Retry-After': String(retryAfterSeconds) });
const notConnected = () => conflict(say.notConnected.en, { say: say.notConnected });
const fieldError = (path: string, m: { ja: string; en: string }, extra: Record<string, unknown> = {}) => invalidInput('body is not valid', [{ in: 'body', path, message: m.en, ja: m.ja, ...extra }]);

/**
 * A failed Web API call during a console request: a token Slack no longer takes marks the
 * connection broken (the console offers to reconnect) and answers 409; Slack away or asking to
 * wait answers 503. Anything else is for the caller to judge; this returns it.
 */
async function answerSlackFailure(db: Db, shopId: string, e: unknown) {
  const p = slackProblem(e);
  if (p.kind === 'connection') {
    await markConnectionBroken(db, shopId, p.code);
    return conflict(say.broken.en, { reason: p.code, say: say.broken });
  }
  if (p.kind === 'unavailable') return slackUnavailable();
  if (p.kind === 'rate_limited') return slackUnavailable(Math.ceil(p.retryAfterMs / 1000));
  return p;
}

async function connectedClient(deps: ConnectDeps, shopId: string): Promise<WebClient> {
  const connection = await findConnection(deps.db, shopId);
  if (!connection) throw notConnected();
  return webClient(deps.apiUrl, unseal(deps.keyring, connection.botTokenSealed, tokenAad(shopId)));
}

/**
 * The shop's Slack connection as the console shows it, for any member (it holds no contact data
 * and never a token or secret): the workspace and its state, the default channel, each alert's
 * route, where "Add to Slack" starts, and whether the caller is linked to a Slack person.
 */
export async function getSlackStatus(deps: ConnectDeps, actor: Actor): Promise<SlackStatusView> {
  requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
  const { db } = deps;
  const shopId = actor.shopId;
  const [c, channels, routes, me] = await Promise.all([repo.connectionForStatus(db, shopId), repo.channelsOf(db, shopId), repo.routesOf(db, shopId), repo.linkOf(db, shopId, actor.userId)]);
  const byId = new Map(channels.map((ch) => [ch.id, ch]));
  const channel = (id: string | null | undefined) => (id ? { id, name: byId.get(id)?.name ?? null, brokenReason: byId.get(id)?.brokenReason ?? null } : null);
  const routeOf = new Map(routes.map((r) => [r.kind, r]));
  return {
    connection: c
      ? {
          teamId: c.teamId,
          teamName: c.teamName,
          via: c.via,
          status: c.status,
          brokenReason: c.brokenReason,
          brokenAt: c.brokenAt?.toISOString() ?? null,
          defaultChannel: channel(c.defaultChannelId),
          connectedAt: c.createdAt.toISOString(),
          connectedBy: c.installedBy && c.installedByName ? { id: c.installedBy, name: c.installedByName } : null,
        }
      : null,
    routes: slackAlertKinds.map((kind) => ({ kind, channel: channel(routeOf.get(kind)?.channelId), muted: routeOf.get(kind)?.muted ?? false })),
    installUrl: deps.oauthEnabled ? `/slack/install?shop=${shopId}` : null,
    me: { linked: Boolean(me), slackUserId: me?.slackUserId ?? null },
  };
}

/**
 * Connects the shop with its own Slack app's bot token and signing secret (the single-workspace
 * set-up). The token is tried with auth.test first, so a wrong one is refused at `botToken` and
 * nothing is stored; both are sealed, bound to the shop. Replaces a connection the shop had.
 */
export async function connectWithToken(deps: ConnectDeps, actor: Actor, input: { botToken: string; signingSecret: string }, requestId?: string): Promise<SlackStatusView> {
  requireRole(actor, 'owner');
  let who;
  try {
    who = await webClient(deps.apiUrl, input.botToken).auth.test();
  } catch (e) {
    const p = slackProblem(e);
    if (p.kind === 'unavailable') throw slackUnavailable();
    if (p.kind === 'rate_limited') throw slackUnavailable(Math.ceil(p.retryAfterMs / 1000));
    throw fieldError('botToken', say.tokenRefused, { slackError: p.code });
  }
  if (!who.team_id || !who.user_id || !who.bot_id) throw fieldError('botToken', say.tokenRefused, { slackError: 'not_a_bot_token' });
  await saveShopConnection(deps, actor, {
    teamId: who.team_id,
    teamName: who.team ?? null,
    enterpriseId: who.enterprise_id || null,
    appId: null,
    botUserId: who.user_id,
    botId: who.bot_id,
    via: 'token',
    botToken: input.botToken,
    signingSecret: input.signingSecret,
    scopes: [],
  }, requestId);
  return getSlackStatus(deps, actor);
}

export type ConnectionInput = Omit<repo.NewConnection, 'botTokenSealed' | 'signingSecretSealed' | 'installedBy'> & { botToken: string; signingSecret: string | null };

/**
 * Stores the shop's connection made by `actor` (a pasted token or an "Add to Slack" install),
 * its secrets sealed and bound to the shop, with its audit row; replaces the one it had.
 */
export async function saveShopConnection(deps: SlackDeps, actor: Extract<Actor, { kind: 'user' }>, input: ConnectionInput, requestId?: string): Promise<void> {
  const shopId = actor.shopId;
  const { botToken, signingSecret, ...rest } = input;
  await deps.db.transaction(async (tx) => {
    const { previousTeamId } = await repo.saveConnection(tx, shopId, {
      ...rest,
      botTokenSealed: seal(deps.keyring, botToken, tokenAad(shopId)),
      signingSecretSealed: signingSecret === null ? null : seal(deps.keyring, signingSecret, signingAad(shopId)),
      installedBy: actor.userId,
    });
    await recordAudit(tx, actor, { action: 'slack.connected', objectType: 'slack_connection', objectId: input.teamId, summary: { via: input.via, teamId: input.teamId, teamName: input.teamName, replaced: previousTeamId } }, requestId);
  });
}

/**
 * Disconnects the shop: the token is revoked at Slack (best effort: Slack away, or the token
 * already dead, still disconnects here, and says so in the log), then the connection, its
 * channels, routes and people links are deleted. A bot another shop's connection shares (one
 * app installed once in a workspace serving several shops) is not revoked.
 */
export async function disconnectSlack(deps: ConnectDeps, actor: Actor, requestId?: string): Promise<void> {
  requireRole(actor, 'owner');
  const { db, logger } = deps;
  const shopId = actor.shopId;
  const connection = await findConnection(db, shopId);
  if (!connection) throw notFound('Slack connection');
  let revoked: 'revoked' | 'shared' | 'failed' = 'revoked';
  if (await repo.botSharedWithOtherShops(db, shopId, connection.teamId, connection.botUserId)) revoked = 'shared';
  else {
    try {
      await webClient(deps.apiUrl, unseal(deps.keyring, connection.botTokenSealed, tokenAad(shopId))).auth.revoke();
    } catch (e) {
      revoked = 'failed';
      logger.warn({ shopId, teamId: connection.teamId, slack: slackProblem(e) }, 'slack: the token could not be revoked at Slack; the connection is deleted here all the same');
    }
  }
  await db.transaction(async (tx) => {
    const gone = await repo.deleteConnection(tx, shopId);
    if (!gone) return;
    await recordAudit(tx, actor, { action: 'slack.disconnected', objectType: 'slack_connection', objectId: gone.teamId, summary: { via: gone.via, teamId: gone.teamId, revoked } }, requestId);
  });
}

/** The workspace's channels the app can post to or join (public ones, and private ones it was invited to), for the owner choosing where alerts go. */
export async function listSlackChannels(deps: ConnectDeps, actor: Actor) {
  requireRole(actor, 'owner');
  const client = await connectedClient(deps, actor.shopId);
  const channels: Array<{ id: string; name: string; isPrivate: boolean; isMember: boolean }> = [];
  let cursor: string | undefined;
  try {
    // Up to 5 pages of 200: a shop's workspace rarely has more; the newest state each time.
    for (let page = 0; page < 5; page++) {
      const r = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) });
      for (const ch of r.channels ?? []) if (ch.id && ch.name) channels.push({ id: ch.id, name: ch.name, isPrivate: Boolean(ch.is_private), isMember: Boolean(ch.is_member) });
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
  } catch (e) {
    const answer = await answerSlackFailure(deps.db, actor.shopId, e);
    if (answer instanceof DomainError) throw answer;
    throw conflict(`Slack refused to list the channels (${answer.code})`, { reason: answer.code });
  }
  channels.sort((a, b) => a.name.localeCompare(b.name));
  return { channels };
}

/**
 * Makes sure the app can post in the channel: a public channel it is not in is joined, a private
 * one it was not invited to is refused with how to invite it. Returns the channel's name.
 */
async function usableChannel(deps: ConnectDeps, shopId: string, client: WebClient, channelId: string): Promise<string> {
  try {
    const info = await client.conversations.info({ channel: channelId });
    const ch = info.channel;
    if (!ch || ch.is_archived) throw fieldError('channelId', say.channelNotFound);
    if (!ch.is_member) {
      if (ch.is_private) throw fieldError('channelId', say.inviteTheApp);
      await client.conversations.join({ channel: channelId });
    }
    await markChannel(deps.db, shopId, channelId, null, ch.name ?? undefined);
    return ch.name ?? channelId;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const answer = await answerSlackFailure(deps.db, shopId, e);
    if (answer instanceof DomainError) throw answer;
    if (answer.code === 'channel_not_found') throw fieldError('channelId', say.channelNotFound, { slackError: answer.code });
    if (answer.code === 'method_not_supported_for_channel_type' || answer.code === 'not_in_channel') throw fieldError('channelId', say.inviteTheApp, { slackError: answer.code });
    throw fieldError('channelId', say.channelRefused, { slackError: answer.code });
  }
}

/** Sets where alerts go unless a route says otherwise; the app joins the channel if it is public and not in it yet. */
export async function chooseDefaultChannel(deps: ConnectDeps, actor: Actor, channelId: string, requestId?: string): Promise<SlackStatusView> {
  requireRole(actor, 'owner');
  const client = await connectedClient(deps, actor.shopId);
  const name = await usableChannel(deps, actor.shopId, client, channelId);
  await deps.db.transaction(async (tx) => {
    await repo.setDefaultChannel(tx, actor.shopId, channelId);
    await recordAudit(tx, actor, { action: 'slack.default_channel_set', objectType: 'slack_connection', objectId: channelId, summary: { channelId, name } }, requestId);
  });
  return getSlackStatus(deps, actor);
}

/** Sets one alert's channel (null: the default channel) and whether it is muted. An unknown alert kind is a 404. */
export async function setSlackRoute(deps: ConnectDeps, actor: Actor, kind: string, input: { channelId: string | null; muted: boolean }, requestId?: string): Promise<SlackStatusView> {
  requireRole(actor, 'owner');
  if (!(slackAlertKinds as readonly string[]).includes(kind)) throw notFound(`alert kind "${kind.slice(0, 40)}"`);
  if (input.channelId) {
    const client = await connectedClient(deps, actor.shopId);
    await usableChannel(deps, actor.shopId, client, input.channelId);
  } else if (!(await findConnection(deps.db, actor.shopId))) throw notConnected();
  await deps.db.transaction(async (tx) => {
    await repo.upsertRoute(tx, actor.shopId, kind as SlackAlertKind, input.channelId, input.muted, actor.userId);
    await recordAudit(tx, actor, { action: 'slack.route_set', objectType: 'slack_route', objectId: kind, summary: { kind, channelId: input.channelId, muted: input.muted } }, requestId);
  });
  return getSlackStatus(deps, actor);
}

/** The shop's people linked to Slack persons, for the owner. */
export async function listSlackLinks(db: Db, actor: Actor) {
  requireRole(actor, 'owner');
  const rows = await repo.linksOf(db, actor.shopId);
  return { links: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
}

/** Removes a person's Slack link: the owner for anyone, anyone for themself. From then on, what that Slack person does is refused until they link again. */
export async function removeSlackLink(db: Db, actor: Actor, userId: string, requestId?: string): Promise<void> {
  requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
  if (actor.role !== 'owner' && actor.userId !== userId) throw new DomainError('forbidden', say.notYourLink.en, { say: say.notYourLink });
  await db.transaction(async (tx) => {
    const gone = await repo.deleteLink(tx, actor.shopId, userId);
    if (!gone) throw notFound('Slack link');
    await recordAudit(tx, actor, { action: 'slack.link_removed', objectType: 'slack_user_link', objectId: userId, summary: { userId, slackUserId: gone.slackUserId } }, requestId);
  });
}
