import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { shops, users, type Role } from '../shops/shops.tables.ts';

/**
 * An owner's invitation to a shop, mailed to the person; only a SHA-256 of the token is kept,
 * and the owner never sees the token, so only whoever reads that mailbox can accept.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('invitations_shop_idx').on(t.shopId),
    // One open invitation per person and shop: inviting again replaces it.
    uniqueIndex('invitations_open_key').on(t.shopId, t.email).where(sql`accepted_at is null and revoked_at is null`),
    check('invitations_role_check', sql`${t.role} in ('owner', 'staff', 'agent', 'contractor')`),
  ],
);
