import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { newSecret, secretHash } from '../../core/secrets.ts';
import { conflict, DomainError, invalidInput, notFound } from '../../core/errors.ts';
import { MAIL_SEND, type MailPayload } from '../../core/mail.jobs.ts';
import { enqueue } from '../../core/outbox.ts';
import { render } from '../../core/templates.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findUserByEmail } from '../auth/auth.repository.ts';
import { describeSession, startSession, type AuthDeps, type SessionPrincipal, type SessionView } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/password.ts';
import { findMember, insertMembership, insertUser, lockShop, findShop } from '../shops/shops.repository.ts';
import type { Role } from '../shops/shops.tables.ts';
import {
  findOpenInvitation,
  insertInvitation,
  listOpenInvitations,
  markAccepted,
  revokeInvitation,
  revokeOpenInvitation,
  type InvitationRow,
} from './invitations.repository.ts';

export interface InvitationDeps {
  db: Db;
  /** Wakes the outbox dispatcher so the mail goes out now rather than at its next poll. */
  poke?: () => void;
  /** Where people open the console, for the link in the mail. */
  baseUrl: string;
  /** Throws rate_limited when a shop or an address has had too many invitations. */
  limit?: (shopId: string, email: string) => Promise<void>;
  now?: () => Date;
}

const VALID_DAYS = 7;

const roleNames: Record<Role, { ja: string; en: string }> = {
  owner: { ja: 'オーナー', en: 'an owner' },
  staff: { ja: 'スタッフ', en: 'staff' },
  agent: { ja: 'エージェント', en: 'an agent' },
  contractor: { ja: '委託スタッフ', en: 'a contractor' },
};

const tokyo = (d: Date, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Tokyo', dateStyle: 'long', timeStyle: 'short' }).format(d);

export const toInvitationView = (i: InvitationRow) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
});

/** The invitation mail, in Japanese then English; the link carries the only copy of the token. */
function invitationMail(deps: InvitationDeps, actor: Actor, invitationId: string, to: string, role: Role, shopName: string, expiresAt: Date, token: string): MailPayload {
  return {
    to,
    // For the mail log; the invitation's id makes its Message-ID, so a retry is the same mail.
    shopId: actor.shopId,
    kind: 'invitation',
    about: { invitationId },
    messageId: `invitation-${invitationId}`,
    subject: `【${shopName}】窓口への招待 / Invitation to ${shopName}`,
    text: render(
      'mail/invitation',
      {
        inviterName: actor.name,
        shopName,
        roleJa: roleNames[role].ja,
        roleEn: roleNames[role].en,
        expiresJa: tokyo(expiresAt, 'ja-JP'),
        expiresEn: `${tokyo(expiresAt, 'en-GB')} (Japan time)`,
        link: `${deps.baseUrl}/console/invitations/${token}`,
      },
      { text: true },
    ),
  };
}

/**
 * Invites a person to the shop by email (owner). The token goes only into the mail, so the
 * owner cannot accept on the person's behalf or set their password. Inviting the same
 * address again replaces the open invitation (a resend). The mail is written to the outbox
 * in the same transaction, so an invitation never exists without its mail on the way; the
 * worker sends it and retries while the mail server is down.
 */
export async function invite(deps: InvitationDeps, actor: Actor, input: { email: string; role: Role }, requestId?: string) {
  // The operator's CLI (a system actor) invites a new shop's first owner.
  if (actor.kind !== 'system') requireRole(actor, 'owner');
  await deps.limit?.(actor.shopId, input.email);
  const now = deps.now?.() ?? new Date();
  const token = newSecret();
  const invitation = await deps.db.transaction(async (tx) => {
    await lockShop(tx, actor.shopId);
    const existing = await findUserByEmail(tx, input.email);
    if (existing && (await findMember(tx, actor.shopId, existing.id))) throw conflict('this person is already a member of the shop');
    await revokeOpenInvitation(tx, actor.shopId, input.email, now);
    const invitation = await insertInvitation(tx, {
      shopId: actor.shopId,
      email: input.email,
      role: input.role,
      tokenHash: secretHash(token),
      invitedBy: actor.kind === 'user' ? actor.userId : null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    });
    await recordAudit(tx, actor, { action: 'member.invited', objectType: 'invitation', objectId: invitation.id, summary: { role: input.role } }, requestId);
    const shopName = (await findShop(tx, actor.shopId))!.name;
    const mail = invitationMail(deps, actor, invitation.id, input.email, input.role, shopName, invitation.expiresAt, token);
    await enqueue(tx, { shopId: actor.shopId, topic: MAIL_SEND, payload: mail });
    return invitation;
  });
  deps.poke?.();
  return { ...toInvitationView(invitation), mailed: true };
}

