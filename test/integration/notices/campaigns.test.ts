import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { claimLogRows, recordAttempts, suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { noticeRecipients } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { Visitor } from '../returns/portal.visitor.ts';
import { campaignBody, campaignMails, campaignPath, createAndPublish, customersWithOrders, seedOrders, uniq, untilStatus } from './notices.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] notice campaigns: one mail per customer, through the bulk queue`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind, { notices: { sweepMs: 1000, lockMs: 4000 } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server?.close());

    const recipients = (campaignId: string) => server.database.db.select().from(noticeRecipients).where(eq(noticeRecipients.campaignId, campaignId));

    it('mails a campaign to a few hundred orders once per customer, each alone in its To, to the address on the order, with a stable Message-ID; a suppressed address is recorded suppressed', async () => {
      const tag = uniq();
      const orders = customersWithOrders(tag, 150, 320);
      await seedOrders(server.database, shop.id, orders);
      const suppressed = `buyer1-${tag}@example.jp`;
      await suppress(server.database.db, shop.id, suppressed, 'hard_bounce', null, null);
      const numbers = orders.map((o) => o.orderNumber);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: numbers }));
      expect(c.status).to.equal('sending');
      // Editing while it sends is refused whole.
      const edit = await owner.patch(campaignPath(shop.id, c.id), { version: c.version, name: 'changed' });
      expect(edit.status).to.equal(409);
      expect(edit.body.error.code).to.equal('conflict');
      await untilStatus(server.database, c.id, 'sent', 60_000);
      const mails = campaignMails(server.smtp.mails, c.id);
      const expected = new Set(orders.map((o) => o.email.toLowerCase()));
      expected.delete(suppressed);
      expect(mails.length).to.equal(expected.size);
      const ids = new Set(mails.map((m) => m.raw.messageId));
      expect(ids.size).to.equal(mails.length);
      for (const m of mails) {
        expect(m.to).to.have.length(1);
        expect(expected.has(m.to[0]!)).to.equal(true);
        expect(m.raw.to && 'value' in m.raw.to ? m.raw.to.value.map((v) => v.address) : []).to.deep.equal(m.to);
      }
      expect(new Set(mails.map((m) => m.to[0])).size).to.equal(expected.size);
      const rows = await recipients(c.id);
      expect(rows).to.have.length(150);
      const byEmail = new Map(rows.map((r) => [r.email, r]));
      expect(byEmail.get(suppressed)!.status).to.equal('suppressed');
      // A customer with three orders is one recipient listing all three.
      expect(byEmail.get(`buyer0-${tag}@example.jp`)!.orderNumbers).to.have.length(3);
      for (const m of mails) expect(m.raw.messageId).to.equal(byEmail.get(m.to[0]!)!.messageId);
      const got = await owner.get(campaignPath(shop.id, c.id));
      expect(got.body.counts).to.include({ total: 150, sent: 149, suppressed: 1, queued: 0, failed: 0 });
      expect(got.body.finishedAt).to.be.a('string');
      const edited = await owner.patch(campaignPath(shop.id, c.id), { version: got.body.version, name: 'changed' });
      expect(edited.status).to.equal(409);
    });

    it('two publications at once: one succeeds, the other is a 409', async () => {
      const tag = uniq();
      await seedOrders(server.database, shop.id, customersWithOrders(tag, 3, 3));
      const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: [`N${tag}-0000`, `N${tag}-0001`] }));
      const both = await Promise.all([0, 1].map(() => owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version })));
      expect(both.map((r) => r.status).sort()).to.deep.equal([200, 409]);
      await untilStatus(server.database, made.body.id, 'sent');
      expect(campaignMails(server.smtp.mails, made.body.id)).to.have.length(2);
    });

    it('leaves a cancelled order out of the audience: it is not on its way', async () => {
      const tag = uniq();
      const [live, gone] = [`LIVE-${tag}`, `GONE-${tag}`];
      await seedOrders(server.database, shop.id, [
        { orderNumber: live, email: `live-${tag}@example.jp` },
        { orderNumber: gone, email: `gone-${tag}@example.jp` },
      ]);
      await server.database.db.update(orders).set({ cancelledAt: new Date() }).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, gone)));
      const audience = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: { orderNumbers: [live, gone] } });
      expect(audience.status, audience.text).to.equal(200);
      expect(audience.body).to.include({ orders: 1, customers: 1 });
    });

    it('refuses to publish a target that matches nothing (and the audience says 0), a target with no condition, and bad variables', async () => {
      const none = { prefectures: ['沖縄県'], orderNumbers: [`NOPE-${uniq()}`] };
      const audience = await owner.post(`/api/shops/${shop.id}/notice-audience`, { target: none });
      expect(audience.status).to.equal(200);
      expect(audience.body).to.include({ orders: 0, customers: 0 });
      const made = await owner.post(campaignPath(shop.id), campaignBody(none));
      const pub = await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version });
      expect(pub.status).to.equal(400);
      expect(pub.body.error.details.map((d: { path: string }) => d.path)).to.include('target');
      const empty = await owner.post(campaignPath(shop.id), campaignBody({}));
      expect((await owner.post(`${campaignPath(shop.id, empty.body.id)}/publish`, { version: empty.body.version })).status).to.equal(400);
      const bad = await owner.post(campaignPath(shop.id), campaignBody({ prefectures: ['東京都'] }, { variables: { season: 'oseibo' } }));
      const badPub = await owner.post(`${campaignPath(shop.id, bad.body.id)}/publish`, { version: bad.body.version });
      expect(badPub.status).to.equal(400);
      expect(badPub.body.error.details.some((d: { path: string }) => d.path.startsWith('variables.'))).to.equal(true);
      const unknown = await owner.post(campaignPath(shop.id), campaignBody({}, { variables: { nope: 1 } }));
      expect(unknown.status).to.equal(400);
      const backwards = await owner.post(campaignPath(shop.id), campaignBody({}, { startsAt: '2026-12-10T00:00:00+09:00', endsAt: '2026-12-09T00:00:00+09:00' }));
      expect(backwards.status).to.equal(400);
      expect(backwards.body.error.details[0].path).to.equal('endsAt');
      // Nothing half-written: the refused campaigns are still drafts.
      expect((await owner.get(campaignPath(shop.id, made.body.id))).body.status).to.equal('draft');
    });

    it('pauses (no more mail), resumes (the rest goes, once each) and cancels (the rest never goes)', async () => {
      const tag = uniq();
      await seedOrders(server.database, shop.id, customersWithOrders(tag, 30, 30));
      // The shop's mail rate holds the sending after 10, so the pause lands mid-way.
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 10 })).status).to.equal(200);
      const target = { orderNumbers: customersWithOrders(tag, 30, 30).map((o) => o.orderNumber) };
      const c = await createAndPublish(owner, shop.id, campaignBody(target));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 10, 'ten mails at the rate');
      const paused = await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: c.version });
      expect(paused.status).to.equal(200);
      expect(paused.body.status).to.equal('paused');
      expect(paused.body.counts).to.include({ sent: 10, queued: 20 });
      expect((await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: paused.body.version })).status).to.equal(409);
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 });
      const resumed = await owner.post(`${campaignPath(shop.id, c.id)}/resume`, { version: paused.body.version });
      expect(resumed.status).to.equal(200);
      await untilStatus(server.database, c.id, 'sent');
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(30);
      expect(new Set(mails.map((m) => m.to[0])).size).to.equal(30);

      const tag2 = uniq();
      await seedOrders(server.database, shop.id, customersWithOrders(tag2, 20, 20));
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 5 });
      const d = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: customersWithOrders(tag2, 20, 20).map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, d.id).length === 5, 'five mails at the rate');
      const cancelled = await owner.post(`${campaignPath(shop.id, d.id)}/cancel`, { version: d.version });
      expect(cancelled.status).to.equal(200);
      expect(cancelled.body.status).to.equal('cancelled');
      expect(cancelled.body.counts).to.include({ sent: 5, cancelled: 15, queued: 0 });
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 });
      expect((await owner.post(`${campaignPath(shop.id, d.id)}/resume`, { version: cancelled.body.version })).status).to.equal(409);
      const rows = await server.database.db.select().from(noticeRecipients).where(and(eq(noticeRecipients.campaignId, d.id), eq(noticeRecipients.status, 'cancelled')));
      expect(rows).to.have.length(15);
      expect(campaignMails(server.smtp.mails, d.id)).to.have.length(5);
    });

    it('counts each mail once against the shop’s rate: a campaign of exactly the rate goes at once, its lanes never counting mails another lane sends', async () => {
      // A shop of its own: the rate's minute starts with this campaign.
      const own = await makeShop(server.database);
      const admin = await signedIn(server.url, own.people.owner);
      const tag = uniq();
      // More recipients than a chunk has lanes in flight, so lanes come back for more as the last ones go.
      const orders = customersWithOrders(tag, 60, 60);
      await seedOrders(server.database, own.id, orders);
      expect((await admin.patch(`/api/shops/${own.id}`, { noticeMailsPerMinute: 60 })).status).to.equal(200);
      const c = await createAndPublish(admin, own.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
      // Well within the minute a rate counted high would hold the last ones for.
      await untilStatus(server.database, c.id, 'sent', 20_000);
      expect(campaignMails(server.smtp.mails, c.id)).to.have.length(60);
    });

    const logRows = (campaignId: string) => server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.campaignId, campaignId)));

    it('after a crash between a chunk’s flushes: a mail whose log row says sent is not sent again, one left queued goes under the same Message-ID, and no recipient stays queued', async () => {
      const tag = uniq();
      const orders = customersWithOrders(tag, 12, 12);
      await seedOrders(server.database, shop.id, orders);
      // The shop's rate holds the chunk after its first mail; the pause then holds the campaign.
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 1 })).status).to.equal(200);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 1, 'one mail at the rate');
      const paused = await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: c.version });
      expect(paused.status).to.equal(200);
      // The chunk that stopped took back the log rows of the mails it never tried: only the sent one is there.
      await eventually(async () => (await logRows(c.id)).length === 1, 'the unsent rows released');
      expect((await logRows(c.id))[0]!.status).to.equal('sent');

      // What a process killed between the log's flush and the recipients' leaves (A), and one killed
      // after the mail server took a mail but before any flush (B): both recipients still queued.
      const domain = String(campaignMails(server.smtp.mails, c.id)[0]!.raw.messageId).replace(/^.*@|>$/g, '');
      const queued = await server.database.db.select().from(noticeRecipients).where(and(eq(noticeRecipients.campaignId, c.id), eq(noticeRecipients.status, 'queued')));
      expect(queued).to.have.length(11);
      const [a, b] = queued;
      const messageIdOf = (r: typeof a) => `<notice-${c.id}-${r!.id}@${domain}>`;
      // Claimed by a process that died: its lease has lapsed (0 s), as after MAIL_LEASE_SECONDS.
      const written = await claimLogRows(
        server.database.db,
        shop.id,
        [a, b].map((r) => ({ id: crypto.randomUUID(), shopId: shop.id, kind: 'notice' as const, recipient: r!.email, subject: 'x', messageId: messageIdOf(r), bulk: true, campaignId: c.id })),
        0,
      );
      await recordAttempts(server.database.db, shop.id, [{ id: written.get(messageIdOf(a))!.row.id, status: 'sent', smtpResponse: '250 OK', attempted: true }]);

      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 });
      const resumed = await owner.post(`${campaignPath(shop.id, c.id)}/resume`, { version: paused.body.version });
      expect(resumed.status).to.equal(200);
      await untilStatus(server.database, c.id, 'sent');

      const rows = await server.database.db.select().from(noticeRecipients).where(eq(noticeRecipients.campaignId, c.id));
      expect(rows.filter((r) => r.status !== 'sent')).to.deep.equal([]);
      const mails = campaignMails(server.smtp.mails, c.id);
      // A: its row said sent, so nothing went; the other eleven went once each.
      expect(mails.map((m) => m.raw.messageId)).to.not.include(messageIdOf(a));
      expect(mails).to.have.length(11);
      expect(new Set(mails.map((m) => m.raw.messageId)).size).to.equal(11);
      // B: sent under the Message-ID (and the log row) the first attempt had.
      expect(mails.filter((m) => m.raw.messageId === messageIdOf(b))).to.have.length(1);
      const log = await logRows(c.id);
      expect(log).to.have.length(12);
      expect(log.every((r) => r.status === 'sent')).to.equal(true);
      expect(log.find((r) => r.messageId === messageIdOf(b))!.id).to.equal(written.get(messageIdOf(b))!.row.id);
    });

    it("mails another shop's portal code while a big campaign is sending, before the campaign ends", async () => {
      const tag = uniq();
      await seedOrders(server.database, shop.id, customersWithOrders(tag, 500, 500));
      const other = await makeShop(server.database);
      const orderNumber = `P${uniq()}`;
      const email = `portal-${uniq()}@example.jp`;
      await seedOrders(server.database, other.id, [{ orderNumber, email }]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: customersWithOrders(tag, 500, 500).map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length > 0, 'the campaign to begin');
      const asked = await new Visitor(server.url).post(`/returns/${other.id}/code`, { orderNumber, contact: email });
      expect(asked.status).to.be.oneOf([302, 303]);
      const code = await server.smtp.waitFor((m) => m.to.includes(email), 20_000);
      const codeAt = server.smtp.mails.indexOf(code);
      await untilStatus(server.database, c.id, 'sent', 90_000);
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(500);
      expect(server.smtp.mails.indexOf(mails.at(-1)!)).to.be.greaterThan(codeAt);
    });
  });
}
