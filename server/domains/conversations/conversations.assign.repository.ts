import { and, asc, count, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { memberships, type Role } from '../shops/shops.tables.ts';
import { conversations, type ConversationStatus } from './conversations.tables.ts';

/*
 * The SQL of assignment (conversations.assign.ts): the advisory locks that order assigners
 * and removals, who is a member with what capacity, and the conversations that wait for
 * someone or that a leaving person still holds. Every statement is scoped by the shop.
 */

/** Takes each person's assignment lock in the shop until the transaction ends, in the order given. */
export async function lockAssigneeKeys(tx: Db, shopId: string, userIds: string[]): Promise<void> {
  for (const id of userIds) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`assignee:${shopId}:${id}`}))`);
}

/** Takes the shop's auto-assigner lock until the transaction ends: one runner per shop. */
export async function lockShopAssigner(tx: Db, shopId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`assign:${shopId}`}))`);
}

/** Of these people, those who are members of the shop (with one of `roles`, when given), and their capacity. */
export async function membersAmong(db: Db, shopId: string, userIds: string[], roles?: readonly Role[]): Promise<Array<{ userId: string; capacity: number }>> {
  if (!userIds.length) return [];
  return db
    .select({ userId: memberships.userId, capacity: memberships.capacity })
    .from(memberships)
    .where(and(eq(memberships.shopId, shopId), inArray(memberships.userId, userIds), ...(roles ? [inArray(memberships.role, [...roles])] : [])));
}

/** Of these (shop, person) pairs, those that are memberships now; each pair is looked up in its own shop. */
export async function membershipsAmong(db: Db, pairs: Array<{ shopId: string; userId: string }>): Promise<Array<{ shopId: string; userId: string }>> {
  if (!pairs.length) return [];
  return db
    .select({ shopId: memberships.shopId, userId: memberships.userId })
    .from(memberships)
    .where(or(...pairs.map((p) => and(eq(memberships.shopId, p.shopId), eq(memberships.userId, p.userId)))));
}

/** How many conversations in `statuses` each of these people holds in the shop (those with none are left out). */
export async function assignedCounts(db: Db, shopId: string, userIds: string[], statuses: ConversationStatus[]): Promise<Map<string, number>> {
  if (!userIds.length) return new Map();
  const loads = await db
    .select({ userId: conversations.assigneeId, n: count() })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), inArray(conversations.assigneeId, userIds), inArray(conversations.status, statuses)))
    .groupBy(conversations.assigneeId);
  return new Map(loads.map((l) => [l.userId!, l.n]));
}

/** Waiting for auto-assignment: flagged, nobody's, and in one of `statuses`. */
const stillWaiting = (statuses: ConversationStatus[]) => [eq(conversations.awaitingAssignment, true), isNull(conversations.assigneeId), inArray(conversations.status, statuses)];

/** The shop's conversations that wait for an agent, oldest first. */
export async function waitingConversations(tx: Db, shopId: string, statuses: ConversationStatus[], limit: number): Promise<Array<{ id: string }>> {
  return tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), ...stillWaiting(statuses)))
    .orderBy(asc(conversations.createdAt))
    .limit(limit);
}

/**
 * Gives the conversation to the person if it still waits now, not only when it was read: a
 * PATCH of the assignee (or a resolve) that committed since keeps its choice. Answers whether
 * it was taken.
 */
export async function takeWaiting(tx: Db, shopId: string, id: string, userId: string, statuses: ConversationStatus[], at: Date): Promise<boolean> {
  const [taken] = await tx
    .update(conversations)
    .set({ assigneeId: userId, awaitingAssignment: false, updatedAt: at })
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, id), ...stillWaiting(statuses)))
    .returning({ id: conversations.id });
  return Boolean(taken);
}

/** Locks, in id order, every conversation of the person in the shop that is not closed. */
export async function lockHeldConversations(tx: Db, shopId: string, userId: string): Promise<void> {
  await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.assigneeId, userId), ne(conversations.status, 'closed')))
    .orderBy(asc(conversations.id))
    .for('update');
}

/** Takes the person off their conversations in `statuses`, which wait for auto-assignment again; answers them. */
export async function releaseHeld(tx: Db, shopId: string, userId: string, statuses: ConversationStatus[], at: Date): Promise<Array<{ id: string; number: number }>> {
  return tx
    .update(conversations)
    .set({ assigneeId: null, awaitingAssignment: true, updatedAt: at })
    .where(and(eq(conversations.shopId, shopId), eq(conversations.assigneeId, userId), inArray(conversations.status, statuses)))
    .returning({ id: conversations.id, number: conversations.number });
}
