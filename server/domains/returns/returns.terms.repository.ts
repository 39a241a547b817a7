import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { returnTermsVersions } from './returns.tables.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';

export type TermsRow = typeof returnTermsVersions.$inferSelect;

/** The version in force at `at`: the last one published by then. */
export async function findTermsAt(db: Db, shopId: string, at: Date): Promise<TermsRow | undefined> {
  const [row] = await db
    .select()
    .from(returnTermsVersions)
    .where(and(eq(returnTermsVersions.shopId, shopId), lte(returnTermsVersions.publishedAt, at)))
    .orderBy(desc(returnTermsVersions.version))
    .limit(1);
  return row;
}

export async function findTermsVersion(db: Db, shopId: string, version: number): Promise<TermsRow | undefined> {
  const [row] = await db
    .select()
    .from(returnTermsVersions)
    .where(and(eq(returnTermsVersions.shopId, shopId), eq(returnTermsVersions.version, version)));
  return row;
}

export async function listTermsVersions(db: Db, shopId: string): Promise<Array<Pick<TermsRow, 'version' | 'publishedAt' | 'publishedBy'>>> {
  return db
    .select({ version: returnTermsVersions.version, publishedAt: returnTermsVersions.publishedAt, publishedBy: returnTermsVersions.publishedBy })
    .from(returnTermsVersions)
    .where(eq(returnTermsVersions.shopId, shopId))
    .orderBy(desc(returnTermsVersions.version));
}

/** Appends the next version; two owners publishing at once get one success and one unique violation (409). */
export async function insertTermsVersion(db: Db, shopId: string, terms: ReturnTerms, publishedBy: string, publishedAt?: Date): Promise<TermsRow> {
  const [row] = await db
    .insert(returnTermsVersions)
    .values({
      shopId,
      terms,
      publishedBy,
      ...(publishedAt ? { publishedAt } : {}),
      version: sql`(select coalesce(max(${returnTermsVersions.version}), 0) + 1 from ${returnTermsVersions} where ${returnTermsVersions.shopId} = ${shopId})`,
    })
    .returning();
  return row!;
}
