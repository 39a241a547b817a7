import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, isNotNull } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { eventually } from '../../helpers/eventually.ts';
import { DEFERRED_MARK } from '../../helpers/smtp.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';

describe('[postgres] the mail delivery log when a mail’s tries run out', function () {
  this.timeout(60_000);
  let server: TestServer;
  let d: Desk;
  before(async () => {
    // Retries 50 ms apart (doubling), so the five tries of a mail.send job end in about two seconds.
    server = await startServer('postgres', { retryDelayMs: 50 });
    d = await openDesk(server);
  });
  after(() => server?.close());

  it('marks a mail answered 451 on every try failed once its job gives up, with the tries and the last answer', async () => {
    const to = `staff${DEFERRED_MARK}-${randomBytes(4).toString('hex')}@example.jp`;
    const inv = await d.owner.post(`/api/shops/${d.shop.id}/invitations`, { email: to, role: 'agent' });
    expect(inv.status, inv.text).to.equal(201);
    await eventually(
      async () => (await server.database.db.select().from(outbox).where(and(eq(outbox.shopId, d.shop.id), eq(outbox.topic, 'mail.send'), isNotNull(outbox.failedAt)))).length > 0,
      'the outbox gives the mail up',
      30_000,
    );
    const row = await eventually(async () => {
      const [r] = await server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, d.shop.id), eq(mailLog.recipient, to)));
      return r?.status === 'failed' ? r : undefined;
    }, 'the log row marked failed');
    expect(row.attempts).to.equal(5);
    expect(row.reason).to.match(/^gave up after 5 tries: .*451/);
    expect(row.leaseUntil).to.equal(null);
  });
});
