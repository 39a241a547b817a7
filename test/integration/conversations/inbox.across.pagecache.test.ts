import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { listMyQueue } from '../../../server/domains/conversations/conversations.myqueue.ts';
import { InboxPageCache } from '../../../server/domains/conversations/conversations.pagecache.ts';
import { keyMine } from '../../../server/domains/conversations/conversations.pagecache.keys.ts';
import { MINE_MAX_ASKED, myShopsChangesSince, myShopsSeen, myShopsWithSession, type MineSeen } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { findSession, insertSession } from '../../../server/domains/auth/auth.repository.ts';
import { insertMembership } from '../../../server/domains/shops/shops.repository.ts';
import { countStatements, driverClient, testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * "All my shops" kept in the process, as one shop's inbox page is: answered again only while
 * none of the person's shops changed what a page shows, and never to someone who sees one of
 * the shops another way (masked or not), is no longer in one, or would see another shop's name.
 * Checked by the cache's own statement, or by what the session's read brought (the console's).
 */
type Row = { id: string; shopId: string; shopName: string; status: string; subject: string | null; customer: { name: string; email: string | null }; assignee: { name: string } | null };
type Page = { conversations: Row[]; next: string | null };

for (const kind of dbKinds) for (const via of ['statement', 'session'] as const) {
  describe(`[${kind}] all my shops, kept while none of the shops changes, checked ${via === 'session' ? "in the session's read" : 'by its own statement'}`, function () {
    this.timeout(60_000);
    let database: Database;
    /** A: the person is an agent there; B: a contractor; C: not theirs. */
    let a: TestShop, b: TestShop, c: TestShop;
    let person: TestPerson;
    /** Staff in A and contractor in B: the same shops, seen the same way as `person`. */
    let twin: TestPerson;
    let cache: InboxPageCache;
    let counted: Record<'hit' | 'miss' | 'changed' | 'joined', number>;
    const ids: Record<'a' | 'b' | 'c' | 'b2', string> = { a: '', b: '', c: '', b2: '' };
    const emailB = 'hanako.yamada@example.jp';

    const sessions = new Map<string, string>();
    /** What the route's session read brings along for `who` and the shop asked for, as the middleware reads it for the console. */
    const sessionOf = async (who: TestPerson) => {
      if (!sessions.has(who.id)) {
        const now = new Date();
        sessions.set(who.id, randomUUID());
        await insertSession(database.db, { id: sessions.get(who.id)!, userId: who.id, csrfToken: 'csrf', createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3_600_000) });
      }
      return sessions.get(who.id)!;
    };
    const seenBy = async (who: TestPerson, shopId: string | undefined): Promise<MineSeen | undefined> =>
      via === 'statement' ? undefined : (await findSession(database.db, await sessionOf(who), shopId ?? null, cache.alongMine))!.along;
    /** The page as `who` reads it, kept by the test's cache (with the session's read, a check of its own only with `own`), or read without one. */
    const listed = async (q: Partial<InboxQuery & { shopId: string }>, who: TestPerson, kept: boolean, own = false) => {
      const seen = kept ? await seenBy(who, q.shopId) : undefined;
      const sent: string[] = [];
      const restore = countStatements(driverClient(database), sent);
      try {
        return await listMyQueue(database.db, { userId: who.id, name: who.name }, { limit: 20, ...q }, kept ? cache : undefined, seen);
      } finally {
        restore();
        if (seen) expect(sent.filter((t) => t === myShopsSeen.text)).to.have.length(own ? 1 : 0);
      }
    };
    /** A page as `who` reads it, kept by the test's cache, or with `kept` false read without one. */
    const read = async (q: Partial<InboxQuery & { shopId: string }> = {}, who = person, kept = true) => JSON.parse((await listed(q, who, kept)).text) as Page;
    const row = (p: Page, id: string) => p.conversations.find((r) => r.id === id);

    before(async () => {
      database = await testDatabase(kind);
      [a, b, c] = [await makeShop(database), await makeShop(database), await makeShop(database)];
      person = a.people.agent;
      twin = a.people.staff;
      await insertMembership(database.db, b.id, person.id, 'contractor');
      await insertMembership(database.db, b.id, twin.id, 'contractor');
      for (const who of [person, twin]) await sessionOf(who);
      ids.a = (await aConversation(database.db, a.id, (await aCustomer(database.db, a.id, { name: '鈴木 太郎', email: 'taro.suzuki@example.jp' })).id)).id;
      ids.b = (await aConversation(database.db, b.id, (await aCustomer(database.db, b.id, { name: '山田 花子', email: emailB })).id)).id;
      ids.c = (await aConversation(database.db, c.id, (await aCustomer(database.db, c.id)).id)).id;
    });
    beforeEach(() => {
      counted = { hit: 0, miss: 0, changed: 0, joined: 0 };
      cache = new InboxPageCache({ maxBytes: 8 * 1024 * 1024, maxAgeMs: 60_000, observe: (r) => void counted[r]++ });
    });
    after(() => database.close());

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

    if (kind === 'postgres') {
      it(`checks a hundred shops' changes by their key in the plan it keeps for any ${via === 'session' ? 'session' : 'person'} and snapshot (the generic one)`, async () => {
        const client = await (driverClient(database) as unknown as import('pg').Pool).connect();
        const many = await makeShop(database, `百店舗 ${Date.now()}`, ['owner']);
        try {
          // A person in a hundred shops, each with changes from long ago (below any snapshot's xmin):
          // first every id in every shop, then as many again with each id in one shop. A young
          // server (a new machine's, the test alone) first gives that many ids away.
          await client.query(`do $$ begin while pg_snapshot_xmin(pg_current_snapshot())::text::bigint <= 20002 loop perform pg_current_xact_id(); commit; end loop; end $$`);
          await client.query(`insert into shops (name) select 'plan ' || g || ' ' || $1 from generate_series(1, 99) g`, [many.id]);
          await client.query(`insert into memberships (shop_id, user_id, role) select id, $1, 'contractor' from shops where name like 'plan % ' || $2`, [many.people.owner.id, many.id]);
          const shapes = [
            `select m.shop_id, g::text::xid8 from memberships m, generate_series(3, 60) g where m.user_id = $1`,
            `select m.shop_id, (100 + g * 100 + m.i)::text::xid8 from (select shop_id, row_number() over (order by shop_id) as i from memberships where user_id = $1) m, generate_series(0, 57) g`,
          ];
          await client.query('set plan_cache_mode = force_generic_plan');
          // As the route sends it: the person (or the session's id) and the shop as uuids.
          const [text, who] = via === 'session' ? [`(text, uuid, text) as ${myShopsWithSession.text}`, await sessionOf(many.people.owner)] : [`(uuid, uuid, text) as ${myShopsSeen.text}`, many.people.owner.id];
          await client.query(`prepare generic_mine${text}`);
          for (const shape of shapes) {
            await client.query(`insert into inbox_changes (shop_id, xid) ${shape} on conflict do nothing`, [many.people.owner.id]);
            await client.query('analyze inbox_changes; analyze memberships');
            for (const asked of ['{}', '{10,20,30}', `{${Array.from({ length: MINE_MAX_ASKED }, (_, i) => 200 + i * 100).join(',')}}`]) {
              const { rows } = await client.query(`explain (analyze, buffers, format json) execute generic_mine(${client.escapeLiteral(who)}, null, '${asked}')`);
              const scans: string[] = [];
              const walk = (n: Record<string, unknown>) => {
                // A bitmap scan's condition on the index is its Recheck Cond (its Bitmap Index Scan's).
                if (n['Relation Name'] === 'inbox_changes' && n['Actual Loops'] !== 0) scans.push(`${n['Node Type']} ${(n['Index Cond'] ?? n['Recheck Cond'] ?? '') as string}`);
                for (const c of (n['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
              };
              const plan = (rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan;
              walk(plan);
              const seen = `${shape.slice(0, 40)}…, asked ${asked}:\n${scans.join('\n')}`;
              // The newest change of each shop and of every shop, and each xid asked about in every shop: all by key.
              expect(scans.length, seen).to.equal(asked === '{}' ? 2 : 3);
              // (With no change of every shop yet, PostgreSQL reads its key's few entries rather than a step backwards: by key too.)
              expect(scans[0], seen).to.match(/^Index Only Scan \(\(shop_id = \$\d+\) AND \(xid IS NOT NULL\)\)$/);
              expect(scans[1], seen).to.match(/^Index Only Scan \(+shop_id = '0{8}-/);
              // Each xid in each shop by the whole key.
              if (asked !== '{}') expect(scans[2], seen).to.match(/^Index Only Scan \(\(shop_id = \w+\.shop_id\) AND \(xid = a\.xid\)\)$/);
              // A step of the key a shop, and one for each xid asked about in every shop: a few buffers each, never the changes read.
              const asks = asked === '{}' ? 0 : asked.split(',').length;
              expect(plan['Shared Hit Blocks'] as number, seen).to.be.below(100 + 5 * 101 * (1 + asks));
            }
          }
        } finally {
          await client.query('deallocate generic_mine; reset plan_cache_mode').catch(() => undefined);
          await client.query(`delete from inbox_changes where shop_id in (select shop_id from memberships where user_id = $1)`, [many.people.owner.id]);
          client.release();
        }
      });

      const running: Array<[string, string, () => string, (p: Page) => boolean]> = [
        ['a conversation of a shop of theirs changed', `update conversations set subject = '走っていた' where id = $1`, () => ids.b, (p) => row(p, ids.b)!.subject === '走っていた'],
        // Written for every shop: the running transactions' look-up must take those rows too.
        ['its assignee renamed', `update users set name = '担当 三郎' where id = $1`, () => b.people.agent.id, (p) => row(p, ids.b)!.assignee?.name === '担当 三郎'],
        // Asked about, and found to have written nothing of theirs: the page is still answered.
        ['a shop not theirs changed (the page is kept)', `update conversations set subject = '他店' where id = $1`, () => ids.c, () => false],
      ];
      if (via === 'session')
        it(`checks a page by its own statement when the session's read asked about the ${MINE_MAX_ASKED} newest running transactions, not its own`, async () => {
          const views = Array.from({ length: MINE_MAX_ASKED + 2 }, (_, i) => ({ limit: 10 + i }));
          const writer = await (driverClient(database) as unknown as import('pg').Pool).connect();
          try {
            for (const [i, v] of views.entries()) {
              await writer.query('begin');
              // The first page's in a shop of theirs, the others' in a shop not theirs.
              await writer.query(`update conversations set subject = $2 where id = $1`, [i === 0 ? ids.b : ids.c, `走行中 ${i}`]);
              // A later transaction that ends first: the writer is then listed as running in the page's snapshot.
              await aCustomer(database.db, a.id);
              await read(v);
              await writer.query('commit');
            }
          } finally {
            writer.release();
          }
          expect(counted).to.include({ miss: views.length, hit: 0 });
          expect((cache.alongMine.params(null)![0] as string).split(',')).to.have.length(MINE_MAX_ASKED);
          // The newest page's transaction was asked about with the session: kept, with no statement of its own.
          await read(views.at(-1));
          expect(counted).to.include({ hit: 1, changed: 0 });
          // The first page's was not: its own statement finds it wrote in a shop of theirs.
          const p = JSON.parse((await listed(views[0]!, person, true, true)).text) as Page;
          expect(row(p, ids.b)!.subject).to.equal('走行中 0');
          expect(counted).to.include({ hit: 1, changed: 1 });
        });

      for (const [what, text, id, shows] of running) {
        it(`judges a transaction still running when the page was read once it commits: ${what}`, async () => {
          await database.db.execute(sql`update conversations set assignee_id = ${b.people.agent.id} where id = ${ids.b}`);
          const pool = driverClient(database) as unknown as import('pg').Pool;
          const writer = await pool.connect();
          try {
            await writer.query('begin');
            await writer.query(text, [id()]);
            // A later transaction that ends first: the writer is then listed as running in the page's snapshot.
            await aCustomer(database.db, a.id);
            expect(shows(await read())).to.equal(false);
            expect(counted.miss).to.equal(1);
            // The session's read asks about it.
            const { xid } = (await writer.query('select pg_current_xact_id()::text as xid')).rows[0] as { xid: string };
            if (via === 'session') expect(cache.alongMine.params(null)![0]).to.match(new RegExp(`[{,]${xid}[,}]`));
            await writer.query('commit');
          } finally {
            writer.release();
          }
          const p = await read();
          expect(p).to.deep.equal(await read({}, person, false));
          if (what.endsWith('(the page is kept)')) expect(counted).to.include({ changed: 0, hit: 1 });
          else {
            expect(shows(p)).to.equal(true);
            expect(counted).to.include({ changed: 1, hit: 0 });
          }
        });
      }
    }
  });
}
