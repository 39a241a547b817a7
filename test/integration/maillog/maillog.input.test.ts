import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, type Mailer } from '../../../server/core/mail.ts';
import { sendLogged, type MailLogDeps } from '../../../server/domains/maillog/maillog.send.ts';
import { dsnMail } from '../../fixtures/dsn/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';

const SECRET = 'inbound-test-secret-0123456789abcdef';
const DOMAIN = 'reply.example.jp';

/** The mail log's endpoints against odd input: each a precise 4xx (or taken), never a 500. */
describe('[postgres] the mail delivery log: odd input', function () {
  this.timeout(60_000);
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
  const cursorOf = (s: string) => Buffer.from(s).toString('base64url');

  it('refuses a cursor that is not one of its own (400): no uuid, a date past year 9999 or before year 0, not the exact ISO form', async () => {
    for (const cursor of [
      `2026-12-03T12:00:00.000Z|${'-'.repeat(36)}`,
      `+275760-09-13T00:00:00.000Z|${randomUUID()}`,
      `-271821-04-20T00:00:00.000Z|${randomUUID()}`,
      `0|${randomUUID()}`,
      `2026-12-03|${randomUUID()}`,
      `2026-02-31T00:00:00.000Z|${randomUUID()}`,
    ]) {
      const r = await list(`cursor=${cursorOf(cursor)}`);
      expect(r.status, `${cursor}: ${r.text}`).to.equal(400);
      expect(JSON.stringify(r.body.error), cursor).to.include('cursor');
    }
  });

  it('refuses a day that does not exist (from=2026-02-31), not reading it as 3 March', async () => {
    const r = await list('from=2026-02-31&to=2026-03-01');
    expect(r.status, r.text).to.equal(400);
    expect(JSON.stringify(r.body)).to.include('from');
  });

  it('takes a delivery report with a NUL byte in it (the mail server would retry a 5xx for days)', async () => {
    const to = `nul-${randomBytes(4).toString('hex')}@example.jp`;
    const s = await sendLogged(deps, { shopId: d.shop.id, kind: 'portal_code', to, subject: 'x', text: 'x' });
    const m = await server.smtp.waitFor((x) => x.to.includes(to));
    const raw = dsnMail({ to: m.from, recipient: to, diagnostic: 'smtp; 550 5.1.1 user unknown \u0000 trailing' });
    const r = await fetch(`${server.url}/api/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, body: raw });
    const text = await r.text();
    expect(r.status, text).to.be.below(500);
    expect(s.status).to.equal('sent');
  });

  it('ignores a delivery report that returns the headers of another mail than the one its return path names', async () => {
    const to = `other-${randomBytes(4).toString('hex')}@example.jp`;
    const s = await sendLogged(deps, { shopId: d.shop.id, kind: 'portal_code', to, subject: 'x', text: 'x' });
    const m = await server.smtp.waitFor((x) => x.to.includes(to));
    const post = (raw: string) =>
      fetch(`${server.url}/api/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, body: raw }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const other = await post(dsnMail({ to: m.from, recipient: to, messageId: '<someone-else@desk.example.jp>' }));
    expect(other.status).to.be.below(300);
    expect(other.body).to.deep.include({ ignored: 'another_mail' });
    const own = await post(dsnMail({ to: m.from, recipient: to, messageId: s.messageId }));
    expect(own.body.bounce).to.include({ logId: s.logId, dsnStatus: '5.1.1' });
  });

  it('answers odd queries, ids, addresses and unsubscribe links with a 4xx, never a 500', async () => {
    const big = 'a'.repeat(7000);
    const urls = [
      `/api/shops/${d.shop.id}/mail-log?kind=x`,
      `/api/shops/${d.shop.id}/mail-log?status=sent&status=failed`,
      `/api/shops/${d.shop.id}/mail-log?limit=1e3`,
      `/api/shops/${d.shop.id}/mail-log?cursor=%00%00`,
      `/api/shops/${d.shop.id}/mail-log?recipient=${big}`,
      `/api/shops/${d.shop.id}/mail-log?orderNumber=%25%00`,
      `/api/shops/${d.shop.id}/mail-log?recipient=%00`,
      `/api/shops/${d.shop.id}/mail-log?from=1900-01-01&to=2999-12-31`,
      `/api/shops/${d.shop.id}/mail-log/not-a-uuid`,
      `/api/shops/${d.shop.id}/mail-log/${randomUUID()}`,
      `/api/shops/${d.shop.id}/mail-suppressions/${encodeURIComponent('a%00@b.jp')}`,
    ];
    const bad: string[] = [];
    for (const u of urls) {
      const r = u.includes('mail-suppressions') ? await d.owner.delete(u) : await d.owner.get(u);
      if (r.status >= 500) bad.push(`${r.status} ${u.slice(0, 160)}`);
    }
    for (const path of ['/unsubscribe/x', `/unsubscribe/${randomUUID()}.AAAAAAAAAAAAAAAA`, `/unsubscribe/${'%00'.repeat(30)}`]) {
      for (const method of ['GET', 'POST']) {
        const r = await fetch(`${server.url}${path}`, { method });
        if (r.status >= 500) bad.push(`${r.status} ${method} ${path}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });
});
