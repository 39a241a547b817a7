import { ErrorCode as WebErrorCode, LogLevel, WebClient, type Logger, type WebAPICallError } from '@slack/web-api';
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { unseal, type Keyring } from '../../core/sealed.ts';
import { memberships, users } from '../shops/shops.tables.ts';
import { channelBrokenErrors, connectionBrokenErrors, type SlackAlertKind } from './slack.model.ts';
import { slackChannels, slackConnections, slackRoutes, slackUserLinks } from './slack.tables.ts';

/**
 * What every part of the Slack app shares: the shop's connection and a Web API client for it,
 * what a Slack error means for us, the channel an alert goes to, and the madoguchi person a
 * Slack person is. The HTTP receiver (bots/slack), the console's settings and the alert jobs
 * all go through here.
 */
export interface SlackDeps {
  db: Db;
  keyring: Keyring;
  /** SLACK_API_URL. */
  apiUrl: string;
}

export type SlackConnectionRow = typeof slackConnections.$inferSelect;

/** What the owner of a sealed secret binds it to (see core/sealed.ts). */
export const tokenAad = (shopId: string) => `slack-token:${shopId}`;
export const signingAad = (shopId: string) => `slack-signing:${shopId}`;

/**
 * A Web API client that never waits on its own: no retries, and a 429 is an error carrying
 * Retry-After (the client's defaults would retry silently for up to half an hour inside a
 * job or a request). Jobs reschedule themselves; requests answer 503.
 */
export function webClient(apiUrl: string, token?: string): WebClient {
  return new WebClient(token, { ...clientOptions(apiUrl), logger: quiet });
}

/** The Web API client's settings everywhere madoguchi makes one (here, Bolt's App, the OAuth installer): our API URL, no silent retries or waits. */
export const clientOptions = (apiUrl: string) => ({ slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000 });

/** The client's own console logging says nothing: every failure comes back to its caller, which logs it through pino (tokens never in it). */
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined };

export async function findConnection(db: Db, shopId: string): Promise<SlackConnectionRow | undefined> {
  const [row] = await db.select().from(slackConnections).where(eq(slackConnections.shopId, shopId));
  return row;
}

/** The shop's connection and a client with its bot token; undefined when the shop has none. A broken connection is returned as it is (callers decide). */
export async function slackClientFor(deps: SlackDeps, shopId: string): Promise<{ client: WebClient; connection: SlackConnectionRow } | undefined> {
  const connection = await findConnection(deps.db, shopId);
  if (!connection) return undefined;
  return { client: webClient(deps.apiUrl, unseal(deps.keyring, connection.botTokenSealed, tokenAad(shopId))), connection };
}

/** What a failed Web API call means for madoguchi. */
export type SlackProblem =
  /** The token no longer works (revoked, uninstalled, …): the connection is broken until the shop reconnects. */
  | { kind: 'connection'; code: string }
  /** The channel no longer takes the app's messages (deleted, archived, the app removed). */
  | { kind: 'channel'; code: string }
  /** Slack asks us to wait (HTTP 429). */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** Slack could not be reached or answered 5xx: try again later. */
  | { kind: 'unavailable'; code: string }
  /** Anything else Slack refused (a bad argument): trying again will not help. */
  | { kind: 'refused'; code: string };

export function slackProblem(e: unknown): SlackProblem {
  const err = e as Partial<WebAPICallError> & { retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (err?.code === WebErrorCode.RateLimitedError) return { kind: 'rate_limited', retryAfterMs: Math.max(1, Number(err.retryAfter ?? 1)) * 1000 };
  if (err?.code === WebErrorCode.PlatformError) {
    const code = String(err.data?.error ?? 'unknown_error');
    if ((connectionBrokenErrors as readonly string[]).includes(code)) return { kind: 'connection', code };
    if ((channelBrokenErrors as readonly string[]).includes(code)) return { kind: 'channel', code };
    if (code === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 1000 };
    if (['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'].includes(code)) return { kind: 'unavailable', code };
    return { kind: 'refused', code };
  }
  if (err?.code === WebErrorCode.HTTPError) return { kind: 'unavailable', code: `http_${err.statusCode ?? 'error'}` };
  return { kind: 'unavailable', code: err?.code === WebErrorCode.RequestError ? 'unreachable' : String(err?.code ?? err?.message ?? 'error') };
}

/** Slack says the token no longer works: the console shows the connection broken, with a reconnect action. */
export async function markConnectionBroken(db: Db, shopId: string, code: string): Promise<void> {
  await db.update(slackConnections).set({ status: 'broken', brokenReason: code, brokenAt: sql`coalesce(${slackConnections.brokenAt}, now())`, updatedAt: new Date() }).where(eq(slackConnections.shopId, shopId));
}

/** Slack says a channel no longer takes the app's messages; `null` clears it (a post there went through). */
export async function markChannel(db: Db, shopId: string, channelId: string, code: string | null, name?: string): Promise<void> {
  const now = new Date();
  await db
    .insert(slackChannels)
    .values({ shopId, channelId, brokenReason: code, brokenAt: code ? now : null, updatedAt: now, ...(name !== undefined ? { name } : {}) })
    .onConflictDoUpdate({
      target: [slackChannels.shopId, slackChannels.channelId],
      set: { brokenReason: code, brokenAt: code ? sql`coalesce(${slackChannels.brokenAt}, now())` : null, updatedAt: now, ...(name !== undefined ? { name } : {}) },
    });
}

/** Where an alert of `kind` goes for the shop now: a channel id, 'muted', or undefined (no connection, no channel chosen). */
export async function channelFor(db: Db, shopId: string, kind: SlackAlertKind): Promise<string | 'muted' | undefined> {
  const [row] = await db
    .select({ routeChannel: slackRoutes.channelId, muted: slackRoutes.muted, defaultChannel: slackConnections.defaultChannelId })
    .from(slackConnections)
    .leftJoin(slackRoutes, and(eq(slackRoutes.shopId, slackConnections.shopId), eq(slackRoutes.kind, kind)))
    .where(eq(slackConnections.shopId, shopId));
  if (!row) return undefined;
  if (row.muted) return 'muted';
  return row.routeChannel ?? row.defaultChannel ?? undefined;
}

/**
 * The madoguchi person a Slack person of `teamId` is in `shopId`, as an Actor with their role
 * in the shop now (read at each call: a role changed or a membership removed a minute ago
 * holds); undefined when they are not linked, not a member any more, or disabled.
 */
export async function linkedActor(db: Db, shopId: string, teamId: string, slackUserId: string): Promise<Extract<Actor, { kind: 'user' }> | undefined> {
  const [row] = await db
    .select({ userId: users.id, name: users.name, role: memberships.role, disabledAt: users.disabledAt })
    .from(slackUserLinks)
    .innerJoin(users, eq(users.id, slackUserLinks.userId))
    .innerJoin(memberships, and(eq(memberships.shopId, slackUserLinks.shopId), eq(memberships.userId, slackUserLinks.userId)))
    .where(and(eq(slackUserLinks.shopId, shopId), eq(slackUserLinks.teamId, teamId), eq(slackUserLinks.slackUserId, slackUserId)));
  if (!row || row.disabledAt) return undefined;
  return { kind: 'user', shopId, userId: row.userId, name: row.name, role: row.role };
}

/** The shops a workspace serves (one connection per shop; a workspace may serve several). */
export async function shopsOfTeam(db: Db, teamId: string): Promise<SlackConnectionRow[]> {
  return db.select().from(slackConnections).where(eq(slackConnections.teamId, teamId));
}
