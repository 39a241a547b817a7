import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, type Mailer } from '../../../server/core/mail.ts';
import { sendLogged, type MailLogDeps } from '../../../server/domains/maillog/maillog.send.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { dsnMail } from '../../fixtures/dsn/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { eventually } from '../../helpers/eventually.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';
import { campaignBody, createAndPublish, seedOrders, uniq, untilStatus } from '../notices/notices.helpers.ts';

const SECRET = 'inbound-test-secret-0123456789abcdef';
const DOMAIN = 'reply.example.jp';

describe('[postgres] review of the mail log', function () {
  this.timeout(90_000);
  let server: TestServer;
  let d: Desk;
  let mailer: Mailer;
  let deps: MailLogDeps;

  before(async () => {
    server = await startServer('postgres', { config: { INBOUND_EMAIL_SECRET: SECRET, INBOUND_EMAIL_DOMAIN: DOMAIN } });
    d = await openDesk(server);
    mailer = createMailer({ smtpUrl: server.smtp.url, from: server.config.MAIL_FROM, outboxDir: '/nonexistent' }, createLogger('silent'));
    deps = { db: server.database.db, mailer, baseUrl: server.url, bounce: { domain: DOMAIN, secret: SECRET } };
  });
  after(async () => {
    mailer?.close();
    await server?.close();
  });
  const list = (qs: string) => d.owner.get(`/api/shops/${d.shop.id}/mail-log?${qs}`);

  it('REVIEW-K a relay that refuses our VERP envelope sender (553 at MAIL FROM: our configuration) must not mark the customer\'s mail failed for good', async () => {
    const relay = await new Promise<{ url: string; close: () => void }>((done) => {
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onMailFrom(address, _s, cb) {
          if (address.address.startsWith('bounce+')) return cb(Object.assign(new Error('5.7.1 Sender address rejected: not owned by user'), { responseCode: 553 }));
          cb();
        },
      });
      s.listen(0, '127.0.0.1', () => done({ url: `smtp://127.0.0.1:${(s.server.address() as AddressInfo).port}`, close: () => s.close() }));
    });
    const relayMailer = createMailer({ smtpUrl: relay.url, from: server.config.MAIL_FROM, outboxDir: '/nonexistent' }, createLogger('silent'));
    try {
      const to = `code-${randomBytes(4).toString('hex')}@example.jp`;
      const outcome = await sendLogged({ ...deps, mailer: relayMailer }, { shopId: d.shop.id, kind: 'portal_code', to, subject: '確認コード', text: '123456' }).then(
        (o) => o.status,
        () => 'thrown (retried)',
      );
      expect(outcome).to.equal('thrown (retried)');
    } finally {
      relayMailer.close();
      relay.close();
    }
  });

  it('REVIEW-E two workers sending the same Message-ID at once send it once', async () => {
    const to = `race-${randomBytes(4).toString('hex')}@example.jp`;
    const messageId = `<notice-race-${randomBytes(4).toString('hex')}@desk.example.jp>`;
    const mail = { shopId: d.shop.id, kind: 'notice' as const, bulk: true, messageId, to, subject: '【重要】', text: 'x' };
    const outcomes = await Promise.all([sendLogged(deps, mail), sendLogged(deps, mail)]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['sent', 'sent']);
    await server.smtp.waitFor((x) => x.to.includes(to));
    await new Promise((r) => setTimeout(r, 1000));
    const copies = server.smtp.mails.filter((x) => x.to.includes(to));
    const rows = await server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, d.shop.id), eq(mailLog.messageId, messageId)));
    expect({ attempts: rows[0]!.attempts, delivered: copies.length }).to.deep.equal({ attempts: 1, delivered: 1 });
  });
});

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

describe('[postgres] review of the mail log: campaigns and the log', function () {
  this.timeout(120_000);
  let server: TestServer;
  let d: Desk;
  let smtp: { url: string; close: () => void };

  before(async () => {
    smtp = await postfixLike();
    server = await startServer('postgres', { smtpUrl: smtp.url, notices: { sweepMs: 1000, lockMs: 4000 } });
    d = await openDesk(server);
  });
  after(async () => {
    await server?.close();
    smtp?.close();
  });

  it('REVIEW-F/G a refused notice: the contractor sees the address in the failed-recipient reason; the notice is in the history of only one of the customer’s orders', async () => {
    const tag = uniq();
    const refused = `nouser-${tag}@example.jp`;
    const okAddr = `buyer-${tag}@example.jp`;
    const orders = [
      { orderNumber: `R${tag}-1`, email: refused },
      { orderNumber: `R${tag}-2`, email: okAddr },
      { orderNumber: `R${tag}-3`, email: okAddr },
    ];
    await seedOrders(server.database, d.shop.id, orders);
    const c = await createAndPublish(d.owner, d.shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
    await untilStatus(server.database, c.id, 'sent', 60_000);

    // The mail log masks it for the contractor...
    const log = await d.as.contractor.get(`/api/shops/${d.shop.id}/mail-log?campaignId=${c.id}&status=failed`);
    expect(log.status, log.text).to.equal(200);
    expect(JSON.stringify(log.body)).not.to.include(refused);

    // ...the campaign's failed list shows it in the reason.
    const rec = await eventually(async () => {
      const r = await d.as.contractor.get(`/api/shops/${d.shop.id}/notice-campaigns/${c.id}/recipients?status=failed`);
      return r.status === 200 && r.body.recipients.length ? r : undefined;
    }, 'failed recipients');
    const gHistory2 = await d.owner.get(`/api/shops/${d.shop.id}/mail-log?orderNumber=R${tag}-3`);
    const gHistory1 = await d.owner.get(`/api/shops/${d.shop.id}/mail-log?orderNumber=R${tag}-2`);
    const failures: string[] = [];
    if (JSON.stringify(rec.body).includes(refused)) failures.push(`F: contractor sees ${refused} in ${JSON.stringify(rec.body.recipients[0].reason)}`);
    if (gHistory1.body.entries.length + gHistory2.body.entries.length !== 2) failures.push(`G: the one notice to ${okAddr} shows on ${gHistory1.body.entries.length} + ${gHistory2.body.entries.length} of its two orders' histories`);
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });
});
