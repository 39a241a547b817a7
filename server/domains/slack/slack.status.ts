import { and, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversationDtos } from '../conversations/conversations.inbox.ts';
import { conversations } from '../conversations/conversations.tables.ts';
import type { ConversationDto } from '../conversations/conversations.dto.ts';
import { maskAddressesIn } from '../orders/orders.mask.ts';
import { orders } from '../orders/orders.tables.ts';
import { returnRequests } from '../returns/returns.tables.ts';
import type { ReturnStatus } from '../returns/returns.model.ts';
import { slaStateCondition } from '../sla/sla.repository.ts';
import { shops } from '../shops/shops.tables.ts';
import { slackConnections, slackRoutes } from './slack.tables.ts';

/**
 * What `/madoguchi` tells a shop's people in Slack: the shop at a glance, one ticket, one
 * return. Contact data is masked as for a contractor (a Slack channel is not a place for
 * customers' addresses); names are kept.
 */
export interface ShopStatus {
  open: number;
  waitingMerchant: number;
  slaAtRisk: number;
  slaBreached: number;
  returnsWaiting: number;
  refundsFailed: number;
}

const active = ['open', 'pending', 'waiting_merchant'] as const;

export async function shopStatus(db: Db, shopId: string): Promise<ShopStatus> {
  const n = async (where: Parameters<typeof and>[0]) => (await db.select({ n: count() }).from(conversations).where(and(eq(conversations.shopId, shopId), where)))[0]!.n;
  const r = async (status: ReturnStatus) => (await db.select({ n: count() }).from(returnRequests).where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.status, status))))[0]!.n;
  const [open, waitingMerchant, slaAtRisk, slaBreached, returnsWaiting, refundsFailed] = await Promise.all([
    n(eq(conversations.status, 'open')),
    n(eq(conversations.status, 'waiting_merchant')),
    n(and(inArray(conversations.status, [...active]), slaStateCondition('at_risk'))),
    n(and(inArray(conversations.status, [...active]), slaStateCondition('breached'))),
    r('needs_review'),
    r('refund_failed'),
  ]);
  return { open, waitingMerchant, slaAtRisk, slaBreached, returnsWaiting, refundsFailed };
}

/** A ticket by its number, as a contractor would see it (masked), or undefined. */
export async function ticketSummary(db: Db, shopId: string, number: number): Promise<ConversationDto | undefined> {
  const [row] = await db.select().from(conversations).where(and(eq(conversations.shopId, shopId), eq(conversations.number, number)));
  if (!row) return undefined;
  const dto = (await conversationDtos(db, shopId, [row], 'contractor'))[0]!;
  return { ...dto, subject: maskAddressesIn(dto.subject), lastMessagePreview: maskAddressesIn(dto.lastMessagePreview) };
}

export interface ReturnSummary {
  number: number;
  status: ReturnStatus;
  kind: string;
  legalBasis: string;
  refundTotal: number;
  orderNumber: string;
  customerName: string;
  createdAt: Date;
}

/** A return by its number: no contact data (a return's view carries none), the customer's name only. */
export async function returnSummary(db: Db, shopId: string, number: number): Promise<ReturnSummary | undefined> {
  const [row] = await db
    .select({
      number: returnRequests.number,
      status: returnRequests.status,
      kind: returnRequests.kind,
      legalBasis: returnRequests.legalBasis,
      refundTotal: returnRequests.refundTotal,
      orderNumber: orders.orderNumber,
      customerName: orders.customerName,
      createdAt: returnRequests.createdAt,
    })
    .from(returnRequests)
    .innerJoin(orders, and(eq(orders.id, returnRequests.orderId), eq(orders.shopId, shopId)))
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.number, number)));
  return row;
}

/** Names of these shops, for a workspace that serves several. */
export async function shopNames(db: Db, shopIds: string[]): Promise<Array<{ id: string; name: string }>> {
  if (!shopIds.length) return [];
  return db.select({ id: shops.id, name: shops.name }).from(shops).where(inArray(shops.id, shopIds)).orderBy(shops.name);
}

/** Of these shops, those whose default channel or an alert's channel is `channelId`. */
export async function shopsOfChannel(db: Db, shopIds: string[], channelId: string): Promise<string[]> {
  if (!shopIds.length) return [];
  const [byDefault, byRoute] = await Promise.all([
    db.select({ id: slackConnections.shopId }).from(slackConnections).where(and(inArray(slackConnections.shopId, shopIds), eq(slackConnections.defaultChannelId, channelId))),
    db.select({ id: slackRoutes.shopId }).from(slackRoutes).where(and(inArray(slackRoutes.shopId, shopIds), eq(slackRoutes.channelId, channelId))),
  ]);
  return [...new Set([...byDefault, ...byRoute].map((r) => r.id))];
}

