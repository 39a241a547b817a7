import { expect } from 'chai';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { desc, eq } from 'drizzle-orm';
import { insertAudit, type AuditFilter, type AuditRow } from '../../../server/domains/audit/audit.repository.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { readAudit, type AuditEventView } from '../../../server/domains/audit/audit.service.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

/**
 * The owner's page of the trail is written by PostgreSQL, event by event (listAuditJson), and
 * sent on as text: each event must read as the row it is, as the process wrote it before (every
 * field but the shop, the time as toISOString writes it), for every filter and page.
 */
type Page = { events: AuditEventView[]; nextBefore: number | null };

for (const kind of dbKinds) {
  describe(`[${kind}] the audit trail as the owner reads it`, function () {
    this.timeout(30_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    let owner: Actor;

    before(async () => {
      database = await testDatabase(kind);
      [shop, other] = [await makeShop(database), await makeShop(database)];
      owner = { kind: 'user', shopId: shop.id, userId: shop.people.owner.id, name: shop.people.owner.name, role: 'owner' };
      const summaries: Array<Record<string, unknown>> = [
        {},
        { number: 12, from: 'open', to: 'resolved' },
        { search: { kind: 'email', digest: 'abc' }, shown: ['#1001', '#1002'], note: '返品の「理由」\n改行 "引用" \\ と絵文字 🙇' },
        { reason: null, nested: { deep: [1, 2.5, true, null] } },
      ];
      for (const [s, n] of [
        [shop, 23],
        [other, 5],
      ] as const) {
        await insertAudit(
          database.db,
          Array.from({ length: n }, (_, i) => ({
            shopId: s.id,
            actorType: (['user', 'api_key', 'system'] as const)[i % 3]!,
            actorId: i % 3 === 2 ? null : `actor-${i % 2}`,
            actorLabel: i % 2 ? '山田 花子 (owner)' : 'shop key',
            action: i % 4 === 0 ? 'order.revealed' : 'conversation.updated',
            objectType: i % 4 === 0 ? 'order' : 'conversation',
            objectId: i % 5 === 0 ? null : `object-${i}`,
            summary: summaries[i % summaries.length]!,
            requestId: i % 2 ? `req-${i}` : null,
            createdAt: new Date(Date.UTC(2026, 11, 1, 9, 0, i, i * 37)),
          })),
        );
      }
    });
    after(() => database?.close());

    const read = async (f: Partial<AuditFilter> = {}) => JSON.parse((await readAudit(database.db, owner, { limit: 50, ...f })).text) as Page;
    /** The shop's rows the filter keeps, newest first, as the process wrote each event before: every field but the shop, the time by toISOString. */
    const asBefore = async (f: Partial<AuditFilter> = {}) => {
      const keeps = (e: AuditRow) =>
        (f.actorId === undefined || e.actorId === f.actorId) &&
        (f.action === undefined || e.action === f.action) &&
        (f.objectType === undefined || e.objectType === f.objectType) &&
        (f.objectId === undefined || e.objectId === f.objectId) &&
        (f.from === undefined || e.createdAt >= f.from) &&
        (f.to === undefined || e.createdAt <= f.to);
      const rows = await database.db.select().from(auditEvents).where(eq(auditEvents.shopId, shop.id)).orderBy(desc(auditEvents.id));
      return rows
        .filter(keeps)
        .slice(0, f.limit ?? 50)
        .map(({ shopId: _s, ...e }) => ({ ...e, createdAt: e.createdAt.toISOString() }));
    };

    for (const [what, f] of [
      ['every event', {}],
      ['one actor', { actorId: 'actor-1' }],
      ['one action', { action: 'order.revealed' }],
      ['one object', { objectType: 'conversation', objectId: 'object-7' }],
      ['a period', { from: new Date(Date.UTC(2026, 11, 1, 9, 0, 5)), to: new Date(Date.UTC(2026, 11, 1, 9, 0, 15)) }],
    ] as Array<[string, Partial<AuditFilter>]>) {
      it(`answers ${what} as the rows are, field for field, none of another shop`, async () => {
        const page = await read(f);
        expect(page.events.length).to.be.greaterThan(0);
        expect(page.events).to.deep.equal(await asBefore(f));
        expect(page.nextBefore).to.equal(null);
      });
    }

    it('pages newest first through nextBefore: each event once', async () => {
      const seen: AuditEventView[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await read({ limit: 7, before });
        expect(page.events.length).to.be.at.most(7);
        seen.push(...page.events);
        if (page.nextBefore === null) break;
        expect(page.nextBefore).to.equal(page.events.at(-1)!.id);
        before = page.nextBefore;
      }
      expect(seen).to.deep.equal(await asBefore({ limit: 100 }));
      expect(seen).to.have.length(23);
    });

    it('is for the owner alone', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const someone: Actor = { ...owner, role } as Actor;
        let refused: unknown;
        await readAudit(database.db, someone, { limit: 50 }).catch((e: unknown) => (refused = e));
        expect((refused as { code?: string } | undefined)?.code, role).to.equal('forbidden');
      }
    });
  });
}
