import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, type Mailer } from '../../../server/core/mail.ts';
import { claimLogRow, markAttempt, recordAttempts, suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { attemptMail, claimMails, releaseMails, sendLogged, type LoggedMail, type MailLogDeps } from '../../../server/domains/maillog/maillog.send.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { smtpSink, type SmtpSink } from '../../helpers/smtp.ts';

const address = () => `buyer-${randomBytes(4).toString('hex')}@example.jp`;

for (const kind of dbKinds) {
  describe(`[${kind}] the mail log's claims of a bulk chunk: one holder per mail, given back when the chunk stops`, () => {
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
      deps = { db: database.db, mailer, baseUrl: 'https://desk.example.jp' };
    });
    after(async () => {
      mailer?.close();
      await database?.close();
    });
    const mail = (to: string): LoggedMail => ({ shopId: shop.id, kind: 'notice', bulk: true, to, subject: 's', text: 't', messageId: `<n-${randomBytes(4).toString('hex')}@desk.example.jp>` });
    const rowByMid = async (mid: string) => (await database.db.select().from(mailLog).where(and(eq(mailLog.shopId, shop.id), eq(mailLog.messageId, mid))))[0];

    it('a chunk stopped before a suppressed recipient leaves no row queued and leased', async () => {
      const to = address();
      await suppress(database.db, shop.id, to, 'unsubscribed', null, null);
      const m = mail(to);
      const claimed = await claimMails(deps, shop.id, [m]);
      expect(claimed[0]!.settled?.outcome.status).to.equal('suppressed');
      // paused before this recipient was taken: sendChunk releases every untaken mail
      await releaseMails(deps, shop.id, claimed);
      const row = await rowByMid(m.messageId!);
      // never attempted: should be released (deleted) or at least not held
      const again = await claimMails(deps, shop.id, [m]);
      expect(again[0]!.busy, `row left ${row?.status} lease ${row?.leaseUntil?.toISOString()}`).to.not.equal(true);
    });

    it('a chunk stopped before a mail deferred earlier lets go of its lease: a resume can send it at once', async () => {
      const m = mail(address());
      const first = await claimMails(deps, shop.id, [m]);
      await markAttempt(database.db, shop.id, first[0]!.row.id, 'deferred', { reason: '451', attempted: true });
      const second = await claimMails(deps, shop.id, [m]);
      expect(second[0]!.busy).to.not.equal(true);
      expect(second[0]!.fresh).to.equal(false);
      // paused: second never attempted it
      await releaseMails(deps, shop.id, second);
      const resumed = await claimMails(deps, shop.id, [m]);
      expect(resumed[0]!.busy, 'resume finds its own stopped chunk\'s lease').to.not.equal(true);
    });

    it('release does not delete a row another worker took after this claim lapsed', async () => {
      const m = mail(address());
      const mine = await claimMails(deps, shop.id, [m]);
      // the chunk ran past MAIL_LEASE_SECONDS: the lease lapses
      await database.db.update(mailLog).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(mailLog.id, mine[0]!.row.id));
      const other = await claimLogRow(database.db, { id: mine[0]!.row.id.replace(/.$/, '0'), shopId: shop.id, kind: 'notice', recipient: m.to, subject: 's', messageId: m.messageId!, bulk: true });
      expect(other.mine).to.equal(true);
      // the first chunk now stops and releases its untaken mail
      await releaseMails(deps, shop.id, mine);
      const row = await rowByMid(m.messageId!);
      expect(row, 'the other worker\'s claimed row was deleted').to.not.equal(undefined);
    });
    it('a chunk whose lease lapsed does not overwrite the row another worker sent since', async () => {
      const m = mail(address());
      const mine = await claimMails(deps, shop.id, [m]);
      await database.db.update(mailLog).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(mailLog.id, mine[0]!.row.id));
      const other = await claimLogRow(database.db, { id: mine[0]!.row.id.replace(/.$/, '0'), shopId: shop.id, kind: 'notice', recipient: m.to, subject: 's', messageId: m.messageId!, bulk: true });
      expect(other.mine).to.equal(true);
      await markAttempt(database.db, shop.id, other.row.id, 'sent', { smtpResponse: '250 ok', attempted: true });
      // the first chunk's attempt ends 4xx and is flushed
      await recordAttempts(database.db, shop.id, [{ id: mine[0]!.row.id, status: 'deferred', smtpResponse: '451 later', reason: '451 later', attempted: true }]);
      const row = await rowByMid(m.messageId!);
      expect(row!.status, 'a sent row was made claimable again').to.equal('sent');
    });
    it('a mail of a chunk taken after its lease lapsed is not sent while another worker holds it', async () => {
      const m = mail(address());
      const mine = await claimMails(deps, shop.id, [m]);
      // the chunk is slow (200 mails, 16 at a time, a slow server): this one's turn comes after MAIL_LEASE_SECONDS
      await database.db.update(mailLog).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(mailLog.id, mine[0]!.row.id));
      // another worker (the chunk's job run again after its lock was lost) sends the same Message-ID
      const other = sendLogged(deps, m);
      const a = await attemptMail(deps, mine[0]!);
      // The chunk records what it did, as its flush does; the other worker waits for the answer or gives up for now.
      if (a.record) await recordAttempts(database.db, shop.id, [a.record]);
      await other.catch((e: Error) => expect(e.name).to.equal('MailBeingSent'));
      await new Promise((r) => setTimeout(r, 300));
      const copies = sink.mails.filter((x) => x.raw.messageId === m.messageId).length;
      expect({ copies, first: a.outcome?.status ?? String(a.retry) }).to.deep.include({ copies: 1 });
    });
  });
}
