import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { systemTroubles } from './trouble.tables.ts';

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Notes one occurrence of trouble `key` for the shop, and answers whether it is time to tell the
 * shop: none told before, or the last alert `everyMs` or more before `now`. Two processes noting
 * at once take turns on the row (ON CONFLICT waits for the other's lock), so only one is told yes.
 */
export async function claimTroubleAlert(db: Db, shopId: string, key: string, now: Date, everyMs: number): Promise<boolean> {
  const due = sql`${systemTroubles.alertedAt} <= ${at(new Date(now.getTime() - everyMs))}`;
  const [row] = await db
    .insert(systemTroubles)
    .values({ shopId, key, alertedAt: now, notedAt: now, notes: 1 })
    .onConflictDoUpdate({
      target: [systemTroubles.shopId, systemTroubles.key],
      set: {
        notedAt: now,
        notes: sql`case when ${due} then 1 else ${systemTroubles.notes} + 1 end`,
        alertedAt: sql`case when ${due} then ${at(now)} else ${systemTroubles.alertedAt} end`,
      },
    })
    .returning({ alertedAt: systemTroubles.alertedAt, notes: systemTroubles.notes });
  // Told by this call: the row says now and counts this note alone (two calls in the same
  // millisecond both see `now`, but only the first leaves the count at 1).
  return row!.alertedAt.getTime() === now.getTime() && row!.notes === 1;
}

/** The record of trouble `key` for the shop (tests and the operator: when last told, how often noted since). */
export async function troubleOf(db: Db, shopId: string, key: string) {
  const [row] = await db.select().from(systemTroubles).where(and(eq(systemTroubles.shopId, shopId), eq(systemTroubles.key, key)));
  return row;
}
