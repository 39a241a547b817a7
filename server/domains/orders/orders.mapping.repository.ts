import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import type { SavedMapping } from './orders.csv.layout.ts';
import { orderImportMappings } from './orders.mapping.tables.ts';

export interface MappingRow extends SavedMapping {
  name: string | null;
  updatedAt: Date;
}

export async function findMapping(db: Db, shopId: string): Promise<MappingRow | null> {
  const [row] = await db
    .select({ name: orderImportMappings.name, columns: orderImportMappings.columns, defaults: orderImportMappings.defaults, updatedAt: orderImportMappings.updatedAt })
    .from(orderImportMappings)
    .where(eq(orderImportMappings.shopId, shopId));
  return row ?? null;
}

export async function saveMapping(db: Db, shopId: string, m: SavedMapping & { name: string | null }, userId: string | null): Promise<MappingRow> {
  const values = { name: m.name, columns: m.columns, defaults: m.defaults, updatedBy: userId };
  const [row] = await db
    .insert(orderImportMappings)
    .values({ shopId, ...values })
    .onConflictDoUpdate({ target: orderImportMappings.shopId, set: { ...values, updatedAt: sql`now()` } })
    .returning({ name: orderImportMappings.name, columns: orderImportMappings.columns, defaults: orderImportMappings.defaults, updatedAt: orderImportMappings.updatedAt });
  return row!;
}

export async function deleteMapping(db: Db, shopId: string): Promise<boolean> {
  const rows = await db.delete(orderImportMappings).where(eq(orderImportMappings.shopId, shopId)).returning({ shopId: orderImportMappings.shopId });
  return rows.length > 0;
}
