import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { isoSql, rowsAs, selectList, statement } from '../../core/db/statement.ts';
import { conversations } from '../conversations/conversations.tables.ts';
import { shops } from '../shops/shops.tables.ts';
import { businessHours, slaClocks, slaPolicies, type SlaMetric } from './sla.tables.ts';

export type BusinessHoursRow = typeof businessHours.$inferSelect;
export type PolicyRow = typeof slaPolicies.$inferSelect;
export type ClockRow = typeof slaClocks.$inferSelect;

export async function findBusinessHours(db: Db, shopId: string): Promise<BusinessHoursRow | undefined> {
  const [row] = await db.select().from(businessHours).where(eq(businessHours.shopId, shopId));
  return row;
}

export async function upsertBusinessHours(db: Db, shopId: string, values: Omit<typeof businessHours.$inferInsert, 'shopId'>): Promise<BusinessHoursRow> {
  const set = { ...values, updatedAt: new Date() };
  const [row] = await db
    .insert(businessHours)
    .values({ shopId, ...set })
    .onConflictDoUpdate({ target: businessHours.shopId, set })
    .returning();
  return row!;
}

export async function listPolicies(db: Db, shopId: string): Promise<PolicyRow[]> {
  return db.select().from(slaPolicies).where(eq(slaPolicies.shopId, shopId)).orderBy(asc(slaPolicies.createdAt));
}

export async function findPolicy(db: Db, shopId: string, id: string): Promise<PolicyRow | undefined> {
  const [row] = await db.select().from(slaPolicies).where(and(eq(slaPolicies.shopId, shopId), eq(slaPolicies.id, id)));
  return row;
}

/** The policy written for exactly this priority (null: the shop's default policy). */
export async function findPolicyForPriority(db: Db, shopId: string, priority: string | null): Promise<PolicyRow | undefined> {
  const [row] = await db
    .select()
    .from(slaPolicies)
    .where(and(eq(slaPolicies.shopId, shopId), priority === null ? isNull(slaPolicies.priority) : eq(slaPolicies.priority, priority)));
  return row;
}

const toHours = rowsAs(businessHours);
const toPolicy = rowsAs(slaPolicies);
export type SlaContextRow = { timezone: string; hours: BusinessHoursRow | undefined; policy: PolicyRow | undefined };
/**
 * What the caller already read under the conversations' locks: their clocks (all of them, for
 * every conversation the events name) and calendars and policies by `${shopId} ${priority}`.
 * The chat's group commit reads these with its other reads, in one round trip.
 */
/** How KnownSla keys its contexts. */
export const contextKey = (shopId: string, priority: string) => `${shopId} ${priority}`;

export interface KnownSla {
  clocks: ClockRow[];
  contexts: Map<string, SlaContextRow>;
}

/** A context read as `timezone`, `hours` (jsonb of the row) and `policy` (jsonb of the row). */
export const toSlaContext = (r: Record<string, unknown>): SlaContextRow => ({
  timezone: r.timezone as string,
  hours: r.hours ? toHours(r.hours as Record<string, unknown>) : undefined,
  policy: r.policy ? toPolicy(r.policy as Record<string, unknown>) : undefined,
});
const context = statement(
  'sla_context',
  `select s.timezone, to_jsonb(h) as hours, to_jsonb(p) as policy
   from shops s
   left join business_hours h on h.shop_id = s.id
   -- The shop's policy for the priority, else its default one (migration 0032; the chat's group commit reads it too).
   left join lateral sla_policy_for(s.id, $2) p on true
   where s.id = $1`,
  toSlaContext,
);

/**
 * What an SLA event needs to know of the shop, in one round trip: its time zone, its business
 * hours (none set: undefined) and the policy that applies to `priority` (its own, else the
 * default one). Undefined when there is no such shop. Sent with every batch of chat messages,
 * so it is a prepared statement.
 */
export async function slaContext(db: Db, shopId: string, priority: string): Promise<SlaContextRow | undefined> {
  const [row] = await context(db, [shopId, priority]);
  return row;
}

export async function insertPolicy(db: Db, row: typeof slaPolicies.$inferInsert): Promise<PolicyRow> {
  const [created] = await db.insert(slaPolicies).values(row).returning();
  return created!;
}

export async function updatePolicy(db: Db, shopId: string, id: string, patch: Partial<typeof slaPolicies.$inferInsert>): Promise<PolicyRow | undefined> {
  const [row] = await db
    .update(slaPolicies)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(slaPolicies.shopId, shopId), eq(slaPolicies.id, id)))
    .returning();
  return row;
}

export async function deletePolicy(db: Db, shopId: string, id: string): Promise<PolicyRow | undefined> {
  const [row] = await db.delete(slaPolicies).where(and(eq(slaPolicies.shopId, shopId), eq(slaPolicies.id, id))).returning();
  return row;
}

/** Locks the conversation's row, so two events on one conversation apply one after the other. */
export async function lockConversation(db: Db, shopId: string, conversationId: string): Promise<boolean> {
  const rows = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)))
    .for('update');
  return rows.length > 0;
}

export async function saveClock(db: Db, row: typeof slaClocks.$inferInsert): Promise<void> {
  const { conversationId, metric, shopId, ...set } = row;
  await db
    .insert(slaClocks)
    .values(row)
    .onConflictDoUpdate({ target: [slaClocks.conversationId, slaClocks.metric], set, setWhere: eq(slaClocks.shopId, shopId) });
}

