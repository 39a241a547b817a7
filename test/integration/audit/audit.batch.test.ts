import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { recordAudit } from '../../../server/domains/audit/audit.service.ts';
import { MAX_WAITING_ROWS } from '../../../server/domains/audit/audit.batch.ts';
import { unavailableDependency } from '../../../server/core/unavailable.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { driverClient, testDatabase } from '../../helpers/db.ts';
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

    if (kind === 'pglite') {
      it('refuses a read at once (503) when the rows waiting reach their bound, and stores those already waiting once the INSERT goes through', async () => {
        // One row in flight, and as many waiting as may.
        const ids = Array.from({ length: 1 + MAX_WAITING_ROWS }, () => randomUUID());
        let release!: () => void;
        let started!: () => void;
        const holding = new Promise<void>((r) => (started = r));
        // PGlite runs one thing at a time: an open transaction holds back the batcher's INSERT.
        const held = database.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          started();
          await new Promise<void>((r) => (release = r));
        });
        await holding;
        const first = recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order' }, ids[0]);
        const rest = ids.slice(1).map((id) => recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order' }, id));
        const over = await recordAudit(database.db, actor, { action: 'orders.listed', objectType: 'order' }, randomUUID()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(unavailableDependency(over)).to.equal('database');
        release();
        await held;
        await Promise.all([first, ...rest]);
        expect((await stored(ids)).length).to.equal(ids.length);
      });
    }

    it('fails every waiting read at once when the database is away, trying no row alone', async () => {
      const gone = await testDatabase(kind);
      const client = driverClient(gone);
      const query = client.query.bind(client);
      let attempts = 0;
      client.query = (...a: unknown[]) => {
        const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
        if (text?.startsWith('insert into "audit_events"')) attempts += 1;
        // What the driver says of a server that went away (node-postgres: ECONNREFUSED on a new connection).
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
      };
      try {
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => recordAudit(gone.db, actor, { action: 'orders.listed', objectType: 'order' }, randomUUID())));
        expect(results.every((r) => r.status === 'rejected' && unavailableDependency(r.reason) === 'database')).to.equal(true);
        // The first alone, the other nineteen together: never one attempt each.
        expect(attempts).to.be.at.most(2);
      } finally {
        client.query = query;
        await gone.close();
      }
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
