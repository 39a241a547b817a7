import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { conversationsNaming, orderIdOf, returnsOf } from './orders.links.repository.ts';
import { requireOrderReader } from './orders.service.ts';

/**
 * The mail sent about an order is in the mail log (server/domains/maillog), read with
 * `GET /api/shops/:shopId/mail-log?orderNumber=…` (masked and audited there); the order page
 * shows it from there. This field stays null so the links answer keeps its shape.
 */
export async function orderMailHistory(_db: Db, _shopId: string, _orderId: string): Promise<null> {
  return null;
}

/**
 * What points at an order: its conversations and returns, one query each, for the order page
 * to link to. Nothing personal beyond what the inbox and the returns list already show the viewer.
 */
export async function getOrderLinks(db: Db, actor: Actor, orderNumber: string) {
  requireOrderReader(actor);
  const orderId = await orderIdOf(db, actor.shopId, orderNumber);
  if (!orderId) throw notFound('order');
  const [convs, rets, mail] = await Promise.all([
    conversationsNaming(db, actor.shopId, orderNumber),
    returnsOf(db, actor.shopId, orderId),
    orderMailHistory(db, actor.shopId, orderId),
  ]);
  return {
    conversations: convs.map((c) => ({ ...c, updatedAt: c.updatedAt.toISOString() })),
    returns: rets.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    mail,
  };
}
