import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { shops } from '../shops/shops.tables.ts';
import { invitations } from './invitations.tables.ts';

export type InvitationRow = typeof invitations.$inferSelect;

const open = (now: Date) => and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

export async function insertInvitation(db: Db, row: typeof invitations.$inferInsert): Promise<InvitationRow> {
  const [created] = await db.insert(invitations).values(row).returning();
  return created!;
}

/** Revokes the open invitation of this email to this shop, if any (inviting again replaces it). */
export async function revokeOpenInvitation(db: Db, shopId: string, email: string, at: Date): Promise<void> {
  await db
    .update(invitations)
    .set({ revokedAt: at })
    .where(and(eq(invitations.shopId, shopId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
}

export async function listOpenInvitations(db: Db, shopId: string, now: Date): Promise<InvitationRow[]> {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.shopId, shopId), open(now)))
    .orderBy(invitations.createdAt);
}

export async function revokeInvitation(db: Db, shopId: string, id: string, at: Date): Promise<InvitationRow | undefined> {
  const [row] = await db
    .update(invitations)
    .set({ revokedAt: at })
    .where(and(eq(invitations.shopId, shopId), eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .returning();
  return row;
}

/**
 * An open invitation by its token hash, with its shop's name; the shop is not known before
 * the token is, so this lookup is the token's own scope.
 */
export async function findOpenInvitation(db: Db, tokenHash: string, now: Date, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select({ invitation: invitations, shopName: shops.name })
    .from(invitations)
    .innerJoin(shops, eq(shops.id, invitations.shopId))
    .where(and(eq(invitations.tokenHash, tokenHash), open(now)));
  const [row] = opts.forUpdate ? await q.for('update', { of: invitations }) : await q;
  return row;
}

export async function markAccepted(db: Db, shopId: string, id: string, userId: string, at: Date): Promise<void> {
  await db.update(invitations).set({ acceptedAt: at, acceptedBy: userId }).where(and(eq(invitations.shopId, shopId), eq(invitations.id, id)));
}
