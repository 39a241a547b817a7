import { expect } from 'chai';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { SHIP_REMINDER_TOPIC } from '../../../server/domains/returns/returns.timers.ts';
import { expireUnshipped, remindToShip } from '../../../server/domains/returns/returns.jobs.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { daysAgo, fileReturn, filed, move, moved, openDesk, previewReturn, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

const HOUR = 3_600_000;

/**
 * A cancellation takes effect when it reaches the shop (到達主義, 民法 §97), and once made it
 * stands (民法 §540②). A person filing on the customer's behalf records when the notice came;
 * the window is judged at that time. A statutory cancellation does not expire while the shop
 * waits for the parcel, and is never refused as "window passed" when the customer asks again.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] when a cancellation reached the shop, and that it stands`, () => {
    let server: TestServer;
    /** No terms: the statutory 8 days. */
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
    });
    after(() => server.close());

    /** Delivered 8 days ago, so today is day 9 and yesterday was day 8 (the delivery day is day 1). */
    const day9 = () => pushOrder(d, { orderedAt: daysAgo(10), shippedAt: daysAgo(9), deliveredAt: daysAgo(8) });

    it('accepts a notice that came by phone on day 8 and is recorded on day 9, judged and audited at the time it came', async () => {
      const order = await day9();
      const late = await fileReturn(d.as.contractor, d.shop.id, { orderNumber: order.number });
      expect(late.status, 'recorded as if it came today: outside the 8 days').to.equal(400);

      const noticeReceivedAt = new Date(Date.now() - 24 * HOUR).toISOString();
      const preview = await previewReturn(d.as.contractor, d.shop.id, { orderNumber: order.number, noticeReceivedAt, noticeChannel: 'phone' });
      expect(preview.body).to.include({ eligible: true, noticeAt: noticeReceivedAt });
      const r = await filed(d.as.contractor, d.shop.id, { orderNumber: order.number, noticeReceivedAt, noticeChannel: 'phone' });
      expect(r).to.include({ legalBasis: 'statutory', status: 'needs_review', noticeAt: noticeReceivedAt, noticeChannel: 'phone', source: 'console' });
      expect(r.reviewReasons).to.include('notice_recorded_later');
      const window = r.policy.checks.find((c: { rule: string }) => c.rule === 'window');
      expect(window).to.include({ ok: true, blocking: true });
      expect(r.policy.checks.find((c: { rule: string }) => c.rule === 'notice').ja).to.include('担当者が記録');

      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${r.id}`);
      const filing = audit.body.events.find((e: { action: string }) => e.action === 'return.filed');
      expect(filing.summary).to.include({ noticeReceivedAt, noticeChannel: 'phone' });
      expect(filing.actorLabel).to.include(d.shop.people.contractor.name);
    });

    it('refuses a notice time in the future, one before the order, and a time without how the notice came, writing nothing', async () => {
      const order = await day9();
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['in the future', { noticeReceivedAt: new Date(Date.now() + 2 * HOUR).toISOString(), noticeChannel: 'email' }, 'noticeReceivedAt'],
        ['before the order', { noticeReceivedAt: daysAgo(11), noticeChannel: 'email' }, 'noticeReceivedAt'],
        ['without the channel', { noticeReceivedAt: daysAgo(1) }, 'noticeChannel'],
        ['not a time', { noticeReceivedAt: '8日の夜', noticeChannel: 'chat' }, 'noticeReceivedAt'],
      ];
      for (const [what, extra, path] of cases) {
        const r = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, ...extra });
        expect(r.status, `${what}: ${r.text}`).to.equal(400);
        const paths = Array.isArray(r.body.error.details) ? r.body.error.details.map((x: { path: string }) => x.path) : [r.body.error.details.path.join('.')];
        expect(paths, what).to.include(path);
      }
      const list = await d.owner.get(`/api/shops/${d.shop.id}/returns?status=needs_review,requested`);
      expect(list.body.returns.map((x: { orderNumber: string }) => x.orderNumber)).not.to.include(order.number);
    });

    it('never expires a statutory cancellation waiting for its parcel: no expiry timer, the old timer skips it, and the customer is told the date is a guide', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const approved = await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
      expect(approved).to.include({ status: 'awaiting_shipment', shipByIsDeadline: false });
      expect(approved.allowedEvents).not.to.include('expire');
      const timers = await server.database.db
        .select({ topic: outbox.topic })
        .from(outbox)
        .where(and(eq(outbox.shopId, d.shop.id), inArray(outbox.dedupeKey, [`return-remind:${r.id}`, `return-expire:${r.id}`])));
      expect(timers.map((t) => t.topic)).to.deep.equal(['return.ship_reminder']);
      // A timer armed before this change still fires: it leaves the return as it is.
      expect(await expireUnshipped(server.database.db, server.app.sink, { shopId: d.shop.id, returnId: r.id }, new Date(Date.parse(approved.shipBy) + HOUR))).to.equal('skipped');
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.status).to.equal('awaiting_shipment');
      const mail = await eventually(async () => server.smtp.mails.find((m) => m.to.includes(order.email) && m.text.includes('お申し込みを承認しました')), 'the approval mail');
      expect(mail.text).to.include('を目安に商品をご返送ください').and.include('取り消されません').and.not.include('お申し込みは終了します');
      // The parcel comes late: the shop receives it and refunds as usual.
      await moved(d.owner, d.shop.id, r.id, { event: 'receive' });
    });

    it('says a reminder once however often its timer runs, even after the first run’s jobs are done and gone from Redis', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const approved = r.status === 'awaiting_shipment' ? r : await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
      expect(approved.status).to.equal('awaiting_shipment');
      const data = { shopId: d.shop.id, returnId: r.id };
      // Twice at once (a stalled job run again while the first still runs), then once more after the mail went.
      expect(await Promise.all([remindToShip(server.database.db, server.app.sink, data), remindToShip(server.database.db, server.app.sink, data)])).to.deep.equal(['reminded', 'reminded']);
      await eventually(async () => server.smtp.mails.some((m) => m.to.includes(order.email) && m.text.includes('が近づいています')), 'the reminder mail');
      expect(await remindToShip(server.database.db, server.app.sink, data)).to.equal('reminded');
      const key = `ev-remind-${r.id}-${Date.parse(approved.shipBy)}-return-customer-mail`;
      const rows = await server.database.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.dedupeKey, key));
      expect(rows, 'one mail job for the reminder').to.have.length(1);
      // The barrier: that one job is finished, so a second mail would have been written by now.
      await eventually(async () => (await server.database.db.select({ c: outbox.completedAt }).from(outbox).where(eq(outbox.dedupeKey, key)))[0]?.c != null, 'the reminder job done');
      expect(server.smtp.mails.filter((m) => m.to.includes(order.email) && m.text.includes('が近づいています'))).to.have.length(1);
    });

    it('reminds a statutory cancellation and a defect claim of a date to aim for (目安), never of a deadline that ends the request', async () => {
      for (const reason of ['changed_mind', 'defective'] as const) {
        const order = await pushOrder(d);
        const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason });
        const approved = r.status === 'awaiting_shipment' ? r : await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
        expect(approved.shipByIsDeadline).to.equal(false);
        // The reminder's timer, due now rather than in weeks.
        await server.database.db.transaction((tx) => enqueue(tx, { shopId: d.shop.id, topic: SHIP_REMINDER_TOPIC, payload: { returnId: r.id } }));
        server.app.chat.poke();
        const mail = await eventually(async () => server.smtp.mails.find((m) => m.to.includes(order.email) && m.text.includes('が近づいています')), `the reminder of a ${reason} return`);
        expect(mail.subject).to.include('目安日のお知らせ').and.not.include('期限');
        expect(mail.text).to.include('ご返送の目安日が近づいています').and.include('を目安に商品をご返送ください').and.include('取り消されません');
        expect(mail.text).not.to.include('期限').and.not.include('deadline').and.not.include('お申し込みは終了します');
      }
    });

    it('lets the shop cancel a statutory cancellation or a defect claim only as a record of the customer’s own withdrawal: when, how and a note, audited, and mailed as such', async () => {
      for (const reason of ['changed_mind', 'defective'] as const) {
        const order = await pushOrder(d);
        const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason });
        const waiting = r.status === 'awaiting_shipment' ? r : await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
        expect(waiting).to.include({ cancelRecordsWithdrawal: true });
        expect(waiting.allowedEvents).to.include('cancel');

        const bare = await move(d.as.agent, d.shop.id, r.id, { event: 'cancel' });
        expect(bare.status, bare.text).to.equal(409);
        expect(bare.body.error.code).to.equal('invalid_transition');
        expect(bare.body.error.details.required).to.deep.equal(['withdrawalReceivedAt', 'withdrawalChannel', 'note']);
        expect(bare.body.error.details.say.ja).to.include('当店の判断で取り消すことはできません');
        expect(bare.body.error.details.say.en).to.include('cannot cancel it');
        const at = new Date();
        const withdrawalReceivedAt = at.toISOString();
        const noNote = await move(d.as.agent, d.shop.id, r.id, { event: 'cancel', withdrawalReceivedAt, withdrawalChannel: 'phone' });
        expect(noNote.status, noNote.text).to.equal(409);
        const refused: Array<[string, Record<string, unknown>, string]> = [
          ['a time without the channel', { withdrawalReceivedAt, note: '電話で取り消し' }, 'withdrawalChannel'],
          ['a time in the future', { withdrawalReceivedAt: new Date(Date.now() + 2 * HOUR).toISOString(), withdrawalChannel: 'phone', note: '電話で取り消し' }, 'withdrawalReceivedAt'],
          ['a time before the request came', { withdrawalReceivedAt: new Date(Date.parse(r.noticeAt) - HOUR).toISOString(), withdrawalChannel: 'phone', note: '電話で取り消し' }, 'withdrawalReceivedAt'],
        ];
        for (const [what, extra, path] of refused) {
          const x = await move(d.as.agent, d.shop.id, r.id, { event: 'cancel', ...extra });
          expect(x.status, `${what}: ${x.text}`).to.equal(400);
          expect(JSON.stringify(x.body.error.details), what).to.include(path);
        }
        expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.status, 'nothing moved').to.equal('awaiting_shipment');

        const canceled = await moved(d.as.agent, d.shop.id, r.id, { event: 'cancel', withdrawalReceivedAt, withdrawalChannel: 'phone', note: 'お客様より電話で、不要になったので取り消したいとのこと' });
        expect(canceled).to.include({ status: 'canceled', withdrawalReceivedAt, withdrawalChannel: 'phone' });
        const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${r.id}`);
        const cancel = audit.body.events.find((e: { action: string }) => e.action === 'return.cancel');
        expect(cancel.summary.withdrawal).to.deep.equal({ receivedAt: withdrawalReceivedAt, channel: 'phone', note: 'お客様より電話で、不要になったので取り消したいとのこと' });
        expect(cancel.actorLabel).to.include(d.shop.people.agent.name);

        const mail = await eventually(async () => server.smtp.mails.find((m) => m.to.includes(order.email) && m.text.includes('取り消し') && m.subject.includes(`R-${r.number}`) && m.subject.includes('承りました')), 'the withdrawal mail');
        const jaWhen = at.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
        expect(mail.text).to.include(`${jaWhen}にお電話でいただいたお申し込み取り消しのご連絡を、当店で記録しました。`).and.include('reached us by phone on');
        expect(mail.text).not.to.include('お申し込みを取り消しました。').and.not.include('Your request has been withdrawn.');
      }
    });

    it('takes a withdrawal typed in the minute the request came (forms take minutes), recorded as no earlier than the request', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'defective' });
      const minute = new Date(Math.floor(Date.parse(r.noticeAt) / 60_000) * 60_000).toISOString();
      const canceled = await moved(d.as.agent, d.shop.id, r.id, { event: 'cancel', withdrawalReceivedAt: minute, withdrawalChannel: 'phone', note: '電話で取り消し' });
      expect(canceled).to.include({ status: 'canceled', withdrawalReceivedAt: r.noticeAt });
      const other = await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number, reason: 'defective' });
      const early = await move(d.as.agent, d.shop.id, other.id, { event: 'cancel', withdrawalReceivedAt: new Date(Math.floor(Date.parse(other.noticeAt) / 60_000) * 60_000 - 1000).toISOString(), withdrawalChannel: 'phone', note: '電話で取り消し' });
      expect(early.status, `the minute before the request: ${early.text}`).to.equal(400);
    });

    it('keeps a cancel of a return under the shop’s own terms as it was: no record needed', async () => {
      const shop = await openDesk(server);
      await publish(shop, someTerms());
      const order = await pushOrder(shop);
      const r = await filed(shop.owner, shop.shop.id, { orderNumber: order.number });
      expect(r).to.include({ legalBasis: 'terms', cancelRecordsWithdrawal: false });
      expect((await moved(shop.as.agent, shop.shop.id, r.id, { event: 'cancel' })).status).to.equal('canceled');
      const mail = await eventually(async () => server.smtp.mails.find((m) => m.to.includes(order.email) && m.text.includes('お申し込みを取り消しました。')), 'the cancel mail');
      expect(mail.text).to.include('Your request has been withdrawn.');
    });

    it('judges a new request for the items of a statutory cancellation that expired under the old rule at that first notice', async () => {
      const order = await pushOrder(d, { orderedAt: daysAgo(12), shippedAt: daysAgo(11), deliveredAt: daysAgo(10) });
      // Filed on day 5 by mail; approved; then expired by the timer as the old code did.
      const first = await filed(d.owner, d.shop.id, { orderNumber: order.number, noticeReceivedAt: daysAgo(6), noticeChannel: 'email' });
      await moved(d.owner, d.shop.id, first.id, { event: 'approve' });
      await server.database.db.execute(sql`update return_requests set status = 'expired' where id = ${first.id}`);

      const again = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number });
      expect(again.status, again.text).to.equal(201);
      expect(again.body.noticeAt).to.equal(first.noticeAt);
      expect(again.body.reviewReasons).to.include('earlier_notice');
      expect(again.body.policy.checks.find((c: { rule: string }) => c.rule === 'notice').ja).to.include(`R-${first.number}`);
      // Other items were never in that notice: for them the 8 days are over.
      expect((await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] })).status).to.equal(400);
    });

    it('judges a new request for the items of a rejected statutory request at that first notice, not at the day it is filed again', async () => {
      const order = await pushOrder(d, { orderedAt: daysAgo(12), shippedAt: daysAgo(11), deliveredAt: daysAgo(10) });
      // Filed by phone on day 7, inside the 8 days; the shop rejects it (its items are free again).
      const first = await filed(d.owner, d.shop.id, { orderNumber: order.number, noticeReceivedAt: daysAgo(4), noticeChannel: 'phone' });
      expect(first).to.include({ legalBasis: 'statutory', status: 'needs_review' });
      await moved(d.as.staff, d.shop.id, first.id, { event: 'reject', reasonCode: 'suspected_abuse', note: 'ご本人確認ができませんでした' });

      // Asked again on day 11: judged at the notice that reached the shop on day 7, so inside the window.
      const again = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number });
      expect(again.status, again.text).to.equal(201);
      expect(again.body.noticeAt).to.equal(first.noticeAt);
      expect(again.body.reviewReasons).to.include('earlier_notice');
      expect(again.body.policy.checks.find((c: { rule: string }) => c.rule === 'window')).to.include({ ok: true });
      expect(again.body.policy.checks.find((c: { rule: string }) => c.rule === 'notice').ja).to.include(`R-${first.number}`);
      // Items the rejected request never covered: for them the 8 days are over.
      expect((await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] })).status).to.equal(400);
    });

    it('keeps a filing with no notice time recorded at the time it is made', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.platform, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      expect(Date.parse(r.noticeAt)).to.be.closeTo(Date.parse(r.createdAt), 5_000);
      expect(r.noticeChannel).to.equal(null);
    });
  });
}
