import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { memberships } from '../shops/shops.tables.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { mentions } from './conversations.tables.ts';

/** Records @mentions of an internal note; everyone mentioned must be a member of the shop. */
export async function insertMentions(tx: Db, c: ConversationRow, m: MessageRow, userIds: string[]): Promise<void> {
  const ids = [...new Set(userIds)];
  const found = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.shopId, c.shopId), inArray(memberships.userId, ids)));
  const known = new Set(found.map((f) => f.userId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new DomainError('invalid_input', 'only people of this shop can be mentioned', { unknown });
  await tx.insert(mentions).values(ids.map((userId) => ({ shopId: c.shopId, userId, conversationId: c.id, messageId: m.id })));
}
