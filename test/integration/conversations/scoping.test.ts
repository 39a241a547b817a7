import { expect } from 'chai';
import { count, eq } from 'drizzle-orm';
import type { Db } from '../../../server/core/db/client.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { lockCustomer } from '../../../server/domains/conversations/conversations.customers.repository.ts';
import { openChat } from '../../../server/domains/conversations/conversations.service.ts';
import { conversations, customers } from '../../../server/domains/conversations/conversations.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { makeChat } from '../attachments/chat.fixtures.ts';

/*
 * Opening a chat locks the customer's row. That lock was the one statement of the chat that
 * named a row by its id alone; the widget only ever hands the service a customer of the
 * path's shop, so these tests ask the service and the repository directly with another
 * shop's id, which is what an unscoped statement would let through.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] opening a chat keeps to the principal's shop`, () => {
    let server: TestServer;
    let db: Db;
    let shop: TestShop;
    let other: TestShop;

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      db = server.database.db;
      shop = await makeShop(server.database);
      other = await makeShop(server.database);
    });
    after(() => server.close());

    const conversationsOf = async (shopId: string) => (await db.select({ n: count() }).from(conversations).where(eq(conversations.shopId, shopId)))[0]!.n;

    it("does not lock another shop's customer", async () => {
      const chat = await makeChat(db, shop.id);
      expect(await db.transaction((tx) => lockCustomer(tx, other.id, chat.customerId))).to.equal(false);
      expect(await db.transaction((tx) => lockCustomer(tx, shop.id, chat.customerId))).to.equal(true);
    });

    it("answers 404 for a customer of another shop and opens no conversation in either shop", async () => {
      const chat = await makeChat(db, shop.id);
      const [customer] = await db.select().from(customers).where(eq(customers.id, chat.customerId));
      const [ours, theirs] = [await conversationsOf(shop.id), await conversationsOf(other.id)];
      const refused = await openChat(server.app.chat, { shopId: other.id, customerId: customer!.id, customer: customer! }, {}).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(DomainError);
      expect((refused as DomainError).code).to.equal('not_found');
      expect([await conversationsOf(shop.id), await conversationsOf(other.id)]).to.deep.equal([ours, theirs]);
    });
  });
}
