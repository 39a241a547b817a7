import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, isNotNull } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { mailLog } from '../../../server/domains/maillog/maillog.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { eventually } from '../../helpers/eventually.ts';
import { DEFERRED_MARK } from '../../helpers/smtp.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';

describe('[postgres] review: a mail whose retries ran out', function () {
  this.timeout(180_000);
  let server: TestServer;
  let d: Desk;
  before(async () => {
    server = await startServer('postgres');
    d = await openDesk(server);
  });
  after(() => server?.close());

  it('REVIEW-J an invitation answered 451 on every try: once the job gives up, the log must not still say deferred (being retried)', async () => {
    const to = `staff${DEFERRED_MARK}-${randomBytes(4).toString('hex')}@example.jp`;
    const inv = await d.owner.post(`/api/shops/${d.shop.id}/invitations`, { email: to, role: 'agent' });
    expect(inv.status, inv.text).to.equal(201);
    await eventually(
      async () => (await server.database.db.select().from(outbox).where(and(eq(outbox.shopId, d.shop.id), eq(outbox.topic, 'mail.send'), isNotNull(outbox.failedAt)))).length > 0,
      'the outbox gives the mail up',
      150_000,
    );
    const [row] = await server.database.db.select().from(mailLog).where(and(eq(mailLog.shopId, d.shop.id), eq(mailLog.recipient, to)));
    expect({ status: row!.status, attempts: row!.attempts }).to.deep.equal({ status: 'failed', attempts: 5 });
  });
});
