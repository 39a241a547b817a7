import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { conversations, customers } from '../../../server/domains/conversations/conversations.tables.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { listenerTopic, type ListenerName } from '../../../server/events/subscriptions.ts';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { Job } from 'bullmq';
import type { DomainEvent } from '../../../server/events/catalog.ts';
import { postReturnStep } from '../../../server/domains/returns/returns.chat.listener.ts';
import { remindToShip } from '../../../server/domains/returns/returns.jobs.ts';
import { returnRequests } from '../../../server/domains/returns/returns.tables.ts';
import { DEFERRED_MARK } from '../../helpers/smtp.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { ask, connected, widgetClient } from '../../helpers/sockets.ts';

interface Msg {
  kind: string;
  authorKind: string;
  authorName: string;
  body: string;
}

for (const kind of dbKinds) {
  describe(`[${kind}] a return's steps in the customer's chat`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    after(() => server.close());

    /** The customer writes to the shop first: an open conversation under the order's email. */
    async function chatOf(email: string): Promise<string> {
      const r = await d.platform.post(`/api/shops/${d.shop.id}/conversations`, { customer: { name: '田中 太郎', email }, message: { clientId: randomUUID(), body: '返品したいです' } });
      expect(r.status, r.text).to.equal(201);
      return r.body.id;
    }
    const messagesOf = async (conversationId: string): Promise<Msg[]> => (await d.owner.get(`/api/shops/${d.shop.id}/conversations/${conversationId}/messages`)).body.messages;

    it('posts each step that concerns the customer as a notice from the returns desk, once, stopping no SLA clock', async () => {
      const order = await pushOrder(d);
      const conversationId = await chatOf(order.email.toUpperCase());
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const first = await eventually(async () => (await messagesOf(conversationId)).filter((m) => m.kind === 'event').length >= 1 && (await messagesOf(conversationId)), 'the filing notice');
      const notice = first.find((m) => m.kind === 'event')!;
      expect(notice).to.include({ authorKind: 'system', authorName: '返品窓口 / Returns desk' });
      expect(notice.body).to.include(`R-${r.number}`).and.include('お申し込みを受け付けました').and.include('We have received your request');
      await moved(d.owner, d.shop.id, r.id, { event: 'approve', expectedStatus: 'needs_review' });
      const after = await eventually(async () => {
        const ms = await messagesOf(conversationId);
        return ms.some((m) => m.kind === 'event' && m.body.includes('承認しました')) && ms;
      }, 'the approval notice');
      // Filed and approved (awaiting the parcel) concern the customer; the review step itself does not.
      expect(after.filter((m) => m.kind === 'event')).to.have.length(2);
      const conv = await d.owner.get(`/api/shops/${d.shop.id}/conversations/${conversationId}`);
      // A notice is nobody's response: the first-response clock still waits for a person.
      expect(conv.body.firstResponseAt).to.equal(null);
    });

    it('keeps the listeners apart: a mail the customer’s server turns away for now (4xx) is retried on its own, and the chat notice is posted once', async () => {
      const email = `buyer-${randomUUID().slice(0, 8)}${DEFERRED_MARK}@example.jp`;
      const order = await pushOrder(d, { customer: { ...anOrder().customer, email } });
      const conversationId = await chatOf(email);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const rowOf = async (listener: ListenerName) => {
        const [row] = await server.database.db
          .select()
          .from(outbox)
          .where(and(eq(outbox.shopId, d.shop.id), eq(outbox.topic, listenerTopic('return.requested', listener)), sql`${outbox.createdAt} >= (select created_at from return_requests where id = ${r.id})`));
        return row!;
      };
      const mailRow = await rowOf('return-customer-mail');
      const job = jobIdFor(mailRow);
      // The mail's job fails and is tried again (BullMQ's second attempt), while the notice's job is done, once.
      await eventually(async () => ((await Job.fromId(server.service.jobs!.queue, job))?.attemptsMade ?? 0) >= 2, 'the deferred mail tried twice', 30_000);
      expect((await rowOf('return-chat-notice')).completedAt, 'the notice’s job completed').to.not.equal(null);
      const notices = (await messagesOf(conversationId)).filter((m) => m.kind === 'event' && m.body.includes(`R-${r.number}`));
      expect(notices, 'posted once, however often the mail is tried').to.have.length(1);
      expect(server.smtp.mails.filter((m) => m.to.includes(email)), 'nothing reached the busy mailbox').to.deep.equal([]);
    });

    it('posts a step said again (a reminder for a new send-by date) as a notice of its own, and a job run again for the same event once', async () => {
      const order = await pushOrder(d);
      const conversationId = await chatOf(order.email);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const approved = await moved(d.owner, d.shop.id, r.id, { event: 'approve', expectedStatus: 'needs_review' });
      const reminders = async () => (await messagesOf(conversationId)).filter((m) => m.kind === 'event' && m.body.includes('が近づいています'));
      const data = { shopId: d.shop.id, returnId: r.id };
      expect(await remindToShip(server.database.db, server.app.sink, data)).to.equal('reminded');
      await eventually(async () => (await reminders()).length === 1, 'the reminder notice');
      // The customer is given three more days: the reminder of the new date is another occurrence.
      await server.database.db.update(returnRequests).set({ shipBy: new Date(Date.parse(approved.shipBy) + 3 * 86_400_000) }).where(eq(returnRequests.id, r.id));
      expect(await remindToShip(server.database.db, server.app.sink, data)).to.equal('reminded');
      await eventually(async () => (await reminders()).length === 2, 'the reminder of the new date, in the chat too');
      // One job, run twice (a retry after its first run posted): one notice.
      const e: DomainEvent<'return.ship_reminder'> = { name: 'return.ship_reminder', id: randomUUID(), at: new Date().toISOString(), payload: { shopId: d.shop.id, returnId: r.id, number: r.number, status: 'awaiting_shipment' } };
      expect(await postReturnStep(server.app.chat, e)).to.equal('posted');
      expect(await postReturnStep(server.app.chat, e)).to.equal('duplicate');
      expect(await reminders()).to.have.length(3);
    });

    it('never posts into a widget chat whose visitor only typed the customer’s email (unverified)', async () => {
      const order = await pushOrder(d);
      const stranger = await newCustomer(server.url, d.shop.id, { name: '誰か', email: order.email });
      const w = widgetClient(server.url, d.shop.id, stranger.token);
      try {
        await connected(w);
        const { conversation } = await ask(w, 'conversation:open', {});
        await ask(w, 'message:send', { conversationId: conversation.id, clientId: randomUUID(), body: 'こんにちは' });
        const noticeJobs = () =>
          server.database.db
            .select({ completedAt: outbox.completedAt })
            .from(outbox)
            .where(and(eq(outbox.shopId, d.shop.id), eq(outbox.topic, listenerTopic('return.requested', 'return-chat-notice'))));
        const before = (await noticeJobs()).length;
        const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
        // The barrier: the chat-notice listener's job for the filing has run (its outbox row is
        // completed), so the notice was posted by now or never will be; the mail goes too.
        await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes(`R-${r.number}`));
        await eventually(async () => {
          const rows = await noticeJobs();
          return rows.length > before && rows.every((x) => x.completedAt !== null);
        }, 'the chat-notice job of the filing');
        expect((await messagesOf(conversation.id)).filter((m) => m.kind === 'event')).to.deep.equal([]);
      } finally {
        w.close();
      }
    });

    it('leaves the chat alone when the customer has no open conversation (the mail says it)', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes(`R-${r.number}`));
      // No conversation is opened for the notice.
      const opened = await server.database.db
        .select({ id: conversations.id })
        .from(conversations)
        .innerJoin(customers, eq(customers.id, conversations.customerId))
        .where(and(eq(conversations.shopId, d.shop.id), sql`lower(${customers.email}) = lower(${order.email})`));
      expect(opened).to.deep.equal([]);
    });
  });
}
