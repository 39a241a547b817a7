import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../server/core/db/client.ts';
import { conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import type { TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { ask, cid, connected, widgetClient, type WidgetSocket } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';

/**
 * Shared steps of the queue suites: a customer who opens a chat from the widget, a message
 * from them, a ticket by API, and a peek at the stored row.
 */

export interface CustomerChat {
  w: WidgetSocket;
  conversationId: string;
  customer: { token: string; customer: { id: string; name: string } };
  email: string;
}

export async function customerChat(server: TestServer, shopId: string, who: { name?: string; email?: string } = {}): Promise<CustomerChat> {
  const email = who.email ?? `hanako-${cid().slice(0, 8)}@example.jp`;
  const customer = await newCustomer(server.url, shopId, { name: who.name ?? '山田 花子', email });
  const w = widgetClient(server.url, shopId, customer.token);
  await connected(w);
  const opened = await ask(w, 'conversation:open', {});
  expect(opened.ok, JSON.stringify(opened)).to.equal(true);
  return { w, conversationId: opened.conversation.id as string, customer, email };
}

/** A customer message through the widget; fails the test unless it is stored. */
export async function customerSays(chat: CustomerChat, body: string, conversationId = chat.conversationId) {
  const r = await ask(chat.w, 'message:send', { conversationId, clientId: cid(), body });
  expect(r.ok, JSON.stringify(r)).to.equal(true);
  return r.message as { id: string; seq: number; body: string };
}

/** A ticket opened by the shop's systems (or the console) with the customer's first message. */
export function openTicket(client: TestClient, shopId: string, fields: { name?: string; email?: string; externalId?: string; subject?: string; tags?: string[]; priority?: string; body?: string } = {}) {
  return client.post(`/api/shops/${shopId}/conversations`, {
    customer: { name: fields.name ?? '佐藤 一郎', email: fields.email ?? `ichiro-${cid().slice(0, 8)}@example.jp`, ...(fields.externalId ? { externalId: fields.externalId } : {}) },
    ...(fields.subject ? { subject: fields.subject } : {}),
    ...(fields.tags ? { tags: fields.tags } : {}),
    ...(fields.priority ? { priority: fields.priority } : {}),
    message: { clientId: cid(), body: fields.body ?? '注文した商品が届きません' },
  });
}

export async function storedConversation(db: Db, shopId: string, id: string) {
  const [row] = await db.select().from(conversations).where(and(eq(conversations.shopId, shopId), eq(conversations.id, id)));
  return row!;
}

/**
 * The result of the worker's next job of `topic` whose data passes `match`. Start waiting
 * before the action that schedules the job; completed jobs are not kept in Redis.
 */
export function nextJobResult(server: TestServer, topic: string, match: (data: Record<string, unknown>) => boolean, ms = 15_000): Promise<unknown> {
  const worker = server.service.jobs!.worker;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      worker.off('completed', listener);
      fail(new Error(`no ${topic} job completed within ${ms} ms`));
    }, ms);
    const listener = (job: { name: string; data: Record<string, unknown> }, result: unknown) => {
      if (job.name !== topic || !match(job.data)) return;
      clearTimeout(timer);
      worker.off('completed', listener);
      done(result);
    };
    worker.on('completed', listener);
  });
}

export const conversationPath = (shopId: string, id?: string) => `/api/shops/${shopId}/conversations${id ? `/${id}` : ''}`;
