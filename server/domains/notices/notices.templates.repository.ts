import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import { users } from '../shops/shops.tables.ts';
import type { NoticeText, NoticeType } from './notices.types.ts';
import { noticeTemplates, noticeTemplateVersions } from './notices.templates.tables.ts';

export type NoticeTemplateRow = typeof noticeTemplates.$inferSelect;
export type NoticeVersionRow = typeof noticeTemplateVersions.$inferSelect;

export async function listTemplates(db: Db, shopId: string): Promise<NoticeTemplateRow[]> {
  return db.select().from(noticeTemplates).where(eq(noticeTemplates.shopId, shopId)).orderBy(asc(noticeTemplates.type), asc(noticeTemplates.name));
}

/** The newest version of each of the templates, by template id. */
export async function latestVersions(db: Db, shopId: string, templateIds: string[]): Promise<Map<string, NoticeVersionRow>> {
  if (!templateIds.length) return new Map();
  const rows = await db
    .selectDistinctOn([noticeTemplateVersions.templateId])
    .from(noticeTemplateVersions)
    .where(and(eq(noticeTemplateVersions.shopId, shopId), inArray(noticeTemplateVersions.templateId, templateIds)))
    .orderBy(noticeTemplateVersions.templateId, desc(noticeTemplateVersions.version));
  return new Map(rows.map((r) => [r.templateId, r]));
}

export async function findTemplate(db: Db, shopId: string, id: string): Promise<NoticeTemplateRow | undefined> {
  const [row] = await db.select().from(noticeTemplates).where(and(eq(noticeTemplates.shopId, shopId), eq(noticeTemplates.id, id)));
  return row;
}

/** Versions newest first, with the name of who saved each (null once that person is deleted). */
export async function listVersions(db: Db, shopId: string, templateId: string) {
  return db
    .select({ id: noticeTemplateVersions.id, version: noticeTemplateVersions.version, createdAt: noticeTemplateVersions.createdAt, createdBy: users.name, wording: noticeTemplateVersions.wording })
    .from(noticeTemplateVersions)
    .leftJoin(users, eq(users.id, noticeTemplateVersions.createdBy))
    .where(and(eq(noticeTemplateVersions.shopId, shopId), eq(noticeTemplateVersions.templateId, templateId)))
    .orderBy(desc(noticeTemplateVersions.version));
}

/** A version of this shop with its template's type; another shop's id finds nothing. */
export async function findVersion(db: Db, shopId: string, versionId: string): Promise<{ type: NoticeType; wording: NoticeText; templateId: string; version: number } | undefined> {
  const [row] = await db
    .select({ type: noticeTemplates.type, wording: noticeTemplateVersions.wording, templateId: noticeTemplateVersions.templateId, version: noticeTemplateVersions.version })
    .from(noticeTemplateVersions)
    .innerJoin(noticeTemplates, and(eq(noticeTemplates.id, noticeTemplateVersions.templateId), eq(noticeTemplates.shopId, shopId)))
    .where(and(eq(noticeTemplateVersions.shopId, shopId), eq(noticeTemplateVersions.id, versionId)));
  return row;
}

export async function insertTemplate(db: Db, row: { shopId: string; type: NoticeType; name: string; createdBy: string }): Promise<NoticeTemplateRow> {
  const [created] = await db.insert(noticeTemplates).values(row).returning();
  return created!;
}

export async function insertVersion(db: Db, row: { shopId: string; templateId: string; version: number; wording: NoticeText; createdBy: string }): Promise<NoticeVersionRow> {
  const [created] = await db.insert(noticeTemplateVersions).values(row).returning();
  return created!;
}

/** The order a preview is filled from: its customer's name and its number, matched by (shop, number). */
export async function findOrderForPreview(db: Db, shopId: string, orderNumber: string) {
  const [row] = await db
    .select({ id: orders.id, orderNumber: orders.orderNumber, orderedAt: orders.orderedAt, customerName: orders.customerName, carrier: orders.carrier, trackingNumber: orders.trackingNumber })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.orderNumber, orderNumber)));
  return row;
}
