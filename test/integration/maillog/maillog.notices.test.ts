import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { eventually } from '../../helpers/eventually.ts';
import { refusingSmtp } from '../../helpers/smtp.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';
import { campaignBody, createAndPublish, seedOrders, uniq, untilStatus } from '../notices/notices.helpers.ts';

/** A mail server that refuses a recipient the way Postfix does: the address in its answer. */
const postfixLike = () =>
  refusingSmtp({ rcptTo: (a) => (a.includes('nouser') ? { code: 550, message: `5.1.1 <${a}>: Recipient address rejected: User unknown in virtual mailbox table` } : undefined) });

describe('[postgres] the mail delivery log of a notice campaign', function () {
  this.timeout(120_000);
  let server: TestServer;
  let d: Desk;
  let smtp: { url: string; close: () => void };
  const tag = uniq();
  const refused = `nouser-${tag}@example.jp`;
  const buyer = `buyer-${tag}@example.jp`;
  const orders = [
    { orderNumber: `R${tag}-1`, email: refused },
    { orderNumber: `R${tag}-2`, email: buyer },
    { orderNumber: `R${tag}-3`, email: buyer },
  ];
  let campaignId: string;

  before(async () => {
    smtp = await postfixLike();
    server = await startServer('postgres', { smtpUrl: smtp.url, notices: { sweepMs: 1000, lockMs: 4000 } });
    d = await openDesk(server);
    await seedOrders(server.database, d.shop.id, orders);
    const c = await createAndPublish(d.owner, d.shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
    campaignId = c.id;
    await untilStatus(server.database, c.id, 'sent', 60_000);
  });
  after(async () => {
    await server?.close();
    smtp?.close();
  });

  it('masks the address in a refused recipient’s reason for contractors, in the campaign’s list as in the log', async () => {
    const log = await d.as.contractor.get(`/api/shops/${d.shop.id}/mail-log?campaignId=${campaignId}&status=failed`);
    expect(log.status, log.text).to.equal(200);
    expect(log.body.entries).to.have.length(1);
    expect(JSON.stringify(log.body)).not.to.include(refused);
    const failed = await eventually(async () => {
      const r = await d.as.contractor.get(`/api/shops/${d.shop.id}/notice-campaigns/${campaignId}/recipients?status=failed`);
      return r.status === 200 && r.body.recipients.length ? r : undefined;
    }, 'failed recipients');
    expect(JSON.stringify(failed.body)).not.to.include(refused);
    expect(failed.body.recipients[0].reason).to.match(/^550 5\.1\.1 <n\*\*\*@e\*\*\*\.jp>: Recipient address rejected/);
    // The owner sees it as the mail server said it.
    const owner = await d.owner.get(`/api/shops/${d.shop.id}/notice-campaigns/${campaignId}/recipients?status=failed`);
    expect(owner.body.recipients[0].reason).to.include(refused);
  });

  it('shows a notice that lists several orders in the delivery history of each of them', async () => {
    for (const n of [2, 3]) {
      const r = await d.owner.get(`/api/shops/${d.shop.id}/mail-log?orderNumber=R${tag}-${n}`);
      expect(r.status, r.text).to.equal(200);
      expect(r.body.entries, `order ${n}`).to.have.length(1);
      expect(r.body.entries[0].about.orderNumbers).to.have.members([`R${tag}-2`, `R${tag}-3`]);
    }
  });
});
