import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { DomainBus } from '../../../server/core/bus.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer } from '../../../server/core/mail.ts';
import { noticeRecipients } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { startNoticeWorker } from '../../../server/worker.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { startServer } from '../../helpers/app.ts';
import { oneDbKind, redisUrl } from '../../helpers/env.ts';
import { campaignBody, campaignMails, createAndPublish, customersWithOrders, seedOrders, uniq, untilStatus } from './notices.helpers.ts';

for (const kind of oneDbKind()) {
  describe(`[${kind}] NOTICE_BULK=off: the bulk notice worker in a process of its own`, function () {
    this.timeout(60_000);

    it('hands chunks over but sends nothing itself; a notice worker (npm run worker:notices) sends them, once each', async () => {
      const server = await startServer(kind, { config: { NOTICE_BULK: 'off' }, notices: { sweepMs: 1000, lockMs: 4000 } });
      const logger = createLogger('silent');
      const mailer = createMailer({ smtpUrl: server.smtp.url, from: server.config.MAIL_FROM, outboxDir: '/nonexistent' }, logger);
      let notices: ReturnType<typeof startNoticeWorker> | undefined;
      try {
        const shop = await makeShop(server.database);
        const owner = await signedIn(server.url, shop.people.owner);
        const orders = customersWithOrders(uniq(), 5, 5);
        await seedOrders(server.database, shop.id, orders);
        const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
        await new Promise((r) => setTimeout(r, 1500));
        expect(campaignMails(server.smtp.mails, c.id)).to.have.length(0);
        const rows = await server.database.db.select().from(noticeRecipients).where(eq(noticeRecipients.campaignId, c.id));
        expect(rows.map((r) => r.status)).to.deep.equal(['queued', 'queued', 'queued', 'queued', 'queued']);

        notices = startNoticeWorker({ config: { ...server.config, NOTICE_BULK: 'inline' }, database: server.database, redisUrl, logger, mailer, bus: new DomainBus(logger), notices: { sweepMs: 1000, lockMs: 4000 } });
        await untilStatus(server.database, c.id, 'sent');
        const mails = campaignMails(server.smtp.mails, c.id);
        expect(mails).to.have.length(5);
        expect(new Set(mails.map((m) => m.to[0])).size).to.equal(5);
      } finally {
        await notices?.close();
        mailer.close();
        await server.close();
      }
    });
  });
}
