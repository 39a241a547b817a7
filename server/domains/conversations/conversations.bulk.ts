import { z } from 'zod';
import type { Actor } from '../../core/actor.ts';
import { isDomainError } from '../../core/errors.ts';
import { said } from '../../core/messages.ts';
import type { ConversationDto } from './conversations.dto.ts';
import { conversationDtos, updateConversationRow, viewerRole, type BulkOnly } from './conversations.inbox.ts';
import type { ConversationRow } from './conversations.repository.ts';
import { conversationId, tag } from './conversations.schema.ts';
import type { ChatDeps } from './conversations.service.ts';
import type { ConversationPatch } from './conversations.dto.ts';

/** How many conversations one bulk call may change: a page of the inbox, and a bounded request. */
export const BULK_MAX = 100;

export const bulkBody = z.strictObject({
  ids: z
    .array(conversationId)
    .min(1)
    .max(BULK_MAX, said(`一度に変更できるのは${BULK_MAX}件までです`, `at most ${BULK_MAX} conversations at a time`))
    // One answer per id asked: the same id twice would get one result, or be changed twice.
    .refine((ids) => new Set(ids).size === ids.length, said('同じ会話が2回指定されています。', 'each conversation once')),
  action: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('assign'), assigneeId: z.uuid().nullable() }),
    z.strictObject({ type: z.literal('tag'), tag }),
    z.strictObject({ type: z.literal('resolve') }),
  ]),
});
export type BulkBody = z.infer<typeof bulkBody>;

export type BulkResult =
  | { id: string; result: 'ok'; conversation: ConversationDto }
  | { id: string; result: 'not_found' | 'invalid_transition' | 'conflict' | 'invalid_input' | 'forbidden'; message: string };

const patchOf = (a: BulkBody['action']): ConversationPatch & BulkOnly =>
  a.type === 'assign' ? { assigneeId: a.assigneeId } : a.type === 'tag' ? { addTags: [a.tag] } : { status: 'resolved' };

/**
 * One action on several conversations of the inbox. Each one is changed on its own, by the same
 * path (and checks) as a single PATCH: its own transaction, status event, audit row and live
 * update, so one that cannot move (another shop's, closed, merged) fails alone and says so in
 * its result, and the others go through. Answers a result for every id, in the order asked.
 */
export async function bulkUpdate(deps: ChatDeps, actor: Actor, body: BulkBody, requestId?: string): Promise<{ results: BulkResult[] }> {
  const ids = body.ids;
  const patch = patchOf(body.action);
  const done = new Map<string, ConversationRow>();
  const failed = new Map<string, BulkResult>();
  for (const id of ids) {
    try {
      done.set(id, await updateConversationRow(deps, actor, id, patch, requestId));
    } catch (e) {
      // Anything but a refusal (the database went away) fails the call: what was done is done, each in its own commit.
      if (!isDomainError(e) || !['not_found', 'invalid_transition', 'conflict', 'invalid_input', 'forbidden'].includes(e.code)) throw e;
      failed.set(id, { id, result: e.code as 'not_found', message: e.message });
    }
  }
  const rows = [...done.values()];
  const dtos = rows.length ? await conversationDtos(deps.db, actor.shopId, rows, viewerRole(actor)) : [];
  const byId = new Map(rows.map((r, i) => [r.id, dtos[i]!]));
  return { results: ids.map((id) => failed.get(id) ?? { id, result: 'ok' as const, conversation: byId.get(id)! }) };
}
