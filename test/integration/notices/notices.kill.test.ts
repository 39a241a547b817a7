import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openPostgres, type Database } from '../../../server/core/db/client.ts';
import { noticeCampaigns } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { testPostgresUrl } from '../../helpers/db.ts';
import { redisPrefix, redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freePort, killStarted, start } from '../../helpers/process.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { campaignBody, campaignMails, createAndPublish, customersWithOrders, seedOrders, uniq } from './notices.helpers.ts';

describe('notices: kill -9 of the server in the middle of a campaign', function () {
  this.timeout(180_000);
  let database: Database;
  after(async () => {
    await killStarted();
    await database?.close();
  });

  it('after a restart every customer still has one mail, and any resend carries the same Message-ID', async () => {
    const url = await testPostgresUrl();
    database = await openPostgres(url);
    const sink = await smtpSink();
    const port = await freePort();
    const env = { DATABASE_URL: url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `${redisPrefix}kill${uniq()}:`, SMTP_URL: sink.url, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false', NODE_ENV: 'test', LOG_LEVEL: 'warn' };
    const first = start(env);
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, 'the server to answer', 60_000, 200);
    const base = `http://127.0.0.1:${port}`;
    const shop = await makeShop(database);
    const tag = uniq();
    const orders = customersWithOrders(tag, 400, 480);
    await seedOrders(database, shop.id, orders);
    const owner = await signedIn(base, shop.people.owner);
    const c = await createAndPublish(owner, shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
    await eventually(async () => campaignMails(sink.mails, c.id).length >= 40, 'the campaign to be under way', 60_000, 5);
    first.child.kill('SIGKILL');
    await first.exited;
    const [mid] = await database.db.select({ status: noticeCampaigns.status }).from(noticeCampaigns).where(eq(noticeCampaigns.id, c.id));
    expect(mid!.status).to.equal('sending');
    expect(campaignMails(sink.mails, c.id).length).to.be.lessThan(400);

    const second = start(env);
    await eventually(
      async () => {
        const [r] = await database.db.select({ status: noticeCampaigns.status }).from(noticeCampaigns).where(eq(noticeCampaigns.id, c.id));
        return r?.status === 'sent';
      },
      'the campaign to finish after the restart',
      150_000,
      200,
    );
    second.child.kill('SIGTERM');
    await second.exited;
    const mails = campaignMails(sink.mails, c.id);
    const byAddress = new Map<string, Set<string>>();
    for (const m of mails) {
      expect(m.to).to.have.length(1);
      const ids = byAddress.get(m.to[0]!) ?? new Set<string>();
      ids.add(String(m.raw.messageId));
      byAddress.set(m.to[0]!, ids);
    }
    expect(byAddress.size).to.equal(400);
    // A resend after the crash (the mail server took it, the record did not say so yet) is the same mail.
    for (const ids of byAddress.values()) expect(ids.size).to.equal(1);
    expect(new Set(mails.map((m) => m.raw.messageId)).size).to.equal(400);
    expect(mails.length - 400).to.be.lessThan(20);
  });
});
