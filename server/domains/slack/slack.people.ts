import { createHmac, hkdfSync } from 'node:crypto';
import { and, eq, or, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import type { Keyring } from '../../core/sealed.ts';
import { sameSecret } from '../../core/secrets.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { memberships, shops, users } from '../shops/shops.tables.ts';
import { slackClientFor, type SlackDeps } from './slack.client.ts';
import type { SlackLinkVia } from './slack.model.ts';
import { slackUserLinks } from './slack.tables.ts';

/**
 * Linking a Slack person to a madoguchi person of a shop, so what they do from Slack is done
 * as them with their role now (linkedActor in slack.client.ts). Two ways: the Slack person's
 * email (Slack gives only confirmed addresses) equals a member's; or a signed link, shown only
 * to that Slack person, which they open in the console signed in as themselves and confirm.
 */

/** How long a link from Slack may be confirmed in the console. */
export const LINK_TTL_MS = 15 * 60_000;

export interface LinkClaims {
  shopId: string;
  teamId: string;
  slackUserId: string;
  /** Expires at, Unix ms. */
  exp: number;
}

// The link key is derived from a sealing key (never the key itself), so the two uses cannot be confused.
const linkKey = (key: Buffer) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'madoguchi slack person link v1', 32));
const mac = (key: Buffer, body: string) => createHmac('sha256', linkKey(key)).update(body).digest('base64url');

/** `v1.<key id>.<base64url(JSON claims)>.<mac>`, signed with the keyring's current key. */
export function signLinkToken(keyring: Keyring, c: Omit<LinkClaims, 'exp'>, now = new Date()): string {
  const claims: LinkClaims = { ...c, exp: now.getTime() + LINK_TTL_MS };
  const body = `v1.${keyring.current.id}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${mac(keyring.current.key, body)}`;
}

const badLink = () =>
  new DomainError('invalid_input', 'body is not valid', [
    {
      in: 'body',
      path: 'token',
      message: 'this link is not valid or has expired (15 minutes); click the button in Slack again for a new one',
      ja: 'このリンクは無効か、期限（15分）が切れています。Slack でもう一度操作して、新しいリンクを開いてください。',
    },
  ]);

/** The claims of a link token signed by one of the keyring's keys and not expired; invalid_input otherwise. */
export function readLinkToken(keyring: Keyring, token: string, now = new Date()): LinkClaims {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw badLink();
  const key = keyring.byId.get(parts[1]!);
  if (!key || !sameSecret(mac(key, parts.slice(0, 3).join('.')), parts[3]!)) throw badLink();
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[2]!, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    throw badLink();
  }
  if (typeof claims.exp !== 'number' || claims.exp < now.getTime() || !claims.shopId || !claims.teamId || !claims.slackUserId) throw badLink();
  return claims;
}

/**
 * Links the person to the Slack person. A link the person confirmed replaces either side's
 * earlier link (one Slack person per madoguchi person per shop, and the other way round); a
 * link by email never replaces one (false then: the person confirms in the console). Audited
 * as the person.
 */
export async function writeLink(db: Db, actor: Extract<Actor, { kind: 'user' }>, teamId: string, slackUserId: string, via: SlackLinkVia, requestId?: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (via === 'confirmed') {
      await tx
        .delete(slackUserLinks)
        .where(and(eq(slackUserLinks.shopId, actor.shopId), or(eq(slackUserLinks.userId, actor.userId), and(eq(slackUserLinks.teamId, teamId), eq(slackUserLinks.slackUserId, slackUserId)))));
    }
    const written = await tx.insert(slackUserLinks).values({ shopId: actor.shopId, userId: actor.userId, teamId, slackUserId, via }).onConflictDoNothing().returning({ userId: slackUserLinks.userId });
    if (!written.length) return false;
    await recordAudit(tx, actor, { action: 'slack.person_linked', objectType: 'user', objectId: actor.userId, summary: { teamId, slackUserId, via } }, requestId);
    return true;
  });
}

/** The member of the shop whose email is `email` (stored lower-cased), not disabled. */
export async function memberByEmail(db: Db, shopId: string, email: string): Promise<Extract<Actor, { kind: 'user' }> | undefined> {
  const [row] = await db
    .select({ userId: users.id, name: users.name, role: memberships.role })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.shopId, shopId)))
    .where(and(eq(users.email, email.trim().toLowerCase()), sql`${users.disabledAt} is null`));
  return row ? { kind: 'user', shopId, ...row } : undefined;
}

/**
 * What a link from Slack would link, for the signed-in person to read before confirming: the
 * shop, the workspace and the Slack person (their name as Slack gives it, best effort). A link
 * forwarded by someone else names their Slack account, not the reader's: the page says so.
 * @throws invalid_input for a bad or expired token, forbidden when not a member of the shop.
 */
export async function previewLink(deps: SlackDeps, user: { id: string }, token: string): Promise<{ shopId: string; shopName: string; teamName: string | null; slackUserId: string; slackUserName: string | null }> {
  const claims = readLinkToken(deps.keyring, token);
  const [m] = await deps.db
    .select({ shopName: shops.name })
    .from(memberships)
    .innerJoin(shops, eq(shops.id, memberships.shopId))
    .where(and(eq(memberships.shopId, claims.shopId), eq(memberships.userId, user.id)));
  if (!m) throw notAMemberOfLink();
  const slack = await slackClientFor(deps, claims.shopId).catch(() => undefined);
  let slackUserName: string | null = null;
  if (slack && slack.connection.teamId === claims.teamId) {
    try {
      const u = (await slack.client.users.info({ user: claims.slackUserId })).user;
      slackUserName = u?.profile?.real_name || u?.real_name || u?.name || null;
    } catch {
      // Slack away: the id is shown alone.
    }
  }
  return { shopId: claims.shopId, shopName: m.shopName, teamName: slack?.connection.teamId === claims.teamId ? slack.connection.teamName : null, slackUserId: claims.slackUserId, slackUserName };
}

const notAMemberOfLink = () =>
  new DomainError('forbidden', 'you are not a member of the shop this link is for', {
    say: { ja: 'このリンクのショップのメンバーではありません。ショップのオーナーに招待を依頼してください。', en: 'You are not a member of the shop this link is for. Ask its owner to invite you.' },
  });

/**
 * Confirms a link from Slack for the signed-in person: they must be a member of the shop the
 * link names (403 otherwise). @throws invalid_input for a bad or expired token.
 */
export async function confirmLink(db: Db, keyring: Keyring, user: { id: string; name: string }, token: string, requestId?: string): Promise<{ shopId: string; slackUserId: string }> {
  const claims = readLinkToken(keyring, token);
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.shopId, claims.shopId), eq(memberships.userId, user.id)));
  if (!m) throw notAMemberOfLink();
  await writeLink(db, { kind: 'user', shopId: claims.shopId, userId: user.id, name: user.name, role: m.role }, claims.teamId, claims.slackUserId, 'confirmed', requestId);
  return { shopId: claims.shopId, slackUserId: claims.slackUserId };
}

/** The madoguchi person of the shop a Slack person is linked to (any role), or undefined. */
export async function linkedUserOf(db: Db, shopId: string, teamId: string, slackUserId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: slackUserLinks.userId })
    .from(slackUserLinks)
    .where(and(eq(slackUserLinks.shopId, shopId), eq(slackUserLinks.teamId, teamId), eq(slackUserLinks.slackUserId, slackUserId)));
  return row?.userId;
}
