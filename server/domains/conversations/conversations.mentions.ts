import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { membersAmong } from './conversations.assign.repository.ts';
import { insertMentionRows, listMentions, setMentionRead } from './conversations.mentions.repository.ts';
import type { MentionDto } from './conversations.dto.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { previewText } from './conversations.view.ts';

/** Records @mentions of an internal note; everyone mentioned must be a member of the shop. */
export async function insertMentions(tx: Db, c: ConversationRow, m: MessageRow, userIds: string[]): Promise<void> {
  const ids = [...new Set(userIds)];
  const found = await membersAmong(tx, c.shopId, ids);
  const known = new Set(found.map((f) => f.userId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new DomainError('invalid_input', 'only people of this shop can be mentioned', { unknown });
  await insertMentionRows(tx, c.shopId, ids.map((userId) => ({ userId, conversationId: c.id, messageId: m.id })));
}

/** The signed-in person's mentions, newest first, with where and by whom. */
export async function listMyMentions(db: Db, actor: Actor, unreadOnly: boolean): Promise<MentionDto[]> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'mentions belong to console users');
  const rows = await listMentions(db, actor.shopId, actor.userId, { unreadOnly, limit: 100 });
  return rows.map((r) => ({ id: r.id, conversationId: r.conversationId, number: r.number, messageId: r.messageId, by: r.by, excerpt: previewText(r.body), readAt: r.readAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

export async function markMentionRead(db: Db, actor: Actor, id: string): Promise<void> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'mentions belong to console users');
  if (!(await setMentionRead(db, actor.shopId, actor.userId, id, new Date()))) throw notFound('mention');
}
