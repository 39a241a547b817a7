import type { Actor } from '../../server/core/actor.ts';
import { findConnection, linkedActor, markConnectionBroken, slackClientFor, slackProblem } from '../../server/domains/slack/slack.client.ts';
import { memberByEmail, signLinkToken, writeLink } from '../../server/domains/slack/slack.people.ts';
import type { SlackBotDeps } from './deps.ts';
import type { Said } from './reply.ts';
import { words } from './words.ts';

export type Person = Extract<Actor, { kind: 'user' }>;

/** Who is acting from Slack, and where: the payload's team and person, and the shop its object names. */
export interface Acting {
  body: object;
  teamId: string;
  slackUserId: string;
  shopId: string;
}

/**
 * The madoguchi person a Slack person acts as in the shop, with their role now, or why they
 * cannot act (said to them, nothing done). The shop must be one whose app signed the request
 * and whose workspace it is; its connection must work. An unlinked person is linked by their
 * Slack email when it is a member's, else sent a link to confirm in the console.
 */
export async function actorFor(deps: SlackBotDeps, a: Acting): Promise<Person | Said> {
  const verified = deps.verifiedOf(a.body);
  const connection = verified?.shopIds.includes(a.shopId) ? await findConnection(deps.db, a.shopId) : undefined;
  if (!connection || connection.teamId !== a.teamId) {
    deps.logger.warn({ shopId: a.shopId, teamId: a.teamId, slackUserId: a.slackUserId }, 'slack: refused an action on a shop this workspace does not serve');
    return words.notThisShop;
  }
  if (connection.status === 'broken') return words.broken;
  const linked = await linkedActor(deps.db, a.shopId, a.teamId, a.slackUserId);
  if (linked) return linked;
  const byEmail = await linkByEmail(deps, a);
  if (byEmail) return byEmail;
  const token = signLinkToken(deps.keyring, { shopId: a.shopId, teamId: a.teamId, slackUserId: a.slackUserId });
  deps.logger.info({ shopId: a.shopId, teamId: a.teamId, slackUserId: a.slackUserId }, 'slack: an unlinked person was sent a link to confirm');
  return words.unlinked(`${deps.publicUrl.replace(/\/$/, '')}/console/slack/link?token=${encodeURIComponent(token)}`);
}

/** Links the Slack person to the member whose email Slack gives for them (Slack gives confirmed addresses only). */
async function linkByEmail(deps: SlackBotDeps, a: Acting): Promise<Person | Said | undefined> {
  const c = await slackClientFor(deps, a.shopId);
  if (!c) return undefined;
  let email: string | undefined;
  try {
    const r = await c.client.users.info({ user: a.slackUserId });
    const u = r.user as { is_bot?: boolean; is_email_confirmed?: boolean; profile?: { email?: string } } | undefined;
    if (u && !u.is_bot && u.is_email_confirmed !== false) email = u.profile?.email;
  } catch (e) {
    const p = slackProblem(e);
    if (p.kind === 'connection') {
      await markConnectionBroken(deps.db, a.shopId, p.code);
      return words.broken;
    }
    deps.logger.warn({ shopId: a.shopId, problem: p }, 'slack: users.info failed; the person is asked to confirm in the console');
    return undefined;
  }
  if (!email) return undefined;
  const member = await memberByEmail(deps.db, a.shopId, email);
  if (!member) return undefined;
  // Written now, or by a request of the same person a moment ago (two quick answers): either way, linked.
  await writeLink(deps.db, member, a.teamId, a.slackUserId, 'email');
  return linkedActor(deps.db, a.shopId, a.teamId, a.slackUserId);
}
