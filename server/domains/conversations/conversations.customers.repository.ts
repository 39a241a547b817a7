import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { customers, customerSessions } from './conversations.tables.ts';

/** The SQL of the shops' customers and their widget sessions; every statement is scoped by the shop. */

export type CustomerRow = typeof customers.$inferSelect;

export async function insertCustomer(db: Db, row: typeof customers.$inferInsert): Promise<CustomerRow> {
  const [c] = await db.insert(customers).values(row).returning();
  return c!;
}

/**
 * The verified customer with this shop-side id, created or refreshed with the details the
 * shop's server vouched for (a signed widget token, or its API key). Only those two callers
 * may call this: it rewrites the name and the address replies are mailed to.
 */
export async function upsertVerifiedCustomer(db: Db, row: { shopId: string; externalId: string; name: string; email: string | null; locale: string }): Promise<CustomerRow> {
  const [c] = await db
    .insert(customers)
    .values({ ...row, verified: true })
    .onConflictDoUpdate({
      target: [customers.shopId, customers.externalId],
      set: { name: row.name, email: row.email, verified: true, updatedAt: new Date() },
    })
    .returning();
  return c!;
}

/** The customer with this shop-side id, as it is; or a new unverified one holding the id until the shop's server vouches for it. */
export async function findOrInsertByExternalId(db: Db, row: { shopId: string; externalId: string; name: string; email: string }): Promise<CustomerRow> {
  const [made] = await db.insert(customers).values({ ...row, verified: false }).onConflictDoNothing({ target: [customers.shopId, customers.externalId] }).returning();
  if (made) return made;
  const [found] = await db.select().from(customers).where(and(eq(customers.shopId, row.shopId), eq(customers.externalId, row.externalId)));
  return found!;
}

/**
 * The shop's most recent customer with this address (stored lower-case). `unverifiedOnly`: a
 * contact that nobody vouched for and that holds no shop-side id, for callers whose address
 * proves nothing (a mail's From).
 */
export async function findCustomerByEmail(db: Db, shopId: string, email: string, opts: { unverifiedOnly?: boolean } = {}): Promise<CustomerRow | undefined> {
  const [c] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.shopId, shopId), eq(customers.email, email), ...(opts.unverifiedOnly ? [eq(customers.verified, false), isNull(customers.externalId)] : [])))
    .orderBy(desc(customers.createdAt))
    .limit(1);
  return c;
}

export async function findCustomer(db: Db, shopId: string, id: string): Promise<CustomerRow | undefined> {
  const [c] = await db.select().from(customers).where(and(eq(customers.shopId, shopId), eq(customers.id, id)));
  return c;
}

export async function insertCustomerSession(db: Db, row: typeof customerSessions.$inferInsert): Promise<void> {
  await db.insert(customerSessions).values(row);
}

export async function findCustomerSession(db: Db, shopId: string, id: string) {
  const [r] = await db
    .select({ session: customerSessions, customer: customers })
    .from(customerSessions)
    .innerJoin(customers, eq(customers.id, customerSessions.customerId))
    .where(and(eq(customerSessions.id, id), eq(customerSessions.shopId, shopId)));
  return r;
}

/**
 * Locks the shop's customer row until the transaction ends (a widget's resent "open" waits
 * for the first); answers whether the customer is the shop's.
 */
export async function lockCustomer(tx: Db, shopId: string, id: string): Promise<boolean> {
  const [c] = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.shopId, shopId), eq(customers.id, id)))
    .for('update');
  return Boolean(c);
}
