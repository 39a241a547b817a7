import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, invalidInput, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { inboxMoved, lockAssignments, releaseAssignments, type AssignDeps } from '../conversations/conversations.assign.ts';
import { transact } from '../../events/commit.ts';
import { chatSink, type ChatDeps } from '../conversations/conversations.service.ts';
import {
  countOwners,
  deleteMembership,
  findMember,
  findShop,
  insertMembership,
  insertShop,
  listMembers,
  lockShop,
  ownsAnyShop,
  setMemberRole,
  updateShop,
  type ShopRow,
} from './shops.repository.ts';
import type { ReplyTime, Role } from './shops.tables.ts';

/** A member's change ends their live connections and hands their conversations on: the chat's dependencies. */
export type MemberDeps = AssignDeps & Pick<ChatDeps, 'poke' | 'timing'>;

export const toShopView = (s: ShopRow) => ({
  id: s.id,
  name: s.name,
  timezone: s.timezone,
  locale: s.locale as 'ja' | 'en',
  allowedOrigins: s.allowedOrigins,
  mailSenderName: s.mailSenderName,
  widgetColor: s.widgetColor,
  widgetGreetingJa: s.widgetGreetingJa,
  widgetGreetingEn: s.widgetGreetingEn,
  privacyUrl: s.privacyUrl,
  replyTime: s.replyTime,
  originPrefecture: s.originPrefecture,
  noticeMailsPerMinute: s.noticeMailsPerMinute,
  noticeContact: s.noticeContact,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

type Member = NonNullable<Awaited<ReturnType<typeof findMember>>>;
const toMemberView = (m: Member) => ({ ...m, since: m.since.toISOString() });

export interface ShopSettingsInput {
  name: string;
  timezone: string;
  locale: 'ja' | 'en';
  allowedOrigins: string[];
  mailSenderName?: string | null;
  widgetColor?: string | null;
  widgetGreetingJa?: string | null;
  widgetGreetingEn?: string | null;
  privacyUrl?: string | null;
  replyTime?: ReplyTime | null;
  originPrefecture?: string | null;
  noticeMailsPerMinute?: number;
  noticeContact?: string | null;
}

/**
 * A merchant opens another shop and becomes its owner. Only owners may: agents and
 * contractors work in shops, they do not open them.
 */
export async function createShop(db: Db, user: { id: string; name: string }, input: ShopSettingsInput, requestId?: string) {
  if (!(await ownsAnyShop(db, user.id))) throw new DomainError('forbidden', 'only shop owners may open a shop');
  return db.transaction(async (tx) => {
    const shop = await insertShop(tx, input);
    await insertMembership(tx, shop.id, user.id, 'owner');
    const actor: Actor = { kind: 'user', shopId: shop.id, userId: user.id, name: user.name, role: 'owner' };
    await recordAudit(tx, actor, { action: 'shop.created', objectType: 'shop', objectId: shop.id, summary: { ...input } }, requestId);
    return toShopView(shop);
  });
}

/** The operator opens a shop that has no people yet; its first owner comes by invitation. */
export async function openShopAsOperator(db: Db, input: ShopSettingsInput): Promise<{ shop: ReturnType<typeof toShopView>; actor: Actor }> {
  return db.transaction(async (tx) => {
    const shop = await insertShop(tx, input);
    const actor: Actor = { kind: 'system', shopId: shop.id, name: 'madoguchi operator' };
    await recordAudit(tx, actor, { action: 'shop.created', objectType: 'shop', objectId: shop.id, summary: { ...input } });
    return { shop: toShopView(shop), actor };
  });
}

export async function getShop(db: Db, actor: Actor) {
  const shop = await findShop(db, actor.shopId);
  if (!shop) throw notFound('shop');
  return toShopView(shop);
}

export async function updateShopSettings(db: Db, actor: Actor, patch: Partial<ShopSettingsInput>, requestId?: string) {
  requireRole(actor, 'owner');
  if (Object.keys(patch).length === 0) throw invalidInput('nothing to change');
  return db.transaction(async (tx) => {
    const before = await findShop(tx, actor.shopId);
    if (!before) throw notFound('shop');
    const after = await updateShop(tx, actor.shopId, patch);
    const changed = Object.fromEntries(
      Object.entries(patch)
        .filter(([k, v]) => JSON.stringify(before[k as keyof ShopRow]) !== JSON.stringify(v))
        .map(([k, v]) => [k, { from: before[k as keyof ShopRow], to: v }]),
    );
    await recordAudit(tx, actor, { action: 'shop.updated', objectType: 'shop', objectId: actor.shopId, summary: changed }, requestId);
    return toShopView(after!);
  });
}

export async function listShopMembers(db: Db, actor: Actor) {
  requireRole(actor, 'owner', 'staff');
  return (await listMembers(db, actor.shopId)).map(toMemberView);
}

/** Two owners demoting each other at once must not leave the shop ownerless: the shop row lock orders them. */
async function keepAnOwner(db: Db, shopId: string, userId: string) {
  await lockShop(db, shopId);
  const member = await findMember(db, shopId, userId);
  if (!member) throw notFound('member');
  if (member.role === 'owner' && (await countOwners(db, shopId)) <= 1) {
    throw new DomainError('conflict', 'a shop needs at least one owner');
  }
  return member;
}

/**
 * Gives a person another role. Their live console connections to the shop are ended at once
 * (in every process) and reconnect with what the new role sees: a contractor's masked data.
 */
export async function changeMemberRole(deps: MemberDeps, actor: Actor, userId: string, role: Role, requestId?: string) {
  requireRole(actor, 'owner');
  return transact(deps.db, chatSink(deps), async (tx, out) => {
    const before = role === 'owner' ? await findMember(tx, actor.shopId, userId) : await keepAnOwner(tx, actor.shopId, userId);
    if (!before) throw notFound('member');
    await setMemberRole(tx, actor.shopId, userId, role);
    await recordAudit(tx, actor, { action: 'member.role_changed', objectType: 'user', objectId: userId, summary: { from: before.role, to: role } }, requestId);
    if (before.role !== role) out.live('access.changed', { userId, shopId: actor.shopId });
    return toMemberView((await findMember(tx, actor.shopId, userId))!);
  });
}

/**
 * Removes a person from the shop. In the same transaction their conversations go back to the
 * queue (conversations.assign.ts); after it, their live console connections to the shop are
 * cut in every process, the inbox rows move and waiting conversations are handed out again.
 */
export async function removeMember(deps: MemberDeps, actor: Actor, userId: string, requestId?: string): Promise<void> {
  requireRole(actor, 'owner');
  await transact(deps.db, chatSink(deps), async (tx, out) => {
    // Anyone assigning them right now finishes first (and is released below) or waits and finds them gone.
    await lockAssignments(tx, actor.shopId, userId);
    const before = await keepAnOwner(tx, actor.shopId, userId);
    await deleteMembership(tx, actor.shopId, userId);
    const released = await releaseAssignments(tx, actor, userId, requestId);
    await recordAudit(tx, actor, { action: 'member.removed', objectType: 'user', objectId: userId, summary: { role: before.role, conversationsReleased: released.length } }, requestId);
    out.live('access.changed', { userId, shopId: actor.shopId });
    inboxMoved(out, deps, actor.shopId, released, { assign: released.length > 0 });
  });
}
