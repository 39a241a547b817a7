import { z } from 'zod';
import { transact, type EventSink } from '../../events/commit.ts';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertWithinRefundLimit } from './returns.machine.ts';
import { returnStatuses, type ReturnStatus } from './returns.model.ts';
import { roleOf } from './returns.parties.ts';
import { findReturn, updateReturnIf } from './returns.repository.ts';
import { exchangeItemInput, type ReturnDto } from './returns.schema.ts';
import { viewOf } from './returns.queries.ts';
import { rejudge } from './returns.judge.ts';

export const exchangeItemsBody = z.strictObject({
  items: z.array(exchangeItemInput).min(1).max(50),
  expectedStatus: z.enum(returnStatuses).optional(),
});

/** Until the exchange is under way, the shop may say what the customer receives (another size, another product). */
const editable: ReturnStatus[] = ['needs_review', 'approved', 'awaiting_shipment', 'in_transit', 'received', 'inspected'];

/**
 * Sets the items an exchange sends out, and with them the difference either side pays,
 * computed again by the same code as every refund. A customer asks in the portal for "the same,
 * in another size"; the shop writes down what it really sends, at its price.
 */
export async function setExchangeItems(db: Db, actor: Actor, returnId: string, body: z.output<typeof exchangeItemsBody>, opts: { sink: EventSink; requestId?: string; now?: Date }): Promise<ReturnDto> {
  // Prices move money: the merchant, in-house agents and the shop's own systems, not contractors.
  if (actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'contractor')) throw new DomainError('forbidden', 'exchange items are set by the shop (owner, staff, an in-house agent) or its API key');
  await transact(db, opts.sink, async (tx, out) => {
    const r = await findReturn(tx, actor.shopId, returnId);
    if (!r) throw notFound('return');
    if (r.kind !== 'exchange') throw new DomainError('invalid_transition', 'only an exchange has items to send out');
    if (!editable.includes(r.status)) throw new DomainError('invalid_transition', `the exchange items cannot change once the return is ${r.status}`, { status: r.status });
    if (body.expectedStatus && body.expectedStatus !== r.status) throw conflict(`this return is now ${r.status}, not ${body.expectedStatus}; reload it`, { status: r.status });
    const j = await rejudge(tx, r, r.keepItem, opts.now ?? new Date(), body.items);
    assertWithinRefundLimit(roleOf({ kind: 'staff', actor }), { refundTotal: j.refund.total, refundLimit: r.refundLimit });
    const moved = await updateReturnIf(tx, actor.shopId, returnId, r.status, { exchangeItems: body.items, refund: j.refund, refundTotal: j.refund.total, feesIncluded: j.refund.feesIncluded });
    if (!moved) throw conflict('someone else moved this return meanwhile; reload it', { status: r.status });
    out.emit('return.updated', { shopId: actor.shopId, returnId: r.id, number: r.number, status: r.status });
    await recordAudit(tx, actor, { action: 'return.exchange_items_set', objectType: 'return', objectId: returnId, summary: { number: r.number, skus: body.items.map((i) => i.sku), difference: j.refund.exchange?.difference ?? 0 } }, opts.requestId);
  });
  const after = await findReturn(db, actor.shopId, returnId);
  return viewOf(db, { kind: 'staff', actor }, after!, { requestId: opts.requestId });
}
