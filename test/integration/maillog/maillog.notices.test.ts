import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { eventually } from '../../helpers/eventually.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';
import { campaignBody, createAndPublish, seedOrders, uniq, untilStatus } from '../notices/notices.helpers.ts';

/** A mail server that refuses a recipient the way Postfix does: the address in its answer. */
function postfixLike(): Promise<{ url: string; close: () => void }> {
  return new Promise((done) => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (address.address.includes('nouser')) return cb(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`), { responseCode: 550 }));
        cb();
      },
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    s.listen(0, '127.0.0.1', () => done({ url: `smtp://127.0.0.1:${(s.server.address() as AddressInfo).port}`, close: () => s.close() }));
  });
}

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
