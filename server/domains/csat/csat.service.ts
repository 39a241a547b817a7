import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { findConversationOfShop, insertRatingOnce, listRatings, ratingCounts } from './csat.repository.ts';

export interface RateInput {
  shopId: string;
  conversationId: string;
  customerId: string;
  rating: number;
  comment?: string | undefined;
}

const RATEABLE = new Set(['resolved', 'closed']);

/**
 * Records a customer's satisfaction rating (1–5, optional comment) for one of their own
 * conversations once it is resolved or closed.
 *
 * One rating per conversation and the first one wins: a second answer is 409, so a number
 * in a report never changes after the fact and a reopened-and-resolved ticket keeps the
 * rating the customer gave first. Another customer's conversation is 404, as if absent.
 */
export async function rateConversation(db: Db, sink: EventSink, input: RateInput) {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    throw new DomainError('invalid_input', 'rating must be a whole number from 1 to 5');
  }
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > 1000) throw new DomainError('invalid_input', 'comment must be at most 1000 characters');
  const conv = await findConversationOfShop(db, input.shopId, input.conversationId);
  if (!conv || conv.customerId !== input.customerId) throw notFound('conversation');
  if (!RATEABLE.has(conv.status)) {
    throw new DomainError('invalid_transition', 'この会話はまだ解決されていないため評価できません / this conversation can be rated once it is resolved', {
      status: conv.status,
    });
  }
  const row = await transact(db, sink, async (tx, out) => {
    const inserted = await insertRatingOnce(tx, { conversationId: conv.id, shopId: input.shopId, rating: input.rating, comment });
    if (inserted) out.emit('csat.received', { shopId: input.shopId, conversationId: conv.id, rating: inserted.rating });
    return inserted;
  });
  if (!row) throw conflict('この会話はすでに評価済みです / this conversation has already been rated');
  return { conversationId: row.conversationId, rating: row.rating, comment: row.comment, createdAt: row.createdAt.toISOString() };
}

export interface CsatSummary {
  count: number;
  /** Mean rating to two decimals; null when nobody rated in the range. */
  average: number | null;
  /** How many gave each rating, always all five keys. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

/**
 * Count, average and distribution of ratings given in [from, to); for the CSAT page and the
 * queue metrics.
 */
export async function csatSummary(db: Db, shopId: string, from: Date, to: Date): Promise<CsatSummary> {
  const distribution: CsatSummary['distribution'] = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let count = 0;
  let sum = 0;
  for (const { rating, count: n } of await ratingCounts(db, shopId, from, to)) {
    distribution[String(rating) as keyof typeof distribution] = n;
    count += n;
    sum += rating * n;
  }
  return { count, average: count ? Math.round((sum / count) * 100) / 100 : null, distribution };
}

/** A page of the newest ratings is enough to read; the summary counts all of them. */
const LIST_LIMIT = 500;

/** Ratings of [from, to), newest first, with the summary; for every member of the shop. */
export async function listCsat(db: Db, actor: Actor, from: Date, to: Date) {
  requireRole(actor, 'owner', 'staff', 'agent', 'contractor');
  const [rows, summary] = await Promise.all([listRatings(db, actor.shopId, from, to, LIST_LIMIT), csatSummary(db, actor.shopId, from, to)]);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    summary,
    ratings: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    truncated: summary.count > rows.length,
  };
}
