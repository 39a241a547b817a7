import { z } from 'zod';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findOrder } from '../orders/orders.repository.ts';
import { orderNumber, type PaymentMethod } from '../orders/orders.schema.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { moneyOrderOf, refundMethodFor } from './returns.judge.ts';
import { refundLimitOf } from './returns.machine.ts';
import { computeRefusedDelivery } from './returns.money.refused.ts';
import type { PolicyResult } from './returns.policy.ts';
import type { ReturnDto } from './returns.schema.ts';
import { insertReturn, insertTransition, nextReturnNumber, takenQuantities } from './returns.repository.ts';
import { partyColumns } from './returns.parties.ts';
import { getReturnFor } from './returns.queries.ts';
import { snapshotOf } from './returns.snapshot.ts';
import { termsInForce } from './returns.terms.ts';

export const refusedDeliveryBody = z.strictObject({
  orderNumber,
  fault: z.enum(['customer', 'shop']).describe('shop: late, damaged or our mistake — everything goes back; customer: refused for no fault of the shop'),
  carrier: z.string().trim().min(1).max(64).optional(),
  trackingNumber: z.string().trim().regex(/^[A-Za-z0-9-]{4,40}$/, 'expected a tracking number of letters, digits and "-"').optional(),
  note: z.string().trim().min(1).max(2000).optional(),
});
export type RefusedDeliveryBody = z.output<typeof refusedDeliveryBody>;

/**
 * Records a refused delivery (受け取り拒否): the carrier brought the whole parcel back. Not a
 * cancellation and not a return the customer asked for: it starts as received, the refund is
 * the whole order less only what the terms charge a refusal that was not the shop's fault, and
 * a COD order (never paid) has nothing to refund and shows what is owed instead.
 */
export async function fileRefusedDelivery(db: Db, actor: Actor, body: RefusedDeliveryBody, opts: { sink: EventSink; requestId?: string; now?: Date }): Promise<ReturnDto> {
  // Any person of the shop, or the shop platform's key (its warehouse system sees the parcel come back).
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
  const created = await transact(db, opts.sink, async (tx, out) => {
    const order = await findOrder(tx, actor.shopId, body.orderNumber, { forUpdate: true });
    if (!order) throw notFound('order');
    if ((await takenQuantities(tx, actor.shopId, order.id)).length) throw conflict('this order already has a return; a refused delivery covers a whole parcel that never arrived');
    if (order.deliveredAt) throw new DomainError('conflict', 'this order is marked delivered; a refused parcel is one that was not', { path: ['orderNumber'] });
    const terms = await termsInForce(tx, actor.shopId, order.orderedAt);
    const refundMethod = refundMethodFor(order.paymentMethod as PaymentMethod);
    const refund = computeRefusedDelivery({
      order: moneyOrderOf(order),
      fault: body.fault,
      terms: terms.terms,
      refundMethod,
    });
    const basis = body.fault === 'shop' ? 'shop_error' : terms.version === null ? 'statutory' : 'terms';
    const charged = refund.deductions.length > 0;
    const words = body.fault === 'shop'
      ? { ja: '受け取り拒否（ショップ側の事情）: 全額を返金し、送料はショップ負担', en: 'refused delivery, the shop’s fault: everything is refunded and the shop pays the shipping' }
      : charged
        ? { ja: '受け取り拒否（お客様のご都合）: 返品特約により送料を差し引きます', en: 'refused delivery, no fault of the shop: the terms charge the shipping' }
        : { ja: '受け取り拒否（お客様のご都合）: 特約に定めがないため差し引きはありません', en: 'refused delivery, no fault of the shop: the terms charge nothing, so nothing is deducted' };
    const policy: PolicyResult = { basis, checks: [{ rule: 'shop_fault', ok: true, blocking: false, ...words }], eligible: true, autoApprove: false, reviewReasons: [], flags: [], windowEndsAt: null };
    const row = await insertReturn(
      tx,
      {
        shopId: order.shopId,
        number: await nextReturnNumber(tx, order.shopId),
        orderId: order.id,
        orderSnapshot: snapshotOf(order),
        kind: 'refused_delivery',
        reason: body.fault === 'shop' ? 'late_delivery' : 'changed_mind',
        legalBasis: basis,
        status: 'received',
        termsVersion: terms.version,
        comment: body.note ?? null,
        source: actor.kind === 'api_key' ? 'api' : 'console',
        refundMethod,
        returnLabelByShop: true,
        policy,
        refund,
        refundTotal: refund.total,
        refundLimit: refundLimitOf(terms.terms),
        feesIncluded: refund.feesIncluded,
        carrier: body.carrier ?? order.carrier,
        trackingNumber: body.trackingNumber ?? order.trackingNumber,
        receivedAt: opts.now ?? new Date(),
      },
      order.lines.map((l) => ({ orderLineId: l.id, lineNo: l.lineNo, quantity: l.quantity })),
    );
    const party = { kind: 'staff' as const, actor };
    await insertTransition(tx, { shopId: row.shopId, returnId: row.id, event: 'file', fromStatus: null, toStatus: 'received', ...partyColumns(party), reasonCode: null, note: body.note ?? null });
    await recordAudit(tx, actor, { action: 'return.refused_delivery', objectType: 'return', objectId: row.id, summary: { number: row.number, orderNumber: order.orderNumber, fault: body.fault } }, opts.requestId);
    const said = { shopId: row.shopId, returnId: row.id, number: row.number };
    out.emit('return.requested', { ...said, status: 'requested' });
    out.emit('return.received', { ...said, status: 'received' });
    return row;
  });
  return getReturnFor(db, { kind: 'staff', actor }, created.id);
}
