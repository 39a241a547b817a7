import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { auditEvents } from './audit.tables.ts';

export type AuditRow = typeof auditEvents.$inferSelect;
export type NewAuditRow = typeof auditEvents.$inferInsert;

export interface AuditFilter {
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  to?: Date;
  /** Return rows with an id below this (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

export async function insertAudit(db: Db, rows: NewAuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await db.insert(auditEvents).values(rows.slice(i, i + 1000));
}

export async function listAudit(db: Db, shopId: string, f: AuditFilter): Promise<AuditRow[]> {
  const where: SQL[] = [eq(auditEvents.shopId, shopId)];
  if (f.actorId) where.push(eq(auditEvents.actorId, f.actorId));
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.objectType) where.push(eq(auditEvents.objectType, f.objectType));
  if (f.objectId) where.push(eq(auditEvents.objectId, f.objectId));
  if (f.from) where.push(gte(auditEvents.createdAt, f.from));
  if (f.to) where.push(lte(auditEvents.createdAt, f.to));
  if (f.before) where.push(lt(auditEvents.id, f.before));
  return db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(f.limit);
}
