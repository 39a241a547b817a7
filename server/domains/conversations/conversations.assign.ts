import type { Actor } from '../../core/actor.ts';
import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { Outgoing } from '../../events/commit.ts';
import type { Redis } from '../../core/redis.ts';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findShop } from '../shops/shops.repository.ts';
import {
  assignedCounts,
  lockAssigneeKeys,
  lockHeldConversations,
  lockShopAssigner,
  membersAmong,
  membershipsAmong,
  releaseHeld,
  takeWaiting,
  waitingConversations,
} from './conversations.assign.repository.ts';
import { activeStatuses } from './conversations.machine.ts';
import type { PresenceStore } from './presence.ts';

/**
 * What follows the commit of a change to conversations, in the one place it is said: their
 * inbox rows go out again, and (unless `assign` is false) waiting conversations are handed out,
 * since capacity or the queue may have changed. Registered on the transaction's Outgoing.
 */
export function inboxMoved(out: Outgoing, deps: AssignDeps, shopId: string, conversationIds: string[], opts: { assign?: boolean } = {}): void {
  for (const conversationId of conversationIds) out.live('conversation.changed', { shopId, conversationId });
  if (opts.assign !== false) out.then(() => assignWaiting(deps, shopId));
}

export interface AssignDeps {
  db: Db;
  bus: DomainBus;
  logger?: Logger;
  redis: Redis;
  keyPrefix: string;
  presence: PresenceStore;
}

/**
 * The one lock that makes "this person becomes an assignee" and "this person leaves the shop"
 * happen one after the other, never interleaved: every path that assigns a person (a PATCH, the
 * auto-assigner) and the removal take it, in their transaction, before they read the membership
 * or touch a conversation. Without it an assignment could read the membership just before a
 * concurrent removal deletes it, and commit after the removal released the person's
 * conversations: the removed person would keep one. Held until the transaction ends; several
 * people are locked in id order, so two callers never wait on each other in a circle. Answers
 * the ids of those who are members of the shop now (read after the lock, so a removal that
 * committed meanwhile is seen).
 */
export async function lockAssignments(tx: Db, shopId: string, userIds: string | string[]): Promise<Set<string>> {
  const ids = [...new Set(typeof userIds === 'string' ? [userIds] : userIds)].sort();
  if (!ids.length) return new Set();
  await lockAssigneeKeys(tx, shopId, ids);
  const members = await membersAmong(tx, shopId, ids);
  return new Set(members.map((m) => m.userId));
}

/** The refusal of an assignee who is not a member of the shop (never was, or was removed meanwhile). */
export const notAMember = (path = 'assigneeId') =>
  new DomainError('invalid_input', 'body is not valid', [{ in: 'body', path, message: 'not a member of this shop' }]);

export const assigneeKey = (shopId: string, userId: string) => `${shopId} ${userId}`;
const key = assigneeKey;

/**
 * Of these conversations (locked by the caller), the assignees who are no longer members of
 * their shop, by assigneeKey: a conversation that comes back to life (a resolved one reopened)
 * goes back to the queue rather than to a person who has left. A removal locks every
 * conversation of the person it removes until it commits (releaseAssignments), so this read,
 * made under the row lock, and a removal never interleave.
 */
export async function assigneesGone(tx: Db, rows: Array<{ shopId: string; assigneeId: string | null }>): Promise<Set<string>> {
  const pairs = rows.filter((r): r is { shopId: string; assigneeId: string } => !!r.assigneeId);
  if (!pairs.length) return new Set();
  const members = await membershipsAmong(tx, pairs.map((p) => ({ shopId: p.shopId, userId: p.assigneeId })));
  const present = new Set(members.map((m) => key(m.shopId, m.userId)));
  return new Set(pairs.filter((p) => !present.has(key(p.shopId, p.assigneeId))).map((p) => key(p.shopId, p.assigneeId)));
}

/** Roles that work the queue; owners are merchants and are assigned only by hand. */
const QUEUE_ROLES = ['staff', 'agent', 'contractor'] as const;

