import { expect } from 'chai';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { listAuditJson } from '../../../server/domains/audit/audit.repository.ts';
import { auditEventView, auditPage } from '../../../server/domains/audit/audit.schema.ts';
import { readAudit } from '../../../server/domains/audit/audit.service.ts';
import { searchRecord } from '../../../server/domains/audit/audit.search.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

/**
 * The audit trail's rows are written as JSON by PostgreSQL (listAuditJson) and sent on as
 * they are. They must be what the process wrote before: the row without its shop, its time as
 * Date.toISOString writes it. Summaries of every shape (nested, Japanese, escapes, numbers
 * JSON can hold, empty), every kind of actor, nulls, times with microseconds.
 */
const SUMMARIES: Array<Record<string, unknown>> = [
  {},
  { number: 12, reason: '配送の "遅れ" \\ について\n😀', nested: { a: [1, 2.5, -0.125, null, true, false], b: { c: 'd' } } },
  { orderNumbers: ['A-1', 'B-2'], search: { kind: 'email', digest: 'abc123', masked: 't***@e***.jp' } },
  { big: 9007199254740991, small: 1e-7, tab: 'a\tb', control: '\u0001', empty: '', list: [] },
];

/** What the route answered before PostgreSQL wrote the rows: the row without its shop, the time as toISOString writes it. */
const processShape = ({ shopId: _s, ...e }: typeof auditEvents.$inferSelect) => ({ ...e, createdAt: e.createdAt.toISOString() });

for (const kind of dbKinds) {
  describe(`[${kind}] the audit trail as JSON PostgreSQL writes`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    let owner: Actor;

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      other = await makeShop(database);
      owner = { kind: 'user', shopId: shop.id, userId: shop.people.owner.id, name: shop.people.owner.name, role: 'owner' };
      const rows = SUMMARIES.flatMap((summary, i) => [
        sql`(${shop.id}, 'user', ${shop.people.staff.id}, '佐藤 (staff)', 'order.revealed', 'order', ${`A-${i}`}, ${JSON.stringify(summary)}::jsonb, ${`req-${i}`}, timestamptz '2026-03-01 10:00:00.123999+09' + ${`${i} minutes`}::interval)`,
        sql`(${shop.id}, 'api_key', 'key-1', 'shop key', 'orders.listed', 'order', null, ${JSON.stringify(summary)}::jsonb, null, now() - ${`${i} hours`}::interval)`,
        sql`(${shop.id}, 'system', null, 'system', 'return.expired', 'return', 'r-1', ${JSON.stringify(summary)}::jsonb, null, timestamptz '2026-12-31 23:59:59.999999+09')`,
      ]);
      await database.db.execute(sql`insert into audit_events (shop_id, actor_type, actor_id, actor_label, action, object_type, object_id, summary, request_id, created_at)
        values ${sql.join(rows, sql`, `)}`);
      await database.db.execute(sql`insert into audit_events (shop_id, actor_type, actor_label, action, object_type) values (${other.id}, 'system', 'system', 'other.shop', 'order')`);
    });
    after(() => database.close());

    it('writes each row as the process did, newest first, and only the shop’s, whatever the session’s time zone', async () => {
      // In Tokyo time, as a console's session could be: a time written without its zone would be nine hours off.
      const json = await database.db.transaction(async (tx) => {
        await tx.execute(sql`set local timezone = 'Asia/Tokyo'`);
        return listAuditJson(tx, shop.id, { limit: 100 });
      });
      const rows = await database.db.select().from(auditEvents).where(eq(auditEvents.shopId, shop.id));
      const expected = rows.sort((a, b) => b.id - a.id).map(processShape);
      expect(json.map((r) => r.id)).to.deep.equal(expected.map((e) => e.id));
      expect(json.map((r) => JSON.parse(r.dto) as unknown)).to.deep.equal(expected);
      for (const r of json) expect(Object.keys(auditEventView.strict().parse(JSON.parse(r.dto)))).to.have.length(10);
    });

    it('pages with nextBefore and filters as the API says', async () => {
      const first = auditPage.strict().parse(JSON.parse((await readAudit(database.db, owner, { limit: 5 })).text));
      expect(first.events).to.have.length(5);
      expect(first.nextBefore).to.equal(first.events[4]!.id);
      const rest = auditPage.parse(JSON.parse((await readAudit(database.db, owner, { limit: 100, before: first.nextBefore! })).text));
      expect(rest.nextBefore).to.equal(null);
      expect(first.events.length + rest.events.length).to.equal(SUMMARIES.length * 3);
      expect(rest.events.every((e) => e.id < first.nextBefore!)).to.equal(true);
      const keys = auditPage.parse(JSON.parse((await readAudit(database.db, owner, { limit: 50, actorId: 'key-1' })).text));
      expect(keys.events.map((e) => e.actorType)).to.deep.equal(SUMMARIES.map(() => 'api_key'));
      const none = await readAudit(database.db, owner, { limit: 50, action: 'no.such.action' });
      expect(JSON.parse(none.text)).to.deep.equal({ events: [], nextBefore: null });
    });

    it('finds the searches for a value by its digest, and the rows of a window of time', async () => {
      const { digest } = await searchRecord(database.db, shop.id, 'taro@example.jp');
      await database.db.execute(sql`insert into audit_events (shop_id, actor_type, actor_label, action, object_type, summary)
        values (${shop.id}, 'user', 'searcher', 'orders.listed', 'order', ${JSON.stringify({ search: { kind: 'email', digest } })}::jsonb)`);
      const searched = auditPage.parse(JSON.parse((await readAudit(database.db, owner, { limit: 50, searched: 'taro@example.jp' })).text));
      expect(searched.events.map((e) => e.actorLabel)).to.deep.equal(['searcher']);
      const window = { from: new Date('2026-03-01T01:00:00Z'), to: new Date('2026-03-01T01:02:00Z') };
      const inWindow = auditPage.parse(JSON.parse((await readAudit(database.db, owner, { limit: 50, ...window })).text));
      // The rows of 10:00:00.123, 10:01 and 10:02 Tokyo time; 10:02:00.123 is past the window's end.
      expect(inWindow.events.map((e) => e.createdAt)).to.deep.equal(['2026-03-01T01:01:00.123Z', '2026-03-01T01:00:00.123Z']);
    });

    it('is the owner’s alone', async () => {
      const staff: Actor = { kind: 'user', shopId: shop.id, userId: shop.people.staff.id, name: shop.people.staff.name, role: 'staff' };
      let refused: unknown;
      await readAudit(database.db, staff, { limit: 5 }).catch((e: unknown) => (refused = e));
      expect(refused).to.have.property('code', 'forbidden');
    });
  });
}
