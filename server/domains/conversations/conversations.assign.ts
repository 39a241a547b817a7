import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Redis } from '../../core/redis.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { memberships, shops } from '../shops/shops.tables.ts';
import { activeStatuses } from './conversations.machine.ts';
import { conversations } from './conversations.tables.ts';
import type { PresenceStore } from './presence.ts';

export interface AssignDeps {
  db: Db;
  bus: DomainBus;
  redis: Redis;
  keyPrefix: string;
  presence: PresenceStore;
}

/** Roles that work the queue; owners are merchants and are assigned only by hand. */
const QUEUE_ROLES = ['staff', 'agent', 'contractor'] as const;

async function freeSlots(tx: Db, shopId: string, userIds: string[]): Promise<Map<string, number>> {
  if (!userIds.length) return new Map();
  const members = await tx
    .select({ userId: memberships.userId, capacity: memberships.capacity })
    .from(memberships)
    .where(and(eq(memberships.shopId, shopId), inArray(memberships.userId, userIds), inArray(memberships.role, [...QUEUE_ROLES])));
  const loads = await tx
    .select({ userId: conversations.assigneeId, n: count() })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), inArray(conversations.assigneeId, userIds), inArray(conversations.status, activeStatuses)))
    .groupBy(conversations.assigneeId);
  const load = new Map(loads.map((l) => [l.userId!, l.n]));
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
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`assign:${shopId}`}))`);
    const [shop] = await tx.select({ autoAssign: shops.autoAssign }).from(shops).where(eq(shops.id, shopId));
    if (!shop?.autoAssign) return;
    const waiting = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.shopId, shopId), eq(conversations.awaitingAssignment, true), isNull(conversations.assigneeId), inArray(conversations.status, activeStatuses)))
      .orderBy(asc(conversations.createdAt))
      .limit(100);
    if (!waiting.length) return;
    const slots = await freeSlots(tx, shopId, online);
    if (!slots.size) return;
    const scores = await deps.redis.zmscore(rrKey, ...slots.keys());
    [...slots.keys()].forEach((u, i) => lastAssigned.set(u, Number(scores[i] ?? 0)));
    for (const w of waiting) {
      const candidates = [...slots].filter(([, free]) => free > 0).map(([u]) => u);
      if (!candidates.length) break;
      candidates.sort((a, b) => lastAssigned.get(a)! - lastAssigned.get(b)! || a.localeCompare(b));
      const userId = candidates[0]!;
      await tx
        .update(conversations)
        .set({ assigneeId: userId, awaitingAssignment: false, updatedAt: new Date() })
        .where(and(eq(conversations.shopId, shopId), eq(conversations.id, w.id)));
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
 * transaction: each one they still hold loses its assignee and waits for auto-assignment
 * again, audited one by one. Resolved and closed ones keep them, as the record of who
 * answered. Answers the ids; after the commit the caller broadcasts them and runs
 * assignWaiting.
 */
export async function releaseAssignments(tx: Db, actor: Actor, userId: string, requestId?: string): Promise<string[]> {
  const released = await tx
    .update(conversations)
    .set({ assigneeId: null, awaitingAssignment: true, updatedAt: new Date() })
    .where(and(eq(conversations.shopId, actor.shopId), eq(conversations.assigneeId, userId), inArray(conversations.status, HELD)))
    .returning({ id: conversations.id, number: conversations.number });
  if (released.length) {
    const summary = { assigneeId: null, awaitingAssignment: true, previousAssigneeId: userId, reason: 'member_removed' };
    await recordAudit(tx, actor, released.map((c) => ({ action: 'conversation.updated', objectType: 'conversation', objectId: c.id, summary: { number: c.number, ...summary } })), requestId);
  }
  return released.map((c) => c.id);
}