async function freeSlots(tx: Db, shopId: string, userIds: string[]): Promise<Map<string, number>> {
  if (!userIds.length) return new Map();
  const members = await membersAmong(tx, shopId, userIds, QUEUE_ROLES);
  const load = await assignedCounts(tx, shopId, userIds, activeStatuses);
  return new Map(members.map((m) => [m.userId, m.capacity - (load.get(m.userId) ?? 0)]));
}

/**
 * Gives conversations that wait for an agent to online agents with free capacity, oldest
 * conversation first, round-robin by who was assigned longest ago. Called whenever capacity
 * may have freed (a new chat, a resolve, a snooze, an agent coming online), so nothing waits
 * once someone can take it. One runner per shop at a time (advisory lock).
 */
export async function assignWaiting(deps: AssignDeps, shopId: string): Promise<string[]> {
  const online = await deps.presence.onlineUserIds(shopId);
  if (!online.length) return [];
  const rrKey = `${deps.keyPrefix}rr:${shopId}`;
  const assigned: Array<{ id: string; userId: string }> = [];
  const lastAssigned = new Map<string, number>();
  await deps.db.transaction(async (tx) => {
    await lockShopAssigner(tx, shopId);
    const shop = await findShop(tx, shopId);
    if (!shop?.autoAssign) return;
    const waiting = await waitingConversations(tx, shopId, activeStatuses, 100);
    if (!waiting.length) return;
    // The membership is read under each candidate's lock: someone being removed right now is not handed anything.
    const members = await lockAssignments(tx, shopId, online);
    const slots = await freeSlots(tx, shopId, online.filter((u) => members.has(u)));
    if (!slots.size) return;
    const scores = await deps.redis.zmscore(rrKey, ...slots.keys());
    [...slots.keys()].forEach((u, i) => lastAssigned.set(u, Number(scores[i] ?? 0)));
    for (const w of waiting) {
      const candidates = [...slots].filter(([, free]) => free > 0).map(([u]) => u);
      if (!candidates.length) break;
      candidates.sort((a, b) => lastAssigned.get(a)! - lastAssigned.get(b)! || a.localeCompare(b));
      const userId = candidates[0]!;
      // Still waiting now, not only when read: a PATCH of the assignee (or a resolve) this run
      // waited for in lockAssignments has committed since, and its choice stands.
      if (!(await takeWaiting(tx, shopId, w.id, userId, activeStatuses, new Date()))) continue;
      slots.set(userId, slots.get(userId)! - 1);
      // Strictly increasing, so the next pick in this same run moves on to someone else.
      lastAssigned.set(userId, Date.now() + assigned.length);
      assigned.push({ id: w.id, userId });
    }
  });
  if (assigned.length) {
    const m = deps.redis.multi();
    for (const [userId, at] of lastAssigned) m.zadd(rrKey, at, userId);
    await m.exec();
    for (const a of assigned) deps.bus.publish('conversation.changed', { shopId, conversationId: a.id });
  }
  return assigned.map((a) => a.id);
}

/** Conversations someone still works on: the active ones, and snoozed ones that will wake. */
const HELD = [...activeStatuses, 'snoozed' as const];

/**
 * Puts a person's conversations back in the queue as they leave the shop, in the caller's
 * transaction, which holds lockAssignments for them: each one they still hold loses its
 * assignee and waits for auto-assignment again, audited one by one. Resolved and closed ones keep them, as the record of who
 * answered. Answers the ids; after the commit the caller broadcasts them and runs
 * assignWaiting.
 */
export async function releaseAssignments(tx: Db, actor: Actor, userId: string, requestId?: string): Promise<string[]> {
  // Every conversation of theirs that could still come back to life, resolved ones included, is
  // locked (in id order, like the chat writer) until the removal commits: a reopen that holds
  // one of them commits first and is released below, and one that waits for it reads the
  // membership after the removal's commit and sends it to the queue (assigneesGone).
  await lockHeldConversations(tx, actor.shopId, userId);
  const released = await releaseHeld(tx, actor.shopId, userId, HELD, new Date());
  if (released.length) {
    const summary = { assigneeId: null, awaitingAssignment: true, previousAssigneeId: userId, reason: 'member_removed' };
    await recordAudit(tx, actor, released.map((c) => ({ action: 'conversation.updated', objectType: 'conversation', objectId: c.id, summary: { number: c.number, ...summary } })), requestId);
  }
  return released.map((c) => c.id);
}
