import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { noticeRecipients } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { noticeSamples } from '../../../server/domains/notices/notices.types.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { REFUSED_MARK } from '../../helpers/smtp.ts';
import { testRedis } from '../../helpers/redis.ts';
import { agentClient, connected, waitFor } from '../../helpers/sockets.ts';
import { campaignBody, campaignMails, campaignPath, createAndPublish, seedOrders, uniq, untilStatus } from './notices.helpers.ts';

for (const kind of oneDbKind()) {
  describe(`[${kind}] notices: the chat channel, failed recipients and live progress`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let platform: TestClient;

    before(async () => {
      server = await startServer(kind, { notices: { sweepMs: 1000, lockMs: 4000 } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: '連携' });
      platform = new TestClient(server.url).withKey(key.body.key);
    });
    after(() => server?.close());

    it('posts one notice into the open chat of each customer who has one, and mails everyone', async () => {
      const tag = uniq();
      const chatting = `chat-${tag}@example.jp`;
      await seedOrders(server.database, shop.id, [
        { orderNumber: `C${tag}-1`, email: chatting },
        { orderNumber: `C${tag}-2`, email: chatting.toUpperCase() },
        { orderNumber: `C${tag}-3`, email: `quiet-${tag}@example.jp` },
      ]);
      const conv = await platform.post(`/api/shops/${shop.id}/conversations`, { customer: { name: '田中 太郎', email: chatting }, message: { clientId: randomUUID(), body: '届きますか' } });
      expect(conv.status, conv.text).to.equal(201);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`C${tag}-1`, `C${tag}-2`, `C${tag}-3`] }, { channels: { banner: false, mail: true, chat: true } }));
      await untilStatus(server.database, c.id, 'sent');
      const messages = (await owner.get(`/api/shops/${shop.id}/conversations/${conv.body.id}/messages`)).body.messages as { kind: string; body: string }[];
      const notices = messages.filter((m) => m.kind === 'event');
      expect(notices).to.have.length(1);
      expect(campaignMails(server.smtp.mails, c.id)).to.have.length(2);
    });

    it('records a refused address failed with the reason, lists it for the console (masked for contractors), and retries it under the same Message-ID', async () => {
      const tag = uniq();
      const refused = `nobody-${tag}${REFUSED_MARK}@example.jp`;
      await seedOrders(server.database, shop.id, [
        { orderNumber: `F${tag}-1`, email: refused },
        { orderNumber: `F${tag}-2`, email: `fine-${tag}@example.jp` },
      ]);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`F${tag}-1`, `F${tag}-2`] }));
      await untilStatus(server.database, c.id, 'sent');
      const got = await owner.get(campaignPath(shop.id, c.id));
      expect(got.body.counts).to.include({ total: 2, sent: 1, failed: 1 });
      const failed = await owner.get(`${campaignPath(shop.id, c.id)}/recipients?status=failed`);
      expect(failed.status).to.equal(200);
      expect(failed.body.recipients).to.have.length(1);
      expect(failed.body.recipients[0]).to.include({ email: refused, status: 'failed' });
      expect(failed.body.recipients[0].reason).to.include('550');
      const contractor = await signedIn(server.url, shop.people.contractor);
      const masked = await contractor.get(`${campaignPath(shop.id, c.id)}/recipients?status=failed`);
      expect(masked.body.recipients[0].email).to.include('***');
      expect((await contractor.post(`${campaignPath(shop.id, c.id)}/retry-failed`, { version: got.body.version })).status).to.equal(403);
      const [before] = await server.database.db.select().from(noticeRecipients).where(eq(noticeRecipients.email, refused));
      const retried = await owner.post(`${campaignPath(shop.id, c.id)}/retry-failed`, { version: got.body.version });
      expect(retried.status).to.equal(200);
      expect(retried.body.status).to.equal('sending');
      await eventually(async () => (await owner.get(campaignPath(shop.id, c.id))).body.status === 'sent' || undefined, 'the retry to end');
      const [after] = await server.database.db.select().from(noticeRecipients).where(eq(noticeRecipients.email, refused));
      expect(after!.status).to.equal('failed');
      expect(after!.messageId).to.equal(before!.messageId);
      const fine = campaignMails(server.smtp.mails, c.id);
      expect(fine).to.have.length(1);
    });

    // The unsubscribe page and every notice's opt-out line promise 「ご注文に関するご連絡は引き続きお送りします」:
    // a per-order notice (shop_delay: choose wait / cancel by reply_by; returned_to_sender: held until
    // storage_deadline) is about the customer's own order, so it is not bulk and carries no opt-out.
    it('still mails a per-order notice (shop delay) to a customer who unsubscribed from notices, as the opt-out page promises, with no opt-out of its own', async () => {
      const tag = uniq();
      const email = `optout-${tag}@example.jp`;
      await seedOrders(server.database, shop.id, [{ orderNumber: `U${tag}-1`, email }]);
      await suppress(server.database.db, shop.id, email, 'unsubscribed', null, 'one-click');
      const day = (d: number) => new Date(Date.now() + 9 * 3_600_000 + d * 86_400_000).toISOString().slice(0, 10);
      const variables = { ...noticeSamples.shop_delay, original_ship_date: day(0), new_ship_date: day(7), reply_by: day(3) };
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`U${tag}-1`] }, { type: 'shop_delay', variables, channels: { banner: false, mail: true, chat: false } }));
      await untilStatus(server.database, c.id, 'sent');
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(1);
      expect(mails[0]!.raw.headers.has('list-unsubscribe')).to.equal(false);
      expect(mails[0]!.raw.text).to.not.include('配信を停止');
    });

    it('begins a scheduled campaign at its start (an outbox timer), at the start it was last moved to', async () => {
      const tag = uniq();
      await seedOrders(server.database, shop.id, [
        { orderNumber: `T${tag}-1`, email: `t1-${tag}@example.jp` },
        { orderNumber: `T${tag}-2`, email: `t2-${tag}@example.jp` },
      ]);
      const later = new Date(Date.now() + 60_000).toISOString();
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: [`T${tag}-1`, `T${tag}-2`] }, { startsAt: later }));
      expect(c.status).to.equal('scheduled');
      // Not showing before its start.
      const moved = await owner.patch(campaignPath(shop.id, c.id), { version: c.version, startsAt: new Date(Date.now() + 1500).toISOString() });
      expect(moved.status, moved.text).to.equal(200);
      expect(moved.body.status).to.equal('scheduled');
      expect(campaignMails(server.smtp.mails, c.id)).to.have.length(0);
      await untilStatus(server.database, c.id, 'sent', 20_000);
      expect(campaignMails(server.smtp.mails, c.id)).to.have.length(2);
      expect((await owner.patch(campaignPath(shop.id, c.id), { version: moved.body.version, name: 'x' })).status).to.equal(409);
    });

    it('takes turns between shops: a small campaign published while a big one sends finishes first', async () => {
      const tag = uniq();
      const big = Array.from({ length: 1000 }, (_, i) => ({ orderNumber: `B${tag}-${i}`, email: `b${i}-${tag}@example.jp` }));
      await seedOrders(server.database, shop.id, big);
      const other = await makeShop(server.database);
      const otherOwner = await signedIn(server.url, other.people.owner);
      await seedOrders(server.database, other.id, Array.from({ length: 5 }, (_, i) => ({ orderNumber: `S${tag}-${i}`, email: `s${i}-${tag}@example.jp` })));
      const a = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: big.map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, a.id).length > 0, 'the big campaign to begin');
      const b = await createAndPublish(otherOwner, other.id, campaignBody({ orderNumbers: Array.from({ length: 5 }, (_, i) => `S${tag}-${i}`) }));
      await untilStatus(server.database, b.id, 'sent', 30_000);
      expect(campaignMails(server.smtp.mails, a.id).length, 'the big one is still sending').to.be.lessThan(1000);
      await untilStatus(server.database, a.id, 'sent', 60_000);
      expect(campaignMails(server.smtp.mails, a.id)).to.have.length(1000);
    });

    it('hands a sending campaign’s chunks to the queue again when Redis lost them (the recipient rows are the record)', async () => {
      const tag = uniq();
      const list = Array.from({ length: 20 }, (_, i) => ({ orderNumber: `R${tag}-${i}`, email: `r${i}-${tag}@example.jp` }));
      await seedOrders(server.database, shop.id, list);
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 8 })).status).to.equal(200);
      const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: list.map((o) => o.orderNumber) }));
      await eventually(async () => campaignMails(server.smtp.mails, c.id).length === 8, 'eight mails at the rate');
      // The shop lifts its rate first: a delayed job does not read it again, and a chunk the
      // sweep handed over before the change landed would wait out the minute once more (seen
      // under the whole suite's load, when that request was slow).
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeMailsPerMinute: 0 })).status).to.equal(200);
      // The chunk job waits out the minute in BullMQ's delayed set: Redis loses it.
      const redis = testRedis();
      const keys = await redis.keys(`${server.config.REDIS_KEY_PREFIX}bull:notices-bulk:*`);
      expect(keys.length).to.be.greaterThan(0);
      await redis.del(...keys);
      await untilStatus(server.database, c.id, 'sent', 20_000);
      const mails = campaignMails(server.smtp.mails, c.id);
      expect(mails).to.have.length(20);
      expect(new Set(mails.map((m) => m.to[0])).size).to.equal(20);
    });

    it('tells the shop’s consoles how a campaign goes (notice:progress), ending with its final counts', async () => {
      const tag = uniq();
      await seedOrders(server.database, shop.id, Array.from({ length: 12 }, (_, i) => ({ orderNumber: `S${tag}-${i}`, email: `p${i}-${tag}@example.jp` })));
      const socket = agentClient(server.url, shop.id, owner.cookie);
      await connected(socket);
      try {
        const made = await owner.post(campaignPath(shop.id), campaignBody({ orderNumbers: Array.from({ length: 12 }, (_, i) => `S${tag}-${i}`) }));
        const done = waitFor(socket, 'notice:progress', (p: { campaignId: string; status: string; counts: { sent: number } }) => p.campaignId === made.body.id && p.status === 'sent' && p.counts.sent === 12, 20_000);
        expect((await owner.post(`${campaignPath(shop.id, made.body.id)}/publish`, { version: made.body.version })).status).to.equal(200);
        const last = await done;
        expect(last.counts).to.include({ total: 12, queued: 0 });
      } finally {
        socket.close();
      }
    });
  });
}
