import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { returnRequests } from '../../../server/domains/returns/returns.tables.ts';
import { expireUnshipped } from '../../../server/domains/returns/returns.jobs.ts';
import { moveReturn } from '../../../server/domains/returns/returns.transitions.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { fileReturn, filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

const DAY = 86_400_000;
const JST = 9 * 3_600_000;
/** The Asia/Tokyo date of an instant, as YYYY-MM-DD. */
const tokyoDate = (ms: number) => new Date(ms + JST).toISOString().slice(0, 10);
/** An instant given as a Tokyo date and time. */
const tokyo = (date: string, time: string) => new Date(`${date}T${time}+09:00`);

for (const kind of dbKinds) {
  describe(`[${kind}] the deadline to send a return back`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ shipWithinDays: 10 }));
    });
    after(() => server.close());

    const timers = (returnId: string) =>
      server.database.db
        .select({ topic: outbox.topic, runAt: outbox.runAt, dedupeKey: outbox.dedupeKey })
        .from(outbox)
        // Dispatched rows keep their dedupe key (the payload is emptied once BullMQ has it).
        .where(and(eq(outbox.shopId, d.shop.id), inArray(outbox.dedupeKey, [`return-remind:${returnId}`, `return-expire:${returnId}`])));

    it('sets the date to the end of the 10th day after approval (民法 §140/§141), a reminder at 9:00 three days before it and the expiry once it is over, on the outbox', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      expect(r.status).to.equal('awaiting_shipment');
      const shipBy = Date.parse(r.shipBy);
      // Approved today (the day not counted): the last day is today + 10, to its end, Asia/Tokyo.
      const lastDay = tokyoDate(Date.parse(r.createdAt) + 10 * DAY);
      expect(r.shipBy).to.equal(tokyo(lastDay, '23:59:59.999').toISOString());
      const rows = await timers(r.id);
      expect(rows.map((t) => [t.topic, t.runAt?.getTime(), t.dedupeKey]).sort()).to.deep.equal(
        [
          ['return.ship_expiry', shipBy + 1, `return-expire:${r.id}`],
          ['return.ship_reminder', tokyo(tokyoDate(shipBy - 3 * DAY), '09:00:00').getTime(), `return-remind:${r.id}`],
        ].sort(),
      );
    });

    it('takes a parcel sent in the evening of the last day the customer is told, and expires a return only once that day is over', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      const other = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      // The day the approval mail names is the day the machine's date ends.
      const shownDay = async (number: number) => {
        const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes(`R-${number} `) && m.text.includes('までに商品をご返送ください'));
        const [, y, mo, da] = /(\d{4})年(\d{1,2})月(\d{1,2})日までに商品をご返送ください/.exec(mail.text)!;
        return `${y}-${mo!.padStart(2, '0')}-${da!.padStart(2, '0')}`;
      };
      const day = await shownDay(r.number);
      expect(tokyoDate(Date.parse(r.shipBy))).to.equal(day);
      expect(await shownDay(other.number)).to.equal(tokyoDate(Date.parse(other.shipBy)));

      // 23:59 on that day: the expiry is not due (a timer early by clocks apart is retried), and the customer's parcel is taken.
      const evening = tokyo(day, '23:59:00');
      let early: unknown;
      await expireUnshipped(server.database.db, server.app.sink, { shopId: d.shop.id, returnId: r.id }, evening).catch((e: unknown) => (early = e));
      expect(early, 'not due on the last day').to.be.instanceOf(Error).and.not.have.property('code');
      const customer = { kind: 'customer' as const, shopId: d.shop.id, orderId: order.id, name: 'お客様' };
      const shipped = await moveReturn(server.database.db, customer, r.id, { event: 'ship', expectedStatus: 'awaiting_shipment', trackingNumber: '4455-6677-8899' }, { sink: server.app.sink, now: evening });
      expect(shipped).to.include({ status: 'in_transit', shippedAt: evening.toISOString() });

      // The other return: still not due at the day's last millisecond, expired at 0:00 of the next day.
      const otherDay = tokyoDate(Date.parse(other.shipBy));
      const data = { shopId: d.shop.id, returnId: other.id };
      early = undefined;
      await expireUnshipped(server.database.db, server.app.sink, data, tokyo(otherDay, '23:59:59.999')).catch((e: unknown) => (early = e));
      expect(early, 'not due at 23:59:59.999').to.be.instanceOf(Error);
      expect(await expireUnshipped(server.database.db, server.app.sink, data, new Date(tokyo(otherDay, '23:59:59.999').getTime() + 1))).to.equal('expired');
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${other.id}`)).body.status).to.equal('expired');
    });

    it('gives a return whose date was set before periods ran to the end of their day (approval time + N × 24 h) its whole last day: its early timer is armed again', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      expect(r.status).to.equal('awaiting_shipment');
      const day = tokyoDate(Date.parse(r.shipBy));
      // As the old rule stored it: 15:00 on that day, with its timer due then.
      const old = tokyo(day, '15:00:00');
      await server.database.db.update(returnRequests).set({ shipBy: old }).where(eq(returnRequests.id, r.id));
      const data = { shopId: d.shop.id, returnId: r.id };
      expect(await expireUnshipped(server.database.db, server.app.sink, data, new Date(old.getTime() + 1))).to.equal('rearmed');
      const end = new Date(tokyo(day, '23:59:59.999').getTime() + 1);
      const timers = await server.database.db.select().from(outbox).where(eq(outbox.dedupeKey, `return-expire:${r.id}:${end.getTime()}`));
      expect(timers.map((t) => t.runAt?.toISOString()), 'armed again for the end of the day').to.deep.equal([end.toISOString()]);
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.status, 'not expired at 15:00').to.equal('awaiting_shipment');
      expect(await expireUnshipped(server.database.db, server.app.sink, data, end)).to.equal('expired');
    });

    it('arms a reminder one day before the deadline for a short send-by window (3 days), and states it on the page', async () => {
      const short = await openDesk(server);
      await publish(short, someTerms({ shipWithinDays: 3 }));
      const order = await pushOrder(short);
      const r = await filed(short.owner, short.shop.id, { orderNumber: order.number });
      expect(r.status).to.equal('awaiting_shipment');
      const shipBy = Date.parse(r.shipBy);
      const rows = await server.database.db
        .select({ topic: outbox.topic, runAt: outbox.runAt })
        .from(outbox)
        .where(and(eq(outbox.shopId, short.shop.id), inArray(outbox.dedupeKey, [`return-remind:${r.id}`, `return-expire:${r.id}`])));
      const reminder = rows.find((t) => t.topic === 'return.ship_reminder');
      expect(reminder, 'a reminder on the outbox').to.not.equal(undefined);
      // The day before the last day (「期限の前日」), at 9:00 Tokyo time.
      expect(reminder!.runAt!.getTime()).to.equal(tokyo(tokyoDate(shipBy - DAY), '09:00:00').getTime());
      expect(reminder!.runAt!.getTime()).to.be.greaterThan(Date.parse(r.createdAt));
      const page = await short.owner.get(`/shops/${short.shop.id}/return-terms`);
      expect(page.text).to.include('承認後3日以内に商品をご返送ください（期限の前日にメールでお知らせします）');
    });

    it('expires a return with no parcel after the deadline, which frees its quantities, and retries one that fires early', async () => {
      const order = await pushOrder(d);
      // The cookies (1 × ¥864): approved by the rules, and nothing of the line is left to return meanwhile.
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      expect(r.status).to.equal('awaiting_shipment');
      const data = { shopId: d.shop.id, returnId: r.id };
      // Early (clocks apart): retried later, not dropped.
      let early: unknown;
      await expireUnshipped(server.database.db, server.app.sink, data, new Date(Date.parse(r.shipBy) - 1000)).catch((e: unknown) => (early = e));
      expect(early).to.be.instanceOf(Error).and.not.have.property('code');
      expect((await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] })).status).to.equal(400);
      expect(await expireUnshipped(server.database.db, server.app.sink, data, new Date(Date.parse(r.shipBy) + 1000))).to.equal('expired');
      const after = await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`);
      expect(after.body.status).to.equal('expired');
      expect(after.body.history.at(-1)).to.include({ event: 'expire', byKind: 'system' });
      expect((await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] })).status).to.equal(201);
      const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes(`R-${r.number}`) && m.text.includes('お申し込みを終了しました'));
      expect(mail.text).to.include('期限までにご返送を確認できなかったため');
    });

    it('leaves a return alone once its parcel is on the way', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      await moved(d.owner, d.shop.id, r.id, { event: 'ship', expectedStatus: 'awaiting_shipment', trackingNumber: '1234-5678-9012' });
      expect(await expireUnshipped(server.database.db, server.app.sink, { shopId: d.shop.id, returnId: r.id }, new Date(Date.parse(r.shipBy) + 1000))).to.equal('skipped');
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.status).to.equal('in_transit');
    });

    it('puts every status the rules move a filing through on the outbox, for the listeners of each', async () => {
      const fresh = await openDesk(server);
      await publish(fresh, someTerms());
      const order = await pushOrder(fresh);
      await filed(fresh.owner, fresh.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      const rows = await server.database.db.select({ topic: outbox.topic }).from(outbox).where(eq(outbox.shopId, fresh.shop.id));
      // (The Slack alerts' listeners too, `>slack-…`: their own tests are in test/integration/slack.)
      const topics = rows.map((r) => r.topic).filter((t) => t.startsWith('return.') && !t.includes('>slack-'));
      // Each event once per listener (its own job, key and failure record), and the timers.
      const each = (e: string) => [`${e}>return-chat-notice`, `${e}>return-customer-mail`];
      expect(topics.sort()).to.deep.equal([...each('return.approved'), ...each('return.awaiting_shipment'), ...each('return.requested'), 'return.ship_expiry', 'return.ship_reminder']);
    });

    it('refuses a payload that is not one of its own as a permanent failure', async () => {
      let error: unknown;
      try {
        await expireUnshipped(server.database.db, server.app.sink, { returnId: 'nope' });
      } catch (e) {
        error = e;
      }
      expect(error).to.have.property('code', 'invalid_input');
    });
  });
}
