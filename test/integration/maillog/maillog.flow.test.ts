import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, type Mailer } from '../../../server/core/mail.ts';
import { MAIL_SEND } from '../../../server/core/mail.jobs.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { sendLogged, type LoggedMail, type MailLogDeps } from '../../../server/domains/maillog/maillog.send.ts';
import { signedId } from '../../../server/domains/maillog/maillog.sign.ts';
import { mailLog, mailSuppressions } from '../../../server/domains/maillog/maillog.tables.ts';
import { anOrder, newOrderNumber } from '../../fixtures/builders.ts';
import { dsnMail, vacationMail } from '../../fixtures/dsn/builders.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { cid } from '../../helpers/sockets.ts';
import type { SinkMail } from '../../helpers/smtp.ts';
import { filed, openDesk, publish, someTerms, type Desk } from '../returns/returns.helpers.ts';
import { Visitor } from '../returns/portal.visitor.ts';

const SECRET = 'inbound-test-secret-0123456789abcdef';
const DOMAIN = 'reply.example.jp';

const fakeDns = {
  async resolveTxt(name: string): Promise<string[][]> {
    const records: Record<string, string[][]> = {
      'madoguchi.localhost': [['v=spf1 include:_spf.example.net ~all']],
      '_dmarc.madoguchi.localhost': [['v=DMARC1; p=quarantine']],
    };
    if (records[name]) return records[name];
    throw Object.assign(new Error('no data'), { code: 'ENODATA' });
  },
};

