import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { findOrderById } from '../orders/orders.repository.ts';
import { findShop } from '../shops/shops.repository.ts';
import { customerChoiceReasons, shopFaultReasons, type ReturnReason } from './returns.model.ts';
import type { PortalSession } from './returns.portal.auth.ts';
import { statusLabels, tokyoDateTime, yen } from './returns.portal.view.ts';
import { findReturnsOfOrder, takenQuantities } from './returns.repository.ts';
import type { FileReturnBody } from './returns.schema.ts';
import { termsInForce } from './returns.terms.ts';
import { reasonLabels } from './returns.terms.text.ts';
import { returnDeadline } from './returns.portal.customer.ts';

/**
 * What the portal's order page shows: each line with what is left to return, the customer's
 * requests so far, and the conditions the terms ask the customer to confirm.
 */
export async function portalOrder(db: Db, s: PortalSession, form?: Partial<FileReturnBody>, now = new Date()) {
  const [order, shop] = await Promise.all([findOrderById(db, s.shopId, s.orderId), findShop(db, s.shopId)]);
  if (!order || !shop) throw notFound('order');
  const [taken, returns, terms] = await Promise.all([takenQuantities(db, s.shopId, s.orderId), findReturnsOfOrder(db, s.shopId, s.orderId), termsInForce(db, s.shopId, order.orderedAt)]);
  const takenOf = new Map(taken.map((t) => [t.lineNo, t.quantity]));
  const chosen = new Map((form?.items ?? []).map((i) => [i.lineNo, i.quantity]));
  const lines = order.lines.map((l) => ({
    lineNo: l.lineNo,
    name: l.name,
    sku: l.sku,
    price: yen(l.unitPrice),
    // A push that lowered a line below what returns already took leaves nothing, never less.
    left: Math.max(0, l.quantity - (takenOf.get(l.lineNo) ?? 0)),
    // Nothing preselected: an empty box is "not this line", and the customer picks what to return.
    chosen: chosen.get(l.lineNo) ?? null,
  }));
  const reasonOption = (r: ReturnReason) => ({ value: r, ja: reasonLabels[r].ja, en: reasonLabels[r].en, selected: form?.reason === r });
  const c = terms.terms.conditions;
  const cond = [c.unopened && ['未開封・未使用', 'unopened and unused'], c.tagsAttached && ['タグ付き', 'tags attached']].filter(Boolean) as Array<[string, string]>;
  return {
    shopName: shop.name,
    order,
    lines,
    anyLeft: lines.some((l) => l.left > 0),
    deadline: returnDeadline(order, terms, now),
    reasonChosen: !!form?.reason,
    returns: returns.map((r) => ({ id: r.id, number: r.number, statusJa: statusLabels[r.status][0], statusEn: statusLabels[r.status][1], filed: tokyoDateTime(r.createdAt.toISOString()) })),
    // The shop's failures first and apart: a customer whose item is not as its page describes
    // it finds that choice before 「イメージと違う」, and it is judged as a defect claim.
    reasonGroups: [
      { ja: '商品やお届けに問題があった（送料は当店負担）', en: 'Something was wrong with the item or delivery (at our cost)', reasons: shopFaultReasons.map(reasonOption) },
      { ja: 'お客様のご都合', en: 'Your own choice', reasons: customerChoiceReasons.map(reasonOption) },
    ],
    conditions: cond.length
      ? { ja: `商品は${cond.map((x) => x[0]).join('・')}の状態です（返品の条件）`, en: `the item is ${cond.map((x) => x[1]).join(', ')} (a condition of the terms)` }
      : null,
  };
}
