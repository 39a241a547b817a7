import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { claimLogRows, suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { noticeRecipients } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { DEFERRED_MARK } from '../../helpers/smtp.ts';
import { sql } from 'drizzle-orm';
import { campaignBody, campaignMails, campaignPath, createAndPublish, customersWithOrders, seedOrders, uniq, untilStatus } from '../notices/notices.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] a campaign's chunks: what they hold is given back when they stop, and a mail that never goes is given up`, function () {
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
    const statusOfRecipient = async (campaignId: string, email: string) =>
      (await server.database.db.select({ status: noticeRecipients.status }).from(noticeRecipients).where(and(eq(noticeRecipients.campaignId, campaignId), eq(noticeRecipients.email, email))))[0]?.status;
    const logRows = (campaignId: string) => server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.campaignId, campaignId)));

    it('a cancelled campaign leaves no log row queued for a suppressed recipient it never reached', async () => {
      const tag = uniq();
      const orders = customersWithOrders(tag, 12, 12);
      await seedOrders(server.database, shop.id, orders);
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 1 })).status).to.equal(200);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 1, 'one mail at the rate');
      // unsubscribed (from an earlier campaign's mail) while this one sends: the next chunk run claims it settled-suppressed
      await suppress(server.database.db, shop.id, `buyer5-${tag}@example.jp`, 'unsubscribed', null, null);
      const paused = await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: c.version });
      expect(paused.status).to.equal(200);
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 2 });
      const resumed = await owner.post(`${campaignPath(shop.id, c.id)}/resume`, { version: paused.body.version });
      expect(resumed.status).to.equal(200);
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 3, 'two more mails at the new rate', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      const cancelled = await owner.post(`${campaignPath(shop.id, c.id)}/cancel`, { version: resumed.body.version });
      expect(cancelled.status).to.equal(200);
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 });
      await new Promise((r) => setTimeout(r, 2000));
      const log = await logRows(c.id);
      // Sent ones, and the unsubscribed one if a chunk reached it (recorded suppressed at once: it
      // costs the shop's rate nothing); nothing left queued or held.
      expect(log.map((r) => `${r.recipient}:${r.status}`).filter((s) => !s.endsWith(':sent') && s !== `buyer5-${tag}@example.jp:suppressed`)).to.deep.equal([]);
      expect(log.every((r) => r.leaseUntil === null || r.status !== 'queued')).to.equal(true);
      const buyer5 = log.find((r) => r.recipient === `buyer5-${tag}@example.jp`);
      if (buyer5) expect(await statusOfRecipient(c.id, `buyer5-${tag}@example.jp`)).to.equal('suppressed');
    });
    it('a chunk stopped at the rate lets go of rows it re-claimed from a crashed worker: after a pause and resume they go at once', async () => {
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      const tag = uniq();
      const orders = customersWithOrders(tag, 12, 12);
      await seedOrders(server.database, shop.id, orders);
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 1 })).status).to.equal(200);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 1, 'one mail at the rate');
      const paused = await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: c.version });
      await eventually(async () => (await logRows(c.id)).length === 1, 'the unsent rows released');
      const domain = String(campaignMails(server.smtp.mails, c.id)[0]!.raw.messageId).replace(/^.*@|>$/g, '');
      const queued = await server.database.db.select().from(noticeRecipients).where(and(eq(noticeRecipients.campaignId, c.id), eq(noticeRecipients.status, 'queued')));
      // a worker that died holding all the rest: lease lapsed
      await claimLogRows(server.database.db, shop.id, queued.map((r) => ({ id: crypto.randomUUID(), shopId: shop.id, kind: 'notice' as const, recipient: r.email, subject: 'x', messageId: `<notice-${c.id}-${r.id}@${domain}>`, bulk: true, campaignId: c.id })), 0);
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 2 });
      const resumed = await owner.post(`${campaignPath(shop.id, c.id)}/resume`, { version: paused.body.version });
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 3, 'two more at the new rate', 30_000);
      await new Promise((r) => setTimeout(r, 500));
      // the rate is lifted; pause and resume so the chunk runs at once
      const p2 = await owner.post(`${campaignPath(shop.id, c.id)}/pause`, { version: resumed.body.version });
      expect(p2.status).to.equal(200);
      await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 });
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      const r2 = await owner.post(`${campaignPath(shop.id, c.id)}/resume`, { version: p2.body.version });
      expect(r2.status).to.equal(200);
      await untilStatus(server.database, c.id, 'sent', 20_000).catch(async () => {
        const log = await logRows(c.id);
        throw new Error(`not sent within 20 s of the resume (${Date.now() - started} ms); log: ${log.map((r) => `${r.status}/${r.leaseUntil ? 'leased' : '-'}`).join(' ')}`);
      });
    });

    it('a mail its server keeps deferring is tried until a day after its first try, then fails with the answer, and the campaign ends', async () => {
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      const tag = uniq();
      const late = `late-${tag}${DEFERRED_MARK}@example.jp`;
      await seedOrders(server.database, shop.id, [...customersWithOrders(tag, 2, 2), { orderNumber: `L${tag}`, email: late }]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`N${tag}-0000`, `N${tag}-0001`, `L${tag}`] }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 2, 'the two others mailed');
      await eventually(async () => (await logRows(c.id)).some((r) => r.recipient === late && r.status === 'deferred'), 'the late one deferred');
      expect(await statusOfRecipient(c.id, late)).to.equal('queued');
      // A day and more after its first try (the test moves the try back rather than waiting).
      await server.database.db.update(mailLog).set({ createdAt: sql`now() - interval '25 hours'` }).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.recipient, late)));
      await untilStatus(server.database, c.id, 'sent', 90_000);
      const [row] = (await logRows(c.id)).filter((r) => r.recipient === late);
      expect(row!.status).to.equal('failed');
      expect(row!.reason).to.match(/^gave up after \d+ tries over a day: .*451/);
      expect(await statusOfRecipient(c.id, late)).to.equal('failed');
    });
  });
}
