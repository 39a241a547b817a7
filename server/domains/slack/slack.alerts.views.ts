import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, customers, messages } from '../conversations/conversations.tables.ts';
import { orders } from '../orders/orders.tables.ts';
import { noticeCampaigns } from '../notices/notices.campaigns.tables.ts';
import { mailLog } from '../maillog/maillog.tables.ts';
import { returnRequests, returnTransitions } from '../returns/returns.tables.ts';
import { shops, users } from '../shops/shops.tables.ts';

/**
 * What an alert shows, read when it is posted (or updated), as the shop's data is then. Only
 * what a contractor may see: the customer's name, never their email, phone or address (the
 * Block Kit builders mask free text too: bots/slack/blocks/mask.ts).
 */
export type AlertLocale = 'ja' | 'en';

export interface AlertLinks {
  /** The public address of the console. */
  baseUrl: string;
}

export interface ReturnAlertView {
  shopId: string;
  id: string;
  number: number;
  kind: string;
  reason: string;
  status: string;
  legalBasis: string;
  refundTotal: number;
  orderNumber: string;
  customerName: string;
  comment: string | null;
  reviewReasons: string[];
  /** The last move a person made: who, to what, when. */
  lastMove: { to: string; by: string; at: Date; note: string | null } | null;
  url: string;
}

export interface ConversationAlertView {
  shopId: string;
  id: string;
  number: number;
  status: string;
  subject: string | null;
  customerName: string;
  assigneeName: string | null;
  url: string;
}

export interface NoticeAlertView {
  shopId: string;
  id: string;
  name: string;
  type: string;
  url: string;
  /** Its mails that came back as bounces so far (DSNs arrive after the sending ends). */
  bounced: number;
}

export async function shopLocale(db: Db, shopId: string): Promise<AlertLocale> {
  const [row] = await db.select({ locale: shops.locale }).from(shops).where(eq(shops.id, shopId));
  return row?.locale === 'en' ? 'en' : 'ja';
}

const consoleUrl = (links: AlertLinks, path: string) => `${links.baseUrl.replace(/\/$/, '')}/console/shops/${path}`;

export async function returnAlertView(db: Db, links: AlertLinks, shopId: string, returnId: string): Promise<ReturnAlertView | undefined> {
  const [r] = await db
    .select({ r: returnRequests, orderNumber: orders.orderNumber, customerName: orders.customerName })
    .from(returnRequests)
    .innerJoin(orders, eq(orders.id, returnRequests.orderId))
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.id, returnId)));
  if (!r) return undefined;
  const [move] = await db
    .select()
    .from(returnTransitions)
    // The last move a person made (approved, rejected…), not madoguchi's own step after it (asking for the parcel).
    .where(and(eq(returnTransitions.shopId, shopId), eq(returnTransitions.returnId, returnId), ne(returnTransitions.actorKind, 'system')))
    .orderBy(desc(returnTransitions.createdAt))
    .limit(1);
  return {
    shopId,
    id: r.r.id,
    number: r.r.number,
    kind: r.r.kind,
    reason: r.r.reason,
    status: r.r.status,
    legalBasis: r.r.legalBasis,
    refundTotal: r.r.refundTotal,
    orderNumber: r.orderNumber,
    customerName: r.customerName,
    comment: r.r.comment,
    reviewReasons: r.r.reviewReasons,
    lastMove: move && move.event !== 'file' ? { to: move.toStatus, by: move.actorName, at: move.createdAt, note: move.note } : null,
    url: consoleUrl(links, `${shopId}/returns/${returnId}`),
  };
}

export async function conversationAlertView(db: Db, links: AlertLinks, shopId: string, conversationId: string): Promise<ConversationAlertView | undefined> {
  const [c] = await db
    .select({ c: conversations, customerName: customers.name, assigneeName: users.name })
    .from(conversations)
    .innerJoin(customers, eq(customers.id, conversations.customerId))
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)));
  if (!c) return undefined;
  return {
    shopId,
    id: c.c.id,
    number: c.c.number,
    status: c.c.status,
    subject: c.c.subject,
    customerName: c.customerName,
    assigneeName: c.assigneeName ?? null,
    url: consoleUrl(links, `${shopId}/conversations/${conversationId}`),
  };
}

/** One message of a conversation (the merchant's question is an internal note). */
export async function messageBody(db: Db, shopId: string, conversationId: string, messageId: string): Promise<{ body: string; authorName: string } | undefined> {
  const [m] = await db
    .select({ body: messages.body, authorName: messages.authorName })
    .from(messages)
    .where(and(eq(messages.shopId, shopId), eq(messages.conversationId, conversationId), eq(messages.id, messageId)));
  return m;
}

export async function noticeAlertView(db: Db, links: AlertLinks, shopId: string, campaignId: string): Promise<NoticeAlertView | undefined> {
  const [n] = await db
    .select({ id: noticeCampaigns.id, name: noticeCampaigns.name, type: noticeCampaigns.type })
    .from(noticeCampaigns)
    .where(and(eq(noticeCampaigns.shopId, shopId), eq(noticeCampaigns.id, campaignId)));
  if (!n) return undefined;
  const [b] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.campaignId, campaignId), eq(mailLog.status, 'bounced')));
  return { shopId, ...n, url: consoleUrl(links, `${shopId}/notices/${campaignId}`), bounced: b?.n ?? 0 };
}

/** A `system.trouble` event as its alert shows it: what fails, since when, how many, and the console's pages to look at. */
export interface TroubleAlertView {
  kind: 'jobs_failing' | 'dependency_down';
  dependency: 'mail' | 'database' | 'redis' | null;
  /** The failed job's topic (`return.requested>return-customer-mail`). */
  topic: string | null;
  count: number;
  since: string;
  until: string | null;
  /** The page of the object the failed job was about, if it named one. */
  objectUrl: string | null;
  /** The shop's mail log, at the mail the trouble concerns (deferred, or failed). */
  mailLogUrl: string;
}

const objectPaths = { return: 'returns', conversation: 'conversations', notice: 'notices' } as const;

/** Read from the event alone: trouble names no personal data, and its object may be what failed to load. */
export function troubleAlertView(links: AlertLinks, shopId: string, ev: Record<string, unknown>): TroubleAlertView {
  const object = ev.object as { type?: keyof typeof objectPaths; id?: string } | undefined;
  const path = object?.type && objectPaths[object.type];
  const dependency = ev.dependency === 'mail' || ev.dependency === 'database' || ev.dependency === 'redis' ? ev.dependency : null;
  return {
    kind: ev.kind === 'dependency_down' ? 'dependency_down' : 'jobs_failing',
    dependency,
    topic: typeof ev.topic === 'string' ? ev.topic : null,
    count: Number(ev.count) || 0,
    since: String(ev.since),
    until: typeof ev.until === 'string' ? ev.until : null,
    objectUrl: path && object.id ? consoleUrl(links, `${shopId}/${path}/${object.id}`) : null,
    mailLogUrl: consoleUrl(links, `${shopId}/mail-log?status=${dependency === 'mail' ? 'deferred' : 'failed'}`),
  };
}