export async function listInvitations(deps: InvitationDeps, actor: Actor) {
  requireRole(actor, 'owner');
  return (await listOpenInvitations(deps.db, actor.shopId, deps.now?.() ?? new Date())).map(toInvitationView);
}

export async function withdrawInvitation(deps: InvitationDeps, actor: Actor, id: string, requestId?: string): Promise<void> {
  requireRole(actor, 'owner');
  await deps.db.transaction(async (tx) => {
    const row = await revokeInvitation(tx, actor.shopId, id, deps.now?.() ?? new Date());
    if (!row) throw notFound('open invitation');
    await recordAudit(tx, actor, { action: 'member.invitation_revoked', objectType: 'invitation', objectId: id, summary: { role: row.role } }, requestId);
  });
}

/** What the person holding the token may see: the shop, the role, and whether they already have an account. */
export async function describeInvitation(deps: InvitationDeps, token: string) {
  const found = await findOpenInvitation(deps.db, secretHash(token), deps.now?.() ?? new Date());
  if (!found) throw notFound('invitation (it may have expired or been used)');
  const { invitation: i, shopName } = found;
  return { shopName, role: i.role, email: i.email, expiresAt: i.expiresAt.toISOString(), hasAccount: !!(await findUserByEmail(deps.db, i.email)) };
}

/**
 * Accepts an invitation. A new person gives a name and a password and is signed in; a person
 * who already has an account must be signed in as it. Either way the mail's token is the proof
 * that they read that mailbox.
 */
export async function acceptInvitation(
  deps: InvitationDeps & { auth: AuthDeps },
  token: string,
  input: { name?: string; password?: string },
  principal: SessionPrincipal | undefined,
  requestId?: string,
): Promise<{ session?: { token: string }; view: SessionView }> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction(async (tx) => {
    // Shop row first, then the invitation: the same order as invite(), so they cannot deadlock.
    const peek = await findOpenInvitation(tx, secretHash(token), now);
    if (!peek) throw notFound('invitation (it may have expired or been used)');
    await lockShop(tx, peek.invitation.shopId);
    const found = await findOpenInvitation(tx, secretHash(token), now, { forUpdate: true });
    if (!found) throw notFound('invitation (it may have expired or been used)');
    const { invitation: inv } = found;
    let user = await findUserByEmail(tx, inv.email);
    const created = !user;
    if (user) {
      if (!principal) throw new DomainError('unauthenticated', 'sign in with this email\'s account, then accept', { reason: 'sign_in_first' });
      if (principal.user.id !== user.id) throw new DomainError('forbidden', 'this invitation is for another account; sign out first');
      if (await findMember(tx, inv.shopId, user.id)) throw conflict('you are already a member of this shop');
    } else {
      if (!input.name || !input.password) {
        throw invalidInput('give your name and a password to create your account', {
          missing: [...(input.name ? [] : ['name']), ...(input.password ? [] : ['password'])],
        });
      }
      user = await insertUser(tx, { email: inv.email, name: input.name, passwordHash: await hashPassword(input.password) });
    }
    await insertMembership(tx, inv.shopId, user.id, inv.role);
    await markAccepted(tx, inv.shopId, inv.id, user.id, now);
    const actor: Actor = { kind: 'user', shopId: inv.shopId, userId: user.id, name: user.name, role: inv.role };
    await recordAudit(tx, actor, { action: 'member.joined', objectType: 'user', objectId: user.id, summary: { invitationId: inv.id, role: inv.role } }, requestId);
    // In the same transaction: a spent token always comes with the session it paid for.
    const auth = { ...deps.auth, db: tx };
    if (created) {
      const { token: sessionToken, view } = await startSession(auth, user);
      return { session: { token: sessionToken }, view };
    }
    return { view: await describeSession(auth, principal!) };
  });
}
