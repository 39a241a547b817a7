import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { runMailLogPrune } from '../../../server/domains/maillog/maillog.jobs.ts';
import { suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { mailLog, mailSuppressions } from '../../../server/domains/maillog/maillog.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

const DAY = 86_400_000;

for (const kind of dbKinds) {
  describe(`[${kind}] the mail log's daily upkeep`, () => {
    let database: Database;
    let shop: TestShop;
    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
    });
    after(() => database?.close());

    /** A row of a mail `daysAgo` days old, as it was left. */
    async function row(daysAgo: number, fields: Partial<typeof mailLog.$inferInsert> = {}) {
      const at = new Date(Date.now() - daysAgo * DAY);
      const id = randomUUID();
      await database.db.insert(mailLog).values({ id, shopId: shop.id, kind: 'portal_code', recipient: `${id}@example.jp`, subject: 'x', messageId: `<${id}@desk.example.jp>`, createdAt: at, updatedAt: at, ...fields });
      return id;
    }
    const statusOf = async (id: string) => (await database.db.select().from(mailLog).where(eq(mailLog.id, id)))[0];

    it('marks mail stuck queued or deferred for over a day failed, leaving a fresh one and one a sender holds', async () => {
      const stuckQueued = await row(2);
      const stuckDeferred = await row(2, { status: 'deferred', attempts: 3, reason: '451 4.7.1 try later' });
      const fresh = await row(0, { status: 'deferred' });
      const held = await row(2, { leaseUntil: new Date(Date.now() + 60_000) });
      const sent = await row(2, { status: 'sent' });
      const r = await runMailLogPrune(database.db, 400);
      expect(r.givenUp).to.be.at.least(2);
      expect(await statusOf(stuckQueued)).to.include({ status: 'failed', reason: 'gave up: no attempt ended after 0 tries' });
      expect(await statusOf(stuckDeferred)).to.include({ status: 'failed', reason: 'gave up: no attempt ended after 3 tries: 451 4.7.1 try later' });
      for (const [id, status] of [[fresh, 'deferred'], [held, 'queued'], [sent, 'sent']] as const) expect((await statusOf(id))!.status).to.equal(status);
    });

    it('clears delivery reports after 90 days and deletes rows past the retention, keeping the suppression', async () => {
      const oldBounce = await row(100, { status: 'bounced', dsnStatus: '5.1.1', dsnReport: 'raw report', bouncedAt: new Date(Date.now() - 100 * DAY) });
      const newBounce = await row(10, { status: 'bounced', dsnStatus: '5.1.1', dsnReport: 'raw report', bouncedAt: new Date(Date.now() - 10 * DAY) });
      const expired = await row(401, { status: 'bounced', dsnStatus: '5.1.1', bouncedAt: new Date(Date.now() - 401 * DAY) });
      const address = (await statusOf(expired))!.recipient;
      await suppress(database.db, shop.id, address, 'hard_bounce', expired, '5.1.1');
      const r = await runMailLogPrune(database.db, 400);
      expect(r.deleted).to.be.at.least(1);
      expect(await statusOf(oldBounce)).to.include({ dsnReport: null, dsnStatus: '5.1.1', status: 'bounced' });
      expect((await statusOf(newBounce))!.dsnReport).to.equal('raw report');
      expect(await database.db.select().from(mailLog).where(inArray(mailLog.id, [expired]))).to.have.length(0);
      const [kept] = await database.db.select().from(mailSuppressions).where(eq(mailSuppressions.address, address));
      expect(kept).to.include({ reason: 'hard_bounce', logId: null });
    });
  });
}
