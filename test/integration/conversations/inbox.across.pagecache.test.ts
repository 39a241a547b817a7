import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { keyMine } from '../../../server/domains/conversations/conversations.pagecache.keys.ts';
import { MINE_MAX_ASKED, myShopsChangesSince, myShopsWithSession } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { insertMembership } from '../../../server/domains/shops/shops.repository.ts';
import { countStatements, driverClient } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';
import { acrossSuite, type Counted, type Page } from './across.pagecache.fixture.ts';

/**
 * "All my shops" kept in the process, as one shop's inbox page is: answered again only while
 * none of the person's shops changed what a page shows, and never to someone who sees one of
 * the shops another way (masked or not), is no longer in one, or would see another shop's name.
 * Checked by the cache's own statement, or by what the session's read brought (the console's).
 */

for (const kind of dbKinds) for (const via of ['statement', 'session'] as const) {
  describe(`[${kind}] all my shops, kept while none of the shops changes, checked ${via === 'session' ? "in the session's read" : 'by its own statement'}`, function () {
    this.timeout(60_000);
    const t = acrossSuite(kind, via);
    const { ids, emailB, read, listed, row } = t;
    let database: Database, a: TestShop, b: TestShop, c: TestShop, person: TestPerson, twin: TestPerson;
    let counted: Counted;
    before(() => void ({ database, a, b, c, person, twin } = t));
    beforeEach(() => void ({ counted } = t));

    it('answers the page read again from the one it kept, the same JSON as a read without the cache, with one statement (their shops and the changes)', async () => {
      const sent: string[] = [];
      const restore = countStatements(driverClient(database), sent);
      let first: Page, second: Page;
      try {
        first = await read();
        // The check (the session's read, with it), their shops, the page.
        expect(sent, sent.join('\n')).to.have.length(3);
        sent.length = 0;
        second = await read();
      } finally {
        restore();
      }
      expect(sent, sent.join('\n')).to.have.length(1);
      expect(sent[0]).to.match(/"mine:tag"/).and.match(/pg_current_snapshot/);
      if (via === 'session') expect(sent[0]).to.equal(myShopsWithSession.text);
      expect(second).to.deep.equal(first);
      expect(await read({}, person, false)).to.deep.equal(first);
      expect(counted).to.include({ miss: 1, hit: 1 });
      expect(first.conversations.map((r) => r.id)).to.have.members([ids.a, ids.b]);
      // Masked in B, where they are a contractor, and not in A.
      expect(row(first, ids.b)!.customer.email).to.match(/\*/);
      expect(row(first, ids.a)!.customer.email).to.equal('taro.suzuki@example.jp');
    });

    const changes: Array<[string, () => Promise<void>, (p: Page) => void]> = [
      ['a conversation of the first shop changes', async () => void (await database.db.execute(sql`update conversations set subject = '返品の件' where id = ${ids.a}`)), (p) => expect(row(p, ids.a)!.subject).to.equal('返品の件')],
      ['a conversation of the second shop changes', async () => void (await database.db.execute(sql`update conversations set subject = '交換の件' where id = ${ids.b}`)), (p) => expect(row(p, ids.b)!.subject).to.equal('交換の件')],
      ['a customer of the second shop is renamed', async () => void (await database.db.execute(sql`update customers set name = '山田 花' where shop_id = ${b.id}`)), (p) => expect(row(p, ids.b)!.customer.name).to.equal('山田 花')],
      [
        'the assignee is renamed (a change of every shop)',
        async () => {
          await database.db.execute(sql`update conversations set assignee_id = ${b.people.agent.id} where id = ${ids.b}`);
          await read();
          await database.db.execute(sql`update users set name = '担当 次郎' where id = ${b.people.agent.id}`);
        },
        (p) => expect(row(p, ids.b)!.assignee!.name).to.equal('担当 次郎'),
      ],
      ['a conversation is added in the second shop', async () => void (ids.b2 = (await aConversation(database.db, b.id, (await aCustomer(database.db, b.id)).id)).id), (p) => expect(row(p, ids.b2)).to.not.equal(undefined)],
    ];
    for (const [what, change, check] of changes) {
      it(`reads the page again once ${what}`, async () => {
        await read();
        await change();
        const before = { ...counted };
        const p = await read();
        check(p);
        expect(counted).to.include({ changed: before.changed + 1, hit: before.hit });
        expect(p).to.deep.equal(await read({}, person, false));
        await read();
        expect(counted.hit).to.be.greaterThan(0);
      });
    }

    it('keeps the page when a shop that is not theirs changes', async () => {
      await read();
      await database.db.execute(sql`update conversations set subject = '別の店' where id = ${ids.c}`);
      await read();
      expect(counted).to.include({ miss: 1, hit: 1, changed: 0 });
    });

    it("shows a shop's contact data once its contractor becomes its agent, and masks it again once they are a contractor again", async () => {
      expect(row(await read(), ids.b)!.customer.email).to.match(/\*/);
      try {
        await database.db.execute(sql`update memberships set role = 'agent' where shop_id = ${b.id} and user_id = ${person.id}`);
        expect(row(await read(), ids.b)!.customer.email).to.equal(emailB);
      } finally {
        await database.db.execute(sql`update memberships set role = 'contractor' where shop_id = ${b.id} and user_id = ${person.id}`);
      }
      expect(row(await read(), ids.b)!.customer.email).to.match(/\*/);
      // The same key, read again each time their shops are not as the page was read with.
      expect(counted).to.include({ miss: 1, changed: 2, hit: 0 });
    });

    it('shows nothing of a shop they have left, though the page with it is kept, and a shop they joined', async () => {
      expect(row(await read(), ids.b)).to.not.equal(undefined);
      await insertMembership(database.db, c.id, person.id, 'agent');
      try {
        expect(row(await read(), ids.c)).to.not.equal(undefined);
      } finally {
        await database.db.execute(sql`delete from memberships where shop_id = ${c.id} and user_id = ${person.id}`);
      }
      expect(row(await read(), ids.c)).to.equal(undefined);
      await database.db.execute(sql`delete from memberships where shop_id = ${b.id} and user_id = ${person.id}`);
      try {
        const p = await read();
        expect(p.conversations.map((r) => r.shopId)).to.deep.equal([a.id]);
      } finally {
        await insertMembership(database.db, b.id, person.id, 'contractor');
      }
    });

    it("shows a shop's new name at once", async () => {
      expect(row(await read(), ids.b)!.shopName).to.equal(b.name);
      await database.db.execute(sql`update shops set name = '新しい店名' where id = ${b.id}`);
      try {
        expect(row(await read(), ids.b)!.shopName).to.equal('新しい店名');
      } finally {
        await database.db.execute(sql`update shops set name = ${b.name} where id = ${b.id}`);
      }
    });

    it("keeps each person's page apart, and never answers one kept for somebody else as 'mine'", async () => {
      const mine = await read();
      expect(await read({}, twin)).to.deep.equal(mine);
      expect(counted).to.include({ miss: 2, hit: 0 });
      await database.db.execute(sql`update conversations set assignee_id = ${person.id} where id = ${ids.a}`);
      try {
        expect((await read({ assignee: 'me' })).conversations.map((r) => r.id)).to.deep.equal([ids.a]);
        expect((await read({ assignee: 'me' }, twin)).conversations).to.deep.equal([]);
      } finally {
        await database.db.execute(sql`update conversations set assignee_id = null where id = ${ids.a}`);
      }
    });

    it('keeps one shop of theirs (shopId) apart from all of them, and refuses a shop not theirs, kept page or not', async () => {
      const all = await read();
      const onlyB = await read({ shopId: b.id });
      expect(new Set(onlyB.conversations.map((r) => r.shopId))).to.deep.equal(new Set([b.id]));
      expect(await read({ shopId: b.id })).to.deep.equal(onlyB);
      expect(await read()).to.deep.equal(all);
      expect(counted).to.include({ miss: 2, hit: 2 });
      const f = { limit: 21, now: new Date() };
      expect(keyMine(person.id, undefined, f)).to.not.equal(keyMine(person.id, b.id, f));
      expect(keyMine(person.id, undefined, f)).to.not.equal(keyMine(twin.id, undefined, f));
      for (const kept of [true, false]) {
        const refused = await listed({ shopId: c.id }, person, kept).then(() => 'answered', (e: Error & { code?: string }) => e.code);
        expect(refused).to.equal('not_found');
      }
      await database.db.execute(sql`delete from memberships where shop_id = ${b.id} and user_id = ${person.id}`);
      try {
        const refused = await read({ shopId: b.id }).then(() => 'answered', (e: Error & { code?: string }) => e.code);
        expect(refused).to.equal('not_found');
      } finally {
        await insertMembership(database.db, b.id, person.id, 'contractor');
      }
    });

    it("tells two lists of shops apart whatever their names (a name holding another shop's id and role)", async () => {
      const [x, y] = [await makeShop(database, 'x', ['owner']), await makeShop(database, 'y', ['owner'])].sort((p, q) => (p.id < q.id ? -1 : 1)) as [TestShop, TestShop];
      const who = x.people.owner;
      const inY = (await aConversation(database.db, y.id, (await aCustomer(database.db, y.id)).id)).id;
      // Without each name's length, "<x>owner" + "foo,<y>ownerbar" before and "<x>owner" + "foo" + "," + "<y>owner" + "bar" after are one text.
      await database.db.execute(sql`update shops set name = ${`foo,${y.id}ownerbar`} where id = ${x.id}`);
      await database.db.execute(sql`update shops set name = 'bar' where id = ${y.id}`);
      expect(row(await read({}, who), inY)).to.equal(undefined);
      await database.db.execute(sql`update shops set name = 'foo' where id = ${x.id}`);
      await insertMembership(database.db, y.id, who.id, 'owner');
      const p = await read({}, who);
      expect(row(p, inY)?.shopName).to.equal('bar');
      expect(counted).to.include({ miss: 1, changed: 1, hit: 0 });
    });

    it(`reads a page again whose snapshot saw more than ${MINE_MAX_ASKED} transactions running, rather than asking about each in every shop`, async () => {
      const { snapshot } = await myShopsChangesSince(database.db, person.id, undefined, undefined);
      const cut = snapshot.lastIndexOf('/');
      const [xmin, xmax] = snapshot.slice(cut + 1).split(':') as [string, string];
      // Transactions that wrote nothing (ids not given yet): asked about, they leave the page as it is.
      const running = (n: number) => `${snapshot.slice(0, cut)}/${xmin}:${xmax}:${Array.from({ length: n }, (_, i) => BigInt(xmax) + 1000n + BigInt(i)).join(',')}`;
      expect((await myShopsChangesSince(database.db, person.id, undefined, running(MINE_MAX_ASKED))).changed).to.equal(false);
      expect((await myShopsChangesSince(database.db, person.id, undefined, running(MINE_MAX_ASKED + 1))).changed).to.equal(true);
    });

    it("never answers the view without a tag from a page kept for the tag '*'", async () => {
      expect((await read({ tag: '*' })).conversations).to.deep.equal([]);
      expect((await read()).conversations).to.not.deep.equal([]);
      expect(counted).to.include({ miss: 2, hit: 0 });
    });

    it('keeps no search, no later page and no SLA filter', async () => {
      const first = await read({ limit: 1 });
      expect(first.next).to.be.a('string');
      await read({ limit: 1, before: first.next! });
      await read({ q: '山田' });
      await read({ sla: 'breached' });
      expect(counted).to.include({ miss: 1, hit: 0 });
      await read({ limit: 1, before: first.next! });
      expect(counted).to.include({ miss: 1, hit: 0 });
    });

  });
}
