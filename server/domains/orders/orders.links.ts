import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { conversationsNaming, orderIdOf, returnsOf } from './orders.links.repository.ts';
import { requireOrderReader } from './orders.service.ts';

/**
 * The mail sent about an order. Mail is recorded per message (DESIGN.md, Mail) but not yet
 * tied to orders; the issue that ties them fills this in, and the order page shows the
 * section once it answers a list instead of null.
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
