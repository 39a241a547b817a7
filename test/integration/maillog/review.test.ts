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
