import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { recordAudit } from '../../../server/domains/audit/audit.service.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

/**
 * The trail's rows written outside a transaction (reads: lists, pages, exports) share INSERTs
 * (audit.batch.ts). What must hold: every row is stored before its caller's promise resolves,
 * concurrent reads take fewer statements than rows, a bad row fails only its own caller, and
 * inside a transaction the row still lives and dies with it.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the audit trail's shared INSERTs`, function () {
    this.timeout(30_000);
    let database: Database;
    let shop: TestShop;
    let actor: Actor;
    /** INSERTs into audit_events the driver was given, counted at the driver. */
    let inserts = 0;

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      actor = { kind: 'user', shopId: shop.id, userId: shop.people.staff.id, name: shop.people.staff.name, role: 'staff' };
      const client = (database.db as unknown as { $client: { query: (...a: unknown[]) => unknown } }).$client;
      const query = client.query.bind(client);
      client.query = (...a: unknown[]) => {
        const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
        if (text?.startsWith('insert into "audit_events"')) inserts += 1;
        return query(...a);
      };
    });
    after(() => database.close());

    const stored = async (requestIds: string[]) =>
      (await database.db.select({ requestId: auditEvents.requestId }).from(auditEvents).where(and(eq(auditEvents.shopId, shop.id), inArray(auditEvents.requestId, requestIds)))).map((r) => r.requestId);

    it('stores each of 120 concurrent reads before its caller goes on, in fewer INSERTs than reads', async () => {
      const ids = Array.from({ length: 120 }, () => randomUUID());
      const before = inserts;
      const seenAtResolve = await Promise.all(
        ids.map(async (id) => {
          await recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order', summary: { orderNumbers: ['A-1'] } }, id);
          return (await stored([id])).length;
        }),
      );
      expect(seenAtResolve.every((n) => n === 1), 'each row was there when its promise resolved').to.equal(true);
      expect(new Set(await stored(ids))).to.deep.equal(new Set(ids));
      const used = inserts - before;
      expect(used).to.be.greaterThan(0);
      expect(used, `${used} INSERTs for 120 reads`).to.be.lessThan(120);
    });

    it('fails only the caller whose row is refused; the reads batched with it are stored', async () => {
      const good = Array.from({ length: 20 }, () => randomUUID());
      const bad = randomUUID();
      const stranger: Actor = { ...actor, shopId: randomUUID() }; // no such shop: the foreign key refuses the row
      const results = await Promise.allSettled([
        ...good.slice(0, 10).map((id) => recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order' }, id)),
        recordAudit(database.db, stranger, { action: 'orders.listed', objectType: 'order' }, bad),
        ...good.slice(10).map((id) => recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order' }, id)),
      ]);
      expect(results.filter((r) => r.status === 'rejected')).to.have.length(1);
      expect(results[10]!.status).to.equal('rejected');
      expect(new Set(await stored(good))).to.deep.equal(new Set(good));
      expect(await stored([bad])).to.deep.equal([]);
    });

    it('inside a transaction, writes the row in it: rolled back with it', async () => {
      const id = randomUUID();
      const undo = new Error('undo');
      await database.db
        .transaction(async (tx) => {
          await recordAudit(tx, actor, { action: 'conversation.updated', objectType: 'conversation' }, id);
          expect(await tx.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.requestId, id))).to.have.length(1);
          throw undo;
        })
        .catch((e: unknown) => {
          if (e !== undo) throw e;
        });
      expect(await stored([id])).to.deep.equal([]);
    });
  });
}