export async function lockClock(db: Db, shopId: string, conversationId: string, metric: SlaMetric): Promise<ClockRow | undefined> {
  const [row] = await db
    .select()
    .from(slaClocks)
    .where(and(eq(slaClocks.shopId, shopId), eq(slaClocks.conversationId, conversationId), eq(slaClocks.metric, metric)))
    .for('update');
  return row;
}

/** Records a fired alert; the version stays, so the clock's other timer is still current. */
export async function markFired(db: Db, shopId: string, conversationId: string, metric: SlaMetric, patch: { atRiskFiredAt?: Date; breachedAt?: Date }): Promise<void> {
  await db
    .update(slaClocks)
    .set(patch)
    .where(and(eq(slaClocks.shopId, shopId), eq(slaClocks.conversationId, conversationId), eq(slaClocks.metric, metric)));
}

const clocksOf = statement(
  'sla_clocks_of_many',
  `select ${selectList(slaClocks, 'k')} from sla_clocks k where k.shop_id = $1 and k.conversation_id = any($2::uuid[])`,
  rowsAs(slaClocks),
);

export async function clocksOfMany(db: Db, shopId: string, conversationIds: string[]): Promise<ClockRow[]> {
  if (!conversationIds.length) return [];
  // One array parameter rather than one per id: the chat's group commit asks for hundreds.
  return clocksOf(db, [shopId, conversationIds]);
}

/** Per metric: clocks met within target, and clocks breached, whose outcome fell in [from, to). */
export async function complianceCounts(db: Db, shopId: string, from: Date, to: Date) {
  const outcomeAt = sql`coalesce(${slaClocks.breachedAt}, ${slaClocks.metAt})`;
  return db
    .select({
      metric: slaClocks.metric,
      met: sql<number>`count(*) filter (where ${slaClocks.breachedAt} is null)`.mapWith(Number),
      breached: sql<number>`count(*) filter (where ${slaClocks.breachedAt} is not null)`.mapWith(Number),
    })
    .from(slaClocks)
    .where(and(eq(slaClocks.shopId, shopId), sql`${outcomeAt} >= ${from.toISOString()}`, sql`${outcomeAt} < ${to.toISOString()}`))
    .groupBy(slaClocks.metric);
}

export type SlaFilterState = 'ok' | 'at_risk' | 'breached' | 'none';

// A conversation's SLA state in SQL, from the summary of its open clocks that a trigger keeps
// on its row (conversations.sla_*, migration 0036), by the rules of clockState() in
// sla.machine.ts: the times count as well as the fired marks, since a timer may lag behind the
// inbox. At `now` as the service sees it, for the badge and the filter alike: the database's
// clock could put a row under one state's filter and show it with another's badge.
const at = (now: Date) => sql`${now.toISOString()}::timestamptz`;
const breachedAt = (c: SQL, now: Date) => sql`coalesce(${c}.sla_breached_from <= ${at(now)}, false)`;
const atRiskAt = (c: SQL, now: Date) => sql`coalesce(${c}.sla_at_risk_from <= ${at(now)}, false)`;

/**
 * A conversation's SLA badge, the JSON object a ConversationDto carries (`{"state":…,"dueAt":…}`):
 * the worst state over its open clocks ('none' when it has none) and the soonest due time among
 * them (ISO 8601, null when none), the same as summarizeClocks (sla.service.ts) at `now`. Read
 * from the row `c` of conversations itself (its sla_* columns), so a list's rows cost no look-up.
 */
export const slaBadgeJsonSql = (c: SQL, now: Date): SQL =>
  sql`(select row_to_json(b) from (select case when ${breachedAt(c, now)} then 'breached' when ${atRiskAt(c, now)} then 'at_risk' when ${c}.sla_open then 'ok' else 'none' end as "state",
      ${isoSql(sql`${c}.sla_due_at`)} as "dueAt") b)`;

/**
 * The next moment the badge of row `c` (slaBadgeJsonSql) changes with the clock alone: the
 * sooner of its at-risk and breach times still after `now` (null when neither is). A page kept
 * for later (conversations.pagecache.ts) is good until then.
 */
export const slaMomentSql = (c: SQL, now: Date): SQL =>
  sql`least(case when ${c}.sla_at_risk_from > ${at(now)} then ${c}.sla_at_risk_from end, case when ${c}.sla_breached_from > ${at(now)} then ${c}.sla_breached_from end)`;

/**
 * A WHERE condition on the conversations table for the inbox's SLA filter: the worst state
 * over the conversation's open clocks ('none' when it has no open clock), as its badge says it.
 *
 * @example db.select().from(conversations).where(and(eq(conversations.shopId, shopId), slaStateCondition('at_risk')))
 */
export function slaStateCondition(state: SlaFilterState, now = new Date()): SQL {
  const c = sql`${conversations}`;
  const breached = breachedAt(c, now);
  const atRisk = atRiskAt(c, now);
  switch (state) {
    case 'breached':
      return breached;
    case 'at_risk':
      return sql`(${atRisk} and not ${breached})`;
    case 'ok':
      return sql`(${conversations.slaOpen} and not ${atRisk} and not ${breached})`;
    case 'none':
      return sql`not ${conversations.slaOpen}`;
  }
}
