import type { z } from 'zod';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, invalidInput, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { roles } from '../shops/shops.tables.ts';
import { findShop, lockShop, updateShop } from '../shops/shops.repository.ts';
import { defaultCalendar, upcomingJpHolidays } from './sla.clock.ts';
import {
  deletePolicy,
  findBusinessHours,
  findPolicy,
  findPolicyForPriority,
  insertPolicy,
  listPolicies,
  updatePolicy,
  upsertBusinessHours,
  type PolicyRow,
} from './sla.repository.ts';
import { policyProblems, type businessHoursBody, type createPolicyBody, type updatePolicyBody } from './sla.schema.ts';

/** Business hours and SLA policies: owners change them, every member may read the hours. */

async function hoursView(db: Db, shopId: string) {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  const row = await findBusinessHours(db, shopId);
  const source = row ?? defaultCalendar;
  return {
    weekly: source.weekly,
    observeJpHolidays: source.observeJpHolidays,
    closedDates: [...source.closedDates],
    timeZone: shop.timezone,
    upcomingJpHolidays: upcomingJpHolidays(new Date(), shop.timezone, 5),
    isDefault: !row,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function getBusinessHours(db: Db, actor: Actor) {
  requireRole(actor, ...roles);
  return hoursView(db, actor.shopId);
}

/** Replaces the shop's hours (and its time zone when given); audited. */
export async function putBusinessHours(db: Db, actor: Actor, body: z.output<typeof businessHoursBody>, requestId?: string) {
  requireRole(actor, 'owner');
  return db.transaction(async (tx) => {
    const { timeZone, ...hours } = body;
    if (timeZone && !(await updateShop(tx, actor.shopId, { timezone: timeZone }))) throw notFound('shop');
    await upsertBusinessHours(tx, actor.shopId, hours);
    const summary = { observeJpHolidays: hours.observeJpHolidays, closedDates: hours.closedDates.length, ...(timeZone ? { timeZone } : {}) };
    await recordAudit(tx, actor, { action: 'business_hours.updated', objectType: 'shop', objectId: actor.shopId, summary }, requestId);
    return hoursView(tx, actor.shopId);
  });
}

export const policyView = (p: PolicyRow) => ({
  id: p.id,
  name: p.name,
  priority: p.priority as z.output<typeof createPolicyBody>['priority'],
  firstResponseMinutes: p.firstResponseMinutes,
  nextResponseMinutes: p.nextResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
  atRiskPercent: p.atRiskPercent,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export async function listSlaPolicies(db: Db, actor: Actor) {
  requireRole(actor, 'owner');
  return (await listPolicies(db, actor.shopId)).map(policyView);
}

function assertTargets(p: Parameters<typeof policyProblems>[0]): void {
  const problems = policyProblems(p);
  if (problems.length) throw invalidInput('body is not valid', problems.map((x) => ({ in: 'body', ...x })));
}

/** One policy per priority (and one default): the shop row is locked so two owners cannot race past the check. */
async function assertPriorityFree(tx: Db, shopId: string, priority: string | null, exceptId?: string): Promise<void> {
  await lockShop(tx, shopId);
  const existing = await findPolicyForPriority(tx, shopId, priority);
  if (existing && existing.id !== exceptId) {
    throw conflict(priority ? `the shop already has a policy for priority ${priority}` : 'the shop already has a default policy', { policyId: existing.id });
  }
}

const auditSummary = (p: PolicyRow) => ({
  name: p.name,
  priority: p.priority,
  firstResponseMinutes: p.firstResponseMinutes,
  nextResponseMinutes: p.nextResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
  atRiskPercent: p.atRiskPercent,
});

export async function createSlaPolicy(db: Db, actor: Actor, body: z.output<typeof createPolicyBody>, requestId?: string) {
  requireRole(actor, 'owner');
  assertTargets(body);
  return db.transaction(async (tx) => {
    await assertPriorityFree(tx, actor.shopId, body.priority);
    const row = await insertPolicy(tx, { ...body, shopId: actor.shopId });
    await recordAudit(tx, actor, { action: 'sla_policy.created', objectType: 'sla_policy', objectId: row.id, summary: auditSummary(row) }, requestId);
    return policyView(row);
  });
}

/** Changes apply to clocks started from now on; running clocks keep the target they began with. */
export async function updateSlaPolicy(db: Db, actor: Actor, id: string, body: z.output<typeof updatePolicyBody>, requestId?: string) {
  requireRole(actor, 'owner');
  return db.transaction(async (tx) => {
    const before = await findPolicy(tx, actor.shopId, id);
    if (!before) throw notFound('SLA policy');
    assertTargets({ ...before, ...body });
    if (body.priority !== undefined && body.priority !== before.priority) await assertPriorityFree(tx, actor.shopId, body.priority, id);
    // Deleted by someone else since it was read (the read takes no lock): gone, as for them.
    const row = await updatePolicy(tx, actor.shopId, id, body);
    if (!row) throw notFound('SLA policy');
    const changed = Object.keys(body).filter((k) => body[k as keyof typeof body] !== before[k as keyof PolicyRow]);
    await recordAudit(tx, actor, { action: 'sla_policy.updated', objectType: 'sla_policy', objectId: id, summary: { ...auditSummary(row), changed } }, requestId);
    return policyView(row);
  });
}

export async function deleteSlaPolicy(db: Db, actor: Actor, id: string, requestId?: string) {
  requireRole(actor, 'owner');
  return db.transaction(async (tx) => {
    const row = await deletePolicy(tx, actor.shopId, id);
    if (!row) throw notFound('SLA policy');
    await recordAudit(tx, actor, { action: 'sla_policy.deleted', objectType: 'sla_policy', objectId: id, summary: auditSummary(row) }, requestId);
  });
}