for (const kind of dbKinds) {
  describe(`[${kind}] the mail delivery log: every mail, its bounces, unsubscribes`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let d: Desk;
    let mailer: Mailer;
    let deps: MailLogDeps;

    before(async () => {
      server = await startServer(kind, { config: { INBOUND_EMAIL_SECRET: SECRET, INBOUND_EMAIL_DOMAIN: DOMAIN, REPLY_MAIL_DELAY_SECONDS: '1' }, dnsResolver: fakeDns });
      d = await openDesk(server);
      await publish(d, someTerms());
      // For bulk mail (notices, whose campaigns come with their own issue): sent as a campaign would, against this server's database.
      mailer = createMailer({ smtpUrl: server.smtp.url, from: server.config.MAIL_FROM, outboxDir: '/nonexistent' }, createLogger('silent'));
      deps = { db: server.database.db, mailer, baseUrl: server.url, bounce: { domain: DOMAIN, secret: SECRET } };
    });
    after(async () => {
      mailer?.close();
      await server?.close();
    });

    const shopId = () => d.shop.id;
    const notice = (to: string): LoggedMail => ({ shopId: shopId(), kind: 'notice', bulk: true, to, subject: '【重要】配送遅延のお知らせ', text: '年末年始の配送について' });
    const inbound = (raw: string) =>
      fetch(`${server.url}/api/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, body: raw }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const rowsTo = (to: string) => server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shopId()), eq(mailLog.recipient, to)));
    const suppressionsOf = (to: string) => server.database.db.select().from(mailSuppressions).where(and(eq(mailSuppressions.shopId, shopId()), eq(mailSuppressions.address, to.toLowerCase())));
    const logEntry = async (id: string, as = d.owner) => {
      const r = await as.get(`/api/shops/${shopId()}/mail-log/${id}`);
      expect(r.status, r.text).to.equal(200);
      return r.body;
    };

    /** An order whose customer has `email` (so the portal code and return mails go there). */
    async function orderFor(email: string) {
      const number = newOrderNumber();
      const now = new Date().toISOString();
      const r = await d.platform.put(`/api/shops/${shopId()}/orders/${number}`, anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email } }));
      expect(r.status, r.text).to.equal(201);
      return { number, email, id: r.body.order.id as string };
    }

    /** The portal's code mail for the order, asked for as a customer does. */
    async function portalCode(order: { number: string; email: string }, visitor = new Visitor(server.url)) {
      const before = server.smtp.mails.length;
      const started = await visitor.post(`/returns/${shopId()}/code`, { orderNumber: order.number, contact: order.email });
      expect(started.status).to.equal(302);
      const mail = await server.smtp.waitFor((m) => server.smtp.mails.indexOf(m) >= before && m.to.includes(order.email) && m.subject.includes('確認コード'));
      return { mail, started };
    }

    const logIdOf = (m: SinkMail) => /^bounce\+([0-9a-f-]{36})\./.exec(m.from)![1]!;

    it('records every kind of mail: portal code, return update, invitation, reply and notice, each with what it is about', async () => {
      const email = `all-${randomBytes(4).toString('hex')}@example.jp`;
      const order = await orderFor(email);
      const code = await portalCode(order);
      const r = await filed(d.owner, shopId(), { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      await server.smtp.waitFor((m) => m.to.includes(email) && m.subject.includes(`R-${r.number}`));
      const invitee = `staff-${randomBytes(4).toString('hex')}@example.jp`;
      const inv = await d.owner.post(`/api/shops/${shopId()}/invitations`, { email: invitee, role: 'agent' });
      expect(inv.status, inv.text).to.equal(201);
      await server.smtp.waitFor((m) => m.to.includes(invitee));
      // A ticket by mail from the customer, answered by an agent: the answer is mailed (the customer never reads it in a chat).
      const opened = await inbound(
        [`From: <${email}>`, `To: shop+${shopId()}@${DOMAIN}`, 'Subject: question', `Message-ID: <q-${randomUUID()}@example.jp>`, 'Content-Type: text/plain; charset=UTF-8', '', '届いていません。'].join('\r\n'),
      );
      expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
      const answer = await d.as.agent.post(`/api/shops/${shopId()}/conversations/${opened.body.conversationId}/messages`, { clientId: cid(), body: '確認いたします。' });
      expect(answer.status, answer.text).to.equal(201);
      await server.smtp.waitFor((m) => m.to.includes(email) && m.subject.includes('ご返信'), 15_000);
      await sendLogged(deps, notice(email));

      const rows = await eventually(async () => {
        const all = await rowsTo(email);
        return all.length >= 5 && all.every((x) => x.status === 'sent') ? all : undefined;
      }, 'five mails to the customer recorded sent (the return is approved at once: two updates)');
      const byKind = Object.fromEntries(rows.map((x) => [x.kind, x]));
      expect(Object.keys(byKind).sort()).to.deep.equal(['notice', 'portal_code', 'reply', 'return_update']);
      expect(byKind.portal_code).to.include({ orderNumber: order.number });
      expect(byKind.portal_code!.id).to.equal(logIdOf(code.mail));
      expect(byKind.return_update).to.include({ returnId: r.id, orderNumber: order.number });
      expect(byKind.reply).to.include({ conversationId: opened.body.conversationId });
      expect(byKind.notice).to.include({ bulk: true });
      const [invitation] = await rowsTo(invitee);
      expect(invitation).to.include({ kind: 'invitation', status: 'sent', invitationId: inv.body.id });
      // The history of each object, as the console asks for it.
      const forOrder = await d.as.agent.get(`/api/shops/${shopId()}/mail-log?orderNumber=${order.number}`);
      expect(forOrder.body.entries.map((e: any) => e.kind).sort()).to.deep.equal(['portal_code', 'return_update', 'return_update']);
      const forReturn = await d.as.agent.get(`/api/shops/${shopId()}/mail-log?returnId=${r.id}`);
      expect(forReturn.body.entries.map((e: any) => e.subject)).to.satisfy((s: string[]) => s.length === 2 && s.every((x) => x.includes(`R-${r.number}`)));
      // A conversation's history holds its reply and every other mail to its customer's address
      // (the portal code, the return's updates, the notice), for a contractor too (masked).
      const forConversation = await d.as.agent.get(`/api/shops/${shopId()}/mail-log?conversationId=${opened.body.conversationId}`);
      expect(forConversation.body.entries.map((e: any) => e.kind).sort()).to.deep.equal(['notice', 'portal_code', 'reply', 'return_update', 'return_update']);
      const masked = await d.as.contractor.get(`/api/shops/${shopId()}/mail-log?conversationId=${opened.body.conversationId}`);
      expect(masked.body.entries).to.have.length(5);
      expect(JSON.stringify(masked.body)).to.not.include(email);
      // Not another shop's conversation: the address is looked up in this shop only.
      const elsewhere = await d.as.agent.get(`/api/shops/${shopId()}/mail-log?conversationId=${randomUUID()}`);
      expect(elsewhere.body.entries).to.deep.equal([]);
    });

    it('still sends a mail.send row written before the log (no kind, no Message-ID), logged under its row’s shop', async () => {
      const email = `old-${randomBytes(4).toString('hex')}@example.jp`;
      await server.database.db.transaction((tx) => enqueue(tx, { shopId: shopId(), topic: MAIL_SEND, payload: { to: email, subject: '招待', text: 'https://desk.example.jp/console/invitations/x' } }));
      server.service.jobs!.poke();
      await server.smtp.waitFor((m) => m.to.includes(email));
      const [row] = await eventually(async () => {
        const rows = await rowsTo(email);
        return rows[0]?.status === 'sent' ? rows : undefined;
      }, 'the old payload logged');
      expect(row).to.include({ kind: 'invitation', shopId: shopId() });
    });

    it('marks a mail the server refuses (5xx) failed, with its answer, and does not retry it', async () => {
      const email = `gone-${randomBytes(4).toString('hex')}+refused@example.jp`;
      const order = await orderFor(email);
      await d.owner.post(`/api/shops/${shopId()}/returns`, { orderNumber: order.number, reason: 'changed_mind', items: [{ lineNo: 1, quantity: 1 }] });
      const [row] = await eventually(async () => {
        const rows = await rowsTo(email);
        return rows.length && rows[0]!.status === 'failed' ? rows : undefined;
      }, 'the refused mail recorded failed');
      expect(row!.smtpResponse).to.match(/550/);
      expect(row!.attempts).to.equal(1);
    });

    it('marks a DSN-reported mail bounced with status and diagnostic, suppresses the address for notices but still mails it portal codes', async () => {
      const email = `taro-${randomBytes(4).toString('hex')}@docomo.ne.jp`;
      const order = await orderFor(email);
      const { mail } = await portalCode(order);
      const logId = logIdOf(mail);
      const dsn = dsnMail({ to: mail.from, recipient: email });
      const first = await inbound(dsn);
      expect(first.status, JSON.stringify(first.body)).to.equal(200);
      expect(first.body).to.deep.equal({ bounce: { logId, dsnStatus: '5.1.1', hard: true, duplicate: false, suppressed: true } });
      const entry = await logEntry(logId);
      expect(entry).to.include({ status: 'bounced', dsnStatus: '5.1.1', mobileCarrier: 'docomo' });
      expect(entry.dsnDiagnostic).to.include('550 5.1.1').and.include('User unknown');
      expect(entry.rawReport).to.include('Reporting-MTA: dns; mx.example.jp');
      expect(entry.carrierHint.ja).to.include('@madoguchi.localhost');
      expect(entry.suppressions.map((s: any) => s.reason)).to.deep.equal(['hard_bounce']);
      // The same report again changes nothing.
      const replay = await inbound(dsn);
      expect(replay.body.bounce).to.include({ duplicate: true, suppressed: false });
      expect((await logEntry(logId)).bouncedAt).to.equal(entry.bouncedAt);
      // A notice is recorded suppressed and not sent; the customer's next code still goes.
      const bulk = await sendLogged(deps, notice(email));
      expect(bulk).to.include({ status: 'suppressed', reason: 'hard_bounce' });
      const again = await portalCode(order);
      expect(logIdOf(again.mail)).not.to.equal(logId);
      expect(server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes('配送遅延'))).to.have.length(0);
      // The portal told the customer which domain to allow (the address typed is a docomo one).
      const page = await again.started;
      expect(page.location).to.include('m=docomo');
      const verify = await new Visitor(server.url).get(page.location);
      expect(verify.html).to.include('data-carrier-hint').and.include('「@madoguchi.localhost」からのメールを受信できるよう設定してください');
    });

    it('refuses a forged bounce address or one of a mail it never sent (4xx), and ignores an out-of-office answer to a real one', async () => {
      const email = `hanako-${randomBytes(4).toString('hex')}@example.jp`;
      const sent = await sendLogged(deps, { shopId: shopId(), kind: 'reply', to: email, subject: 's', text: 't' });
      const forged = await inbound(dsnMail({ to: `bounce+${sent.logId}.AAAAAAAAAAAAAAAA@${DOMAIN}`, recipient: email }));
      expect(forged.status).to.equal(400);
      expect(forged.body.error.message).to.include('signature does not match');
      const unknown = await inbound(dsnMail({ to: `bounce+${signedId(SECRET, 'bounce', randomUUID())}@${DOMAIN}`, recipient: email }));
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.message).to.include('not in the mail log');
      const m = await server.smtp.waitFor((x) => x.to.includes(email));
      const vacation = await inbound(vacationMail(m.from));
      expect(vacation.body).to.deep.equal({ ignored: 'automatic_reply' });
      const delayed = await inbound(dsnMail({ to: m.from, recipient: email, action: 'delayed', status: '4.4.1' }));
      expect(delayed.body).to.deep.equal({ ignored: 'delivery_delayed' });
      expect((await rowsTo(email))[0]).to.include({ status: 'sent' });
      expect(await suppressionsOf(email)).to.have.length(0);
    });

    it('suppresses on the second soft bounce within 30 days, not on one, nor on two a month apart, nor counting those before a lift', async () => {
      const email = `full-${randomBytes(4).toString('hex')}@example.jp`;
      const soft = async () => {
        const r = await sendLogged(deps, { shopId: shopId(), kind: 'reply', to: email, subject: 's', text: 't' });
        const m = await server.smtp.waitFor((x) => x.raw.messageId === r.messageId);
        return (await inbound(dsnMail({ to: m.from, recipient: email, status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 Mailbox full' }))).body.bounce;
      };
      expect(await soft()).to.include({ hard: false, suppressed: false });
      // The first one was more than 30 days ago: still one within the window.
      await server.database.db.execute(sql`update mail_log set bounced_at = now() - interval '31 days' where shop_id = ${shopId()} and recipient = ${email}`);
      expect(await soft()).to.include({ hard: false, suppressed: false });
      expect(await soft()).to.include({ hard: false, suppressed: true });
      expect((await suppressionsOf(email)).map((s) => s.reason)).to.deep.equal(['soft_bounces']);
      // The owner lifts it (the customer emptied the mailbox): notices go again.
      const lifted = await d.owner.delete(`/api/shops/${shopId()}/mail-suppressions/${encodeURIComponent(email)}`);
      expect(lifted.status, lifted.text).to.equal(200);
      expect(lifted.body).to.deep.equal({ lifted: ['soft_bounces'], remaining: [] });
      expect((await sendLogged(deps, notice(email))).status).to.equal('sent');
      // The bounces before the lift were dealt with: the next soft one is counted alone.
      expect(await soft()).to.include({ hard: false, suppressed: false });
      expect(await suppressionsOf(email)).to.deep.equal([]);
    });

    it('unsubscribes on POST to the List-Unsubscribe link, never on GET; notices stop, codes do not, and the shop cannot undo it', async () => {
      const email = `unsub-${randomBytes(4).toString('hex')}@example.jp`;
      const r = await sendLogged(deps, notice(email));
      const m = await server.smtp.waitFor((x) => x.raw.messageId === r.messageId);
      const header = m.raw.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r?\n\s+/g, ' ');
      const link = /<(http[^>]+)>/.exec(header)![1]!;
      // A scanner or the customer opening the link: a page with a button, nothing changed.
      const page = await fetch(link, { headers: { accept: 'text/html' } });
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('配信を停止する').and.include('Unsubscribe').and.include('method="post"');
      expect(html).not.to.include(email);
      expect(await suppressionsOf(email)).to.have.length(0);
      // The mail provider's one-click (RFC 8058).
      const post = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(post.status).to.equal(200);
      expect(await post.text()).to.include('配信を停止しました');
      expect((await suppressionsOf(email)).map((s) => s.reason)).to.deep.equal(['unsubscribed']);
      const twice = await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      expect(twice.status).to.equal(200);
      expect((await sendLogged(deps, notice(email))).status).to.equal('suppressed');
      expect((await sendLogged(deps, { shopId: shopId(), kind: 'portal_code', to: email, subject: 'code', text: '123456' })).status).to.equal('sent');
      const undo = await d.owner.delete(`/api/shops/${shopId()}/mail-suppressions/${encodeURIComponent(email)}`);
      expect(undo.status).to.equal(409);
      // A forged link: 400, as a page.
      const forged = await fetch(link.replace(/\.[\w-]{16}$/, '.AAAAAAAAAAAAAAAA'), { method: 'POST', headers: { accept: 'text/html' } });
      expect(forged.status).to.equal(400);
      expect(await forged.text()).to.include('<html');
    });

    it('unsubscribes by the mailto: of List-Unsubscribe too', async () => {
      const email = `mailto-${randomBytes(4).toString('hex')}@example.jp`;
      const r = await sendLogged(deps, notice(email));
      const m = await server.smtp.waitFor((x) => x.raw.messageId === r.messageId);
      const header = m.raw.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r?\n\s+/g, ' ');
      const address = /<mailto:([^?>]+)/.exec(header)![1]!;
      const res = await inbound([`From: <${email}>`, `To: ${address}`, 'Subject: unsubscribe', 'Content-Type: text/plain', '', 'unsubscribe'].join('\r\n'));
      expect(res.body).to.deep.equal({ unsubscribed: { logId: r.logId, duplicate: false } });
      expect((await suppressionsOf(email)).map((s) => s.reason)).to.deep.equal(['unsubscribed']);
    });

    it('masks addresses for contractors in the list, the answers and the detail (no raw report), refuses their address search, and audits the reads', async () => {
      const email = `mask-${randomBytes(4).toString('hex')}+refused@example.jp`;
      const r = await sendLogged(deps, { shopId: shopId(), kind: 'reply', to: email, subject: 's', text: 't' });
      const owner = await d.owner.get(`/api/shops/${shopId()}/mail-log?recipient=${encodeURIComponent(email.slice(0, 12))}`);
      expect(owner.status, owner.text).to.equal(200);
      expect(owner.body.entries.map((e: any) => e.recipient)).to.deep.equal([email]);
      const contractor = await d.as.contractor.get(`/api/shops/${shopId()}/mail-log?status=failed`);
      expect(contractor.status, contractor.text).to.equal(200);
      const mine = contractor.body.entries.find((e: any) => e.id === r.logId);
      expect(mine).to.include({ masked: true, recipient: 'm***@e***.jp' });
      expect(JSON.stringify(contractor.body)).not.to.include(email);
      const detail = await logEntry(r.logId, d.as.contractor);
      expect(detail.rawReport).to.equal(null);
      expect(JSON.stringify(detail)).not.to.include(email);
      const search = await d.as.contractor.get(`/api/shops/${shopId()}/mail-log?recipient=mask`);
      expect(search.status).to.equal(403);
      const audits = await server.database.db.select().from(auditEvents).where(and(eq(auditEvents.shopId, shopId()), eq(auditEvents.action, 'mail_log.viewed'), eq(auditEvents.objectId, r.logId)));
      expect(audits).to.have.length(1);
      expect(audits[0]!.summary).to.deep.include({ masked: true });
    });

    it('pages the log with a cursor and narrows it by kind, status and days', async () => {
      const email = `page-${randomBytes(4).toString('hex')}@example.jp`;
      for (let i = 0; i < 3; i++) await sendLogged(deps, { shopId: shopId(), kind: 'reply', to: email, subject: `s${i}`, text: 't' });
      const first = await d.owner.get(`/api/shops/${shopId()}/mail-log?recipient=${email}&limit=2`);
      expect(first.body.entries.map((e: any) => e.subject)).to.deep.equal(['s2', 's1']);
      const second = await d.owner.get(`/api/shops/${shopId()}/mail-log?recipient=${email}&limit=2&cursor=${first.body.next}`);
      expect(second.body.entries.map((e: any) => e.subject)).to.deep.equal(['s0']);
      expect(second.body.next).to.equal(null);
      const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
      const narrowed = await d.owner.get(`/api/shops/${shopId()}/mail-log?recipient=${email}&kind=reply&status=sent&from=${today}&to=${today}`);
      expect(narrowed.body.entries).to.have.length(3);
      const past = await d.owner.get(`/api/shops/${shopId()}/mail-log?recipient=${email}&to=2020-01-01`);
      expect(past.body.entries).to.have.length(0);
      const bad = await d.owner.get(`/api/shops/${shopId()}/mail-log?kind=spam`);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details.map((x: any) => x.path)).to.deep.equal(['kind']);
      const backwards = await d.owner.get(`/api/shops/${shopId()}/mail-log?from=2026-12-05&to=2026-12-01`);
      expect(backwards.status).to.equal(400);
      expect(backwards.body.error.details[0]).to.include({ path: 'to', ja: '終了日は開始日と同じかそれより後にしてください' });
      const badCursor = await d.owner.get(`/api/shops/${shopId()}/mail-log?cursor=nonsense`);
      expect(badCursor.status).to.equal(400);
    });

    it('lists the suppressions for owner and staff only, and shows the DNS records the sending domain needs', async () => {
      const list = await d.as.staff.get(`/api/shops/${shopId()}/mail-suppressions`);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.suppressions.some((s: any) => s.reason === 'hard_bounce' && s.mobileCarrier === 'docomo')).to.equal(true);
      expect((await d.as.agent.get(`/api/shops/${shopId()}/mail-suppressions`)).status).to.equal(403);
      expect((await d.owner.delete(`/api/shops/${shopId()}/mail-suppressions/${encodeURIComponent('nobody@example.jp')}`)).status).to.equal(404);
      const dns = await d.owner.get(`/api/shops/${shopId()}/mail-settings/dns`);
      expect(dns.status, dns.text).to.equal(200);
      expect(dns.body.domain).to.equal('madoguchi.localhost');
      const by = (k: string, name?: string) => dns.body.records.find((r: any) => r.kind === k && (!name || r.name === name));
      expect(by('spf', 'madoguchi.localhost')).to.include({ ok: true });
      expect(by('spf', DOMAIN)).to.include({ ok: false });
      expect(by('dkim').problem.en).to.include('not configured');
      expect(by('dmarc')).to.include({ ok: true, name: '_dmarc.madoguchi.localhost' });
      expect((await d.as.agent.get(`/api/shops/${shopId()}/mail-settings/dns`)).status).to.equal(403);
    });

    it('gives the widget the mail domain to allow, for visitors at carrier addresses', async () => {
      const r = await fetch(`${server.url}/api/public/shops/${shopId()}/widget/config`);
      expect(((await r.json()) as { mailDomain: string }).mailDomain).to.equal('madoguchi.localhost');
    });

    it('scopes everything by shop: another shop sees none of these mails', async () => {
      const other = await openDesk(server);
      const r = await sendLogged(deps, { shopId: shopId(), kind: 'reply', to: `scope-${randomBytes(3).toString('hex')}@example.jp`, subject: 's', text: 't' });
      const list = await other.owner.get(`/api/shops/${other.shop.id}/mail-log`);
      expect(list.body.entries).to.have.length(0);
      expect((await other.owner.get(`/api/shops/${other.shop.id}/mail-log/${r.logId}`)).status).to.equal(404);
    });
  });
}
