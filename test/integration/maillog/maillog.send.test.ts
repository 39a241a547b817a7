import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, type Mailer } from '../../../server/core/mail.ts';
import { claimLogRow, suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { sendLogged, type MailLogDeps } from '../../../server/domains/maillog/maillog.send.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { DEFERRED_MARK, REFUSED_MARK, refusingSmtp, smtpSink, type SmtpSink } from '../../helpers/smtp.ts';

const address = (mark = '') => `buyer-${randomBytes(4).toString('hex')}${mark}@example.jp`;

for (const kind of dbKinds) {
  describe(`[${kind}] sendLogged: every mail a row with what became of it`, () => {
    let database: Database;
    let shop: TestShop;
    let sink: SmtpSink;
    let mailer: Mailer;
    let deps: MailLogDeps;

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      sink = await smtpSink();
      mailer = createMailer({ smtpUrl: sink.url, from: '窓口 <no-reply@madoguchi.localhost>', outboxDir: '/nonexistent' }, createLogger('silent'));
      deps = { db: database.db, mailer, baseUrl: 'https://desk.example.jp', bounce: { domain: 'reply.example.jp', secret: 's'.repeat(32) } };
    });
    after(async () => {
      mailer?.close();
      await database?.close();
    });

    const rowOf = async (logId: string) => (await database.db.select().from(mailLog).where(eq(mailLog.id, logId)))[0]!;
    const mail = (to: string, extra: Record<string, unknown> = {}) => ({ shopId: shop.id, kind: 'portal_code' as const, to, subject: '確認コード', text: '123456', ...extra });

    it('sends, records the mail server’s answer, and returns from the VERP address the DSN will come back to', async () => {
      const to = address();
      const r = await sendLogged(deps, mail(to, { about: { orderNumber: 'T-1' } }));
      expect(r.status).to.equal('sent');
      const m = await sink.waitFor((x) => x.to.includes(to));
      expect(m.raw.messageId).to.equal(r.messageId);
      expect(m.from).to.match(new RegExp(`^bounce\\+${r.logId}\\.[\\w-]{16}@reply\\.example\\.jp$`));
      const row = await rowOf(r.logId);
      expect(row).to.include({ shopId: shop.id, kind: 'portal_code', status: 'sent', recipient: to, orderNumber: 'T-1', attempts: 1 });
      expect(row.smtpResponse).to.match(/^250/);
      expect(row.sentAt).to.be.instanceOf(Date);
    });

    it('does not send a mail again under a Message-ID already sent', async () => {
      const to = address();
      const messageId = `<campaign-${randomBytes(4).toString('hex')}@desk.example.jp>`;
      const first = await sendLogged(deps, mail(to, { kind: 'notice', messageId }));
      const second = await sendLogged(deps, mail(to, { kind: 'notice', messageId }));
      expect(second).to.deep.equal(first);
      await sink.waitFor((x) => x.to.includes(to));
      const rows = await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.messageId, messageId)));
      expect(rows).to.have.length(1);
      expect(rows[0]!.attempts).to.equal(1);
      expect(sink.mails.filter((x) => x.to.includes(to))).to.have.length(1);
    });

    it('marks a 5xx refusal failed and resolves: trying again cannot change it', async () => {
      const to = address(REFUSED_MARK);
      const r = await sendLogged(deps, mail(to));
      expect(r.status).to.equal('failed');
      expect(r.reason).to.match(/550/);
      const row = await rowOf(r.logId);
      expect(row.status).to.equal('failed');
      expect(row.smtpResponse).to.match(/550/);
    });

    it('marks a 4xx deferred and throws, so the job tries again; the retry reuses the row', async () => {
      const to = address(DEFERRED_MARK);
      const messageId = `<retry-${randomBytes(4).toString('hex')}@desk.example.jp>`;
      let thrown: unknown;
      await sendLogged(deps, mail(to, { messageId })).catch((e: unknown) => (thrown = e));
      expect(thrown).to.be.instanceOf(Error);
      await sendLogged(deps, mail(to, { messageId })).catch(() => undefined);
      const rows = await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.messageId, messageId)));
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ status: 'deferred', attempts: 2 });
      expect(rows[0]!.smtpResponse).to.match(/451/);
    });

    it('marks a mail server that does not answer deferred and throws', async () => {
      const dead = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: 'no-reply@madoguchi.localhost', outboxDir: '/nonexistent' }, createLogger('silent'));
      try {
        let thrown: unknown;
        const to = address();
        await sendLogged({ ...deps, mailer: dead }, mail(to)).catch((e: unknown) => (thrown = e));
        expect(thrown).to.be.instanceOf(Error);
        const [row] = await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.recipient, to)));
        expect(row!.status).to.equal('deferred');
      } finally {
        dead.close();
      }
    });

    it('sends a mail once when two workers send the same Message-ID at once; the second answers as the first', async () => {
      const to = address();
      const messageId = `<notice-race-${randomBytes(4).toString('hex')}@desk.example.jp>`;
      const notice = mail(to, { kind: 'notice', bulk: true, messageId });
      const outcomes = await Promise.all([sendLogged(deps, notice), sendLogged(deps, notice)]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['sent', 'sent']);
      await sink.waitFor((x) => x.to.includes(to));
      await new Promise((r) => setTimeout(r, 500));
      const rows = await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.messageId, messageId)));
      expect({ rows: rows.length, attempts: rows[0]!.attempts, delivered: sink.mails.filter((x) => x.to.includes(to)).length }).to.deep.equal({ rows: 1, attempts: 1, delivered: 1 });
    });

    it('leaves a mail another worker holds to a later try (MailBeingSent), and sends it once that claim has lapsed', async () => {
      const to = address();
      const messageId = `<held-${randomBytes(4).toString('hex')}@desk.example.jp>`;
      // A worker that claimed the mail and died: its claim holds for a moment.
      const held = await claimLogRow(database.db, { id: randomUUID(), shopId: shop.id, kind: 'portal_code', recipient: to, subject: 'x', messageId, bulk: false }, 1);
      expect(held.mine).to.equal(true);
      expect(await claimLogRow(database.db, { id: randomUUID(), shopId: shop.id, kind: 'portal_code', recipient: to, subject: 'x', messageId, bulk: false })).to.include({ mine: false });
      const r = await sendLogged(deps, mail(to, { messageId }));
      expect(r.status).to.equal('sent');
      expect(r.logId).to.equal(held.row.id);
      await sink.waitFor((x) => x.to.includes(to));
      expect(sink.mails.filter((x) => x.to.includes(to))).to.have.length(1);
    });

    it('does not fail a mail for good when our own envelope sender is refused (5xx at MAIL FROM): deferred, retried, said to be our configuration', async () => {
      // Our VERP envelope sender refused at MAIL FROM (553): our configuration, not the customer's address.
      const relay = await refusingSmtp({ mailFrom: (a) => (a.startsWith('bounce+') ? { code: 553, message: '5.7.1 Sender address rejected: not owned by user' } : undefined) });
      const relayMailer = createMailer({ smtpUrl: relay.url, from: 'no-reply@madoguchi.localhost', outboxDir: '/nonexistent' }, createLogger('silent'));
      try {
        const to = address();
        let thrown: unknown;
        await sendLogged({ ...deps, mailer: relayMailer }, mail(to)).catch((e: unknown) => (thrown = e));
        expect(thrown).to.be.instanceOf(Error);
        const [row] = await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.recipient, to)));
        expect(row!.status).to.equal('deferred');
        expect(row!.reason).to.match(/configuration problem.*553/);
      } finally {
        relayMailer.close();
        relay.close();
      }
    });

    it('records bulk mail to a suppressed address as suppressed and sends it nothing; transactional mail still goes', async () => {
      const to = address();
      await suppress(database.db, shop.id, to.toUpperCase(), 'hard_bounce', null, '5.1.1');
      const bulk = await sendLogged(deps, mail(to, { kind: 'notice', bulk: true }));
      expect(bulk).to.include({ status: 'suppressed', reason: 'hard_bounce' });
      expect((await rowOf(bulk.logId)).status).to.equal('suppressed');
      const code = await sendLogged(deps, mail(to));
      expect(code.status).to.equal('sent');
      await sink.waitFor((x) => x.to.includes(to));
      expect(sink.mails.filter((x) => x.to.includes(to))).to.have.length(1);
    });

    it('signs mail with DKIM when configured (nodemailer signs)', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const signing = createMailer({ smtpUrl: sink.url, from: 'no-reply@shop.example.jp', outboxDir: '/nonexistent', dkim: { domainName: 'shop.example.jp', keySelector: 'mdg1', privateKey } }, createLogger('silent'));
      try {
        const to = address();
        await sendLogged({ ...deps, mailer: signing }, mail(to));
        const m = await sink.waitFor((x) => x.to.includes(to));
        const header = m.raw.headerLines.find((h) => h.key === 'dkim-signature')!.line.replace(/\s+/g, ' ');
        expect(header).to.include('d=shop.example.jp').and.include('s=mdg1');
      } finally {
        signing.close();
      }
    });

    it('gives bulk mail one-click unsubscribe headers (RFC 8058), signed, with a mailto alternative', async () => {
      const to = address();
      const r = await sendLogged(deps, mail(to, { kind: 'notice', bulk: true }));
      const m = await sink.waitFor((x) => x.to.includes(to));
      const line = (key: string) => m.raw.headerLines.find((h) => h.key === key)?.line;
      expect(line('list-unsubscribe-post')).to.equal('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const raw = line('list-unsubscribe')!.replace(/\r?\n\s+/g, ' ');
      expect(raw).to.match(new RegExp(`<https://desk\\.example\\.jp/unsubscribe/${r.logId}\\.[\\w-]{16}>`));
      expect(raw).to.match(new RegExp(`<mailto:unsub\\+${r.logId}\\.[\\w-]{16}@reply\\.example\\.jp`));
      // The same link in words at the end of the text (特定電子メール法 §4), in Japanese and English.
      const link = /<(https:[^>]+)>/.exec(raw)![1]!;
      expect(m.text).to.include('配信を停止できます').and.include(`To stop notice mails from this shop (mail about your orders still comes): ${link}`);
      // A portal code is not bulk mail: nothing to unsubscribe from.
      const to2 = address();
      await sendLogged(deps, mail(to2));
      const m2 = await sink.waitFor((x) => x.to.includes(to2));
      expect(m2.raw.headerLines.some((h) => h.key === 'list-unsubscribe')).to.equal(false);
    });
  });
}
