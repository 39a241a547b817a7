import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { listInbox, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import { InboxPageCache } from '../../../server/domains/conversations/conversations.pagecache.ts';
import { changesSeen, EVERY_SHOP, inboxChangesSince, inboxChangesWithSession, pruneInboxChanges } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { snapshotParts } from '../../../server/domains/conversations/conversations.pagecache.snapshot.ts';
import type { Role } from '../../../server/domains/shops/shops.tables.ts';
import { findSession, insertSession } from '../../../server/domains/auth/auth.repository.ts';
import { countStatements, driverClient, testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * An inbox page kept in the process is answered only while nothing it shows has changed: a
 * change to a conversation, its customer, its last message or its assignee's name, committed
 * by any connection (one that was still running when the page was read included), is shown at
 * the next read; an SLA badge changes at its moment without any write; a masked viewer never
 * gets a page kept for one who sees contact data; a kept page costs one statement.
 */
type Page = { conversations: Array<{ id: string; status: string; subject: string | null; lastMessagePreview: string | null; customer: { name: string; email: string | null }; assignee: { name: string } | null; sla: { state: string } }>; next: string | null };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Checked by the cache's own statement (an API key's request), or by what the session's read brought (the console's).
for (const kind of dbKinds) for (const via of ['statement', 'session'] as const) {
  describe(`[${kind}] the inbox page cache, checked ${via === 'session' ? "in the session's read" : 'by its own statement'}`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let cache: InboxPageCache;
    let counted: Record<'hit' | 'miss' | 'changed' | 'joined', number>;
    const newCache = (maxBytes = 8 * 1024 * 1024) => {
      counted = { hit: 0, miss: 0, changed: 0, joined: 0 };
      return new InboxPageCache({ maxBytes, maxAgeMs: 60_000, observe: (r) => void counted[r]++ });
    };
    const actor = (role: Role = 'agent', s = shop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people[role === 'contractor' ? 'contractor' : 'agent'].id, name: role, role });
    const sessionOf: Partial<Record<Role, string>> = {};
    /** What the route's session read brings along, as the middleware reads it for the console. */
    const seenBy = async (role: Role, s = shop) => (via === 'session' ? (await findSession(database.db, sessionOf[role]!, s.id, cache.along))!.along : undefined);
    const read = async (q: Partial<InboxQuery>, role: Role) => JSON.parse((await listInbox(database.db, actor(role), { limit: 20, ...q }, cache, await seenBy(role))).text) as Page;
    /** A page, as the console reads it; one at a time, asserting that with the session's read the cache sent no check of its own. */
    const inbox = async (q: Partial<InboxQuery> = {}, role: Role = 'agent') => {
      const sent: string[] = [];
      const restore = countStatements(driverClient(database), sent);
      try {
        return await read(q, role);
      } finally {
        restore();
        if (via === 'session') expect(sent.filter((t) => t === changesSeen.text)).to.deep.equal([]);
      }
    };
    const counts = () => ({ ...counted });
    let conversationId: string;
    let customerId: string;

    before(async () => {
      database = await testDatabase(kind);
      shop = await makeShop(database);
      for (const role of ['agent', 'contractor'] as const) {
        sessionOf[role] = randomUUID();
        const now = new Date();
        await insertSession(database.db, { id: sessionOf[role]!, userId: shop.people[role].id, csrfToken: 'csrf', createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3_600_000) });
      }
      const customer = await aCustomer(database.db, shop.id, { name: '山田 花子', email: 'hanako@example.jp' });
      customerId = customer.id;
      for (let i = 0; i < 3; i++) await aConversation(database.db, shop.id, customer.id);
      conversationId = (await aConversation(database.db, shop.id, customer.id)).id;
    });
    beforeEach(() => {
      cache = newCache();
    });
    after(() => database.close());

    it(`answers a view read again from the page it kept, with the same JSON, ${via === 'session' ? 'sending no statement but the session' : 'with one statement'}`, async () => {
      const sent: string[] = [];
      const restore = countStatements(driverClient(database), sent);
      let first: Page, second: Page;
      try {
        first = await inbox();
        // The page's read, and the session's or the check's: the snapshot to keep comes with either.
        expect(sent, sent.join('\n')).to.have.length(2);
        sent.length = 0;
        second = await inbox();
      } finally {
        restore();
      }
      expect(second).to.deep.equal(first);
      expect(counts()).to.include({ miss: 1, hit: 1 });
      expect(sent, sent.join('\n')).to.have.length(1);
      expect(sent[0]).to.match(/pg_current_snapshot/).and.match(via === 'session' ? /from sessions s/ : /^(?![\s\S]*from sessions)/);
    });

    const changes: Array<[string, () => Promise<void>, (p: Page) => void]> = [
      ['a conversation changed', async () => void (await database.db.execute(sql`update conversations set status = 'pending' where id = ${conversationId}`)), (p) => expect(p.conversations.find((c) => c.id === conversationId)!.status).to.equal('pending')],
      ['its customer renamed', async () => void (await database.db.execute(sql`update customers set name = '山田 花' where id = ${customerId}`)), (p) => expect(p.conversations[0]!.customer.name).to.equal('山田 花')],
      [
        'its last message edited',
        async () => {
          await database.db.execute(sql`insert into messages (shop_id, conversation_id, seq, client_id, author_kind, author_name, body) values (${shop.id}, ${conversationId}, 1, 'c-1', 'customer', '山田 花子', '届いていません')`);
          await database.db.execute(sql`update conversations set last_seq = 1 where id = ${conversationId}`);
          await inbox();
          await database.db.execute(sql`update messages set body = '届きました' where conversation_id = ${conversationId}`);
        },
        (p) => expect(p.conversations.find((c) => c.id === conversationId)!.lastMessagePreview).to.equal('届きました'),
      ],
      [
        'its assignee renamed',
        async () => {
          await database.db.execute(sql`update conversations set assignee_id = ${shop.people.agent.id} where id = ${conversationId}`);
          await inbox();
          await database.db.execute(sql`update users set name = '担当 次郎' where id = ${shop.people.agent.id}`);
        },
        (p) => expect(p.conversations.find((c) => c.id === conversationId)!.assignee!.name).to.equal('担当 次郎'),
      ],
      [
        'a conversation added, then removed',
        async () => {
          const added = await aConversation(database.db, shop.id, customerId);
          expect((await inbox()).conversations.map((c) => c.id)).to.include(added.id);
          await database.db.execute(sql`delete from conversations where id = ${added.id}`);
        },
        (p) => expect(p.conversations).to.have.length(4),
      ],
      ['its customer removed (with its conversations)', async () => {
        const other = await aCustomer(database.db, shop.id, { name: '消える 客' });
        await aConversation(database.db, shop.id, other.id);
        expect((await inbox()).conversations).to.have.length(5);
        await database.db.execute(sql`delete from customers where id = ${other.id}`);
      }, (p) => expect(p.conversations.map((c) => c.customer.name)).to.not.include('消える 客')],
    ];
    for (const [what, change, check] of changes) {
      it(`reads the page again once ${what}`, async () => {
        await inbox();
        await change();
        const before = counts();
        const p = await inbox();
        check(p);
        expect(counts().hit, 'answered from the kept page').to.equal(before.hit);
        // And the page read again is kept: nothing changed since.
        await inbox();
        expect(counts().hit).to.equal(before.hit + 1);
      });
    }

    it('keeps what fits in its bytes, the least recently used page going first', async () => {
      await inbox({ limit: 20 });
      const one = cache.size().bytes;
      cache = newCache(Math.floor(one * 2.5));
      await inbox({ limit: 20 });
      await inbox({ limit: 19 });
      await inbox({ limit: 20 });
      await inbox({ limit: 18 });
      expect(cache.size().pages).to.equal(2);
      expect(cache.size().bytes).to.be.at.most(Math.floor(one * 2.5));
      const before = counts();
      await inbox({ limit: 20 });
      expect(counts().hit, 'the page used last but one is kept').to.equal(before.hit + 1);
      await inbox({ limit: 19 });
      expect(counts().miss, 'the least recently used page went').to.equal(before.miss + 1);
    });

    it('keeps a view of one shop when another shop changes', async () => {
      const other = await makeShop(database);
      await inbox();
      await aConversation(database.db, other.id, (await aCustomer(database.db, other.id)).id);
      await inbox();
      expect(counts()).to.include({ miss: 1, hit: 1, changed: 0 });
    });

    it('never answers a masked viewer with the page kept for one who sees contact data, nor the other way round', async () => {
      const full = await inbox();
      const masked = await inbox({}, 'contractor');
      expect(full.conversations[0]!.customer.email).to.equal('hanako@example.jp');
      expect(masked.conversations[0]!.customer.email).to.match(/\*/);
      expect((await inbox()).conversations[0]!.customer.email).to.equal('hanako@example.jp');
      expect((await inbox({}, 'contractor')).conversations[0]!.customer.email).to.equal(masked.conversations[0]!.customer.email);
      expect(counts()).to.include({ miss: 2, hit: 2 });
    });

    it("shows an SLA badge's new state at its moment, with no write", async () => {
      const soon = new Date(Date.now() + 1_500);
      await database.db.execute(sql`update conversations set sla_open = true, sla_due_at = ${soon.toISOString()}::timestamptz + interval '1 hour', sla_at_risk_from = ${soon.toISOString()}::timestamptz, sla_breached_from = ${soon.toISOString()}::timestamptz + interval '1 hour' where id = ${conversationId}`);
      const state = (p: Page) => p.conversations.find((c) => c.id === conversationId)!.sla.state;
      expect(state(await inbox())).to.equal('ok');
      expect(state(await inbox())).to.equal('ok');
      expect(counts().hit).to.equal(1);
      await sleep(Math.max(0, soon.getTime() - Date.now()) + 50);
      expect(state(await inbox())).to.equal('at_risk');
      expect(counts().hit).to.equal(1);
      await database.db.execute(sql`update conversations set sla_open = false, sla_due_at = null, sla_at_risk_from = null, sla_breached_from = null where id = ${conversationId}`);
    });

    it('shows a change after the rows telling of it are removed, and removes rows from ids this server has not reached', async () => {
      await inbox();
      await database.db.execute(sql`update conversations set priority = 'urgent' where id = ${conversationId}`);
      // A row from a transaction this server has not reached (a restored dump of another server) goes too.
      await database.db.execute(sql`insert into inbox_changes (shop_id, xid) values (${EVERY_SHOP}, (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000000)::text::xid8)`);
      await pruneInboxChanges(database.db);
      const left = (await database.db.execute(sql`select count(*)::int as n from inbox_changes where xid >= pg_snapshot_xmax(pg_current_snapshot())`)) as unknown as { rows: Array<{ n: number }> };
      expect(left.rows[0]!.n).to.equal(0);
      const p = await inbox();
      expect(p.conversations.find((c) => c.id === conversationId)).to.deep.include({ priority: 'urgent' });
      expect(counts()).to.include({ changed: 1, hit: 0 });
      await inbox();
      expect(counts().hit).to.equal(1);
    });

    it('answers many readers of a view that changed with one read of it', async () => {
      await inbox();
      await database.db.execute(sql`update conversations set priority = 'low' where id = ${conversationId}`);
      cache = newCache();
      await inbox();
      await database.db.execute(sql`update conversations set priority = 'normal' where id = ${conversationId}`);
      counted = { hit: 0, miss: 0, changed: 0, joined: 0 };
      // Read at once: one may keep a page, listing a running transaction, after another's session read asked.
      const pages = await Promise.all(Array.from({ length: 10 }, () => read({}, 'agent')));
      for (const p of pages) expect(p.conversations.find((c) => c.id === conversationId)).to.deep.include({ priority: 'normal' });
      const c = counts();
      expect(c.changed + c.hit + c.joined + c.miss, JSON.stringify(c)).to.equal(10);
      // On PGlite nothing else runs: every reader's check sees what the first read's does. On
      // PostgreSQL another suite's commit between two checks may keep a reader from joining.
      if (kind === 'pglite') expect(c.changed, JSON.stringify(c)).to.equal(1);
    });

    it('reads for itself when the read it waited for fails', async () => {
      const f = { limit: 21 };
      let failing!: () => void;
      const first = cache.page(database.db, shop.id, false, f, () => new Promise((_, fail) => (failing = () => fail(new Error('statement timeout')))));
      const second = cache.page(database.db, shop.id, false, f, async () => ({ json: '{"second":true}', moment: null }));
      await sleep(100);
      failing();
      expect(await first.then(() => 'answered', (e: Error) => e.message)).to.equal('statement timeout');
      expect((await second).toString()).to.equal('{"second":true}');
    });

    it('reads a kept page again once the horizon passes its snapshot (its rows may be gone)', async () => {
      await inbox();
      const [{ xid }] = ((await database.db.execute(sql`select xid::text as xid from inbox_changes_horizon`)) as unknown as { rows: Array<{ xid: string }> }).rows as [{ xid: string }];
      try {
        // Past any snapshot taken before: the next id to be given out, and one more.
        await database.db.execute(sql`update inbox_changes_horizon set xid = (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1)::text::xid8`);
        const before = counts();
        await inbox();
        expect(counts()).to.include({ hit: before.hit, changed: before.changed + 1 });
      } finally {
        await database.db.execute(sql`update inbox_changes_horizon set xid = ${xid}::xid8`);
      }
    });

    it("answers 'changed' for a snapshot older than the horizon, and for none", async () => {
      expect((await inboxChangesSince(database.db, shop.id, undefined)).changed).to.equal(true);
      const kept = (await inboxChangesSince(database.db, shop.id, undefined)).snapshot;
      const { snapshot, incarnation } = snapshotParts(kept);
      expect((await inboxChangesSince(database.db, shop.id, kept)).changed).to.equal(false);
      // The same ids, from another incarnation of the server (a failover, a restart).
      expect((await inboxChangesSince(database.db, shop.id, `${incarnation}0/${snapshot}`)).changed).to.equal(true);
      const [{ xid }] = ((await database.db.execute(sql`select xid::text as xid from inbox_changes_horizon`)) as unknown as { rows: Array<{ xid: string }> }).rows as [{ xid: string }];
      try {
        await database.db.execute(sql`update inbox_changes_horizon set xid = (pg_snapshot_xmin(${snapshot}::pg_snapshot)::text::bigint + 1)::text::xid8`);
        expect((await inboxChangesSince(database.db, shop.id, kept)).changed).to.equal(true);
      } finally {
        await database.db.execute(sql`update inbox_changes_horizon set xid = ${xid}::xid8`);
      }
    });

    if (kind === 'postgres') {
      it('checks by the changes\' key in the plan it keeps for any snapshot (the generic one), in a deployment of one busy shop too', async () => {
        const client = await (driverClient(database) as unknown as import('pg').Pool).connect();
        // What the planner sees of a busy shop: thousands of changes of this shop, from long ago (below
        // any snapshot's xmin: as many as the server has given ids, up to 20,000), alone, then beside a
        // hundred other shops' as many.
        const old = `generate_series(3, least(20002, pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1)) g`;
        const others = `select ('7d0e2f7a-1111-4c5e-9a11-' || lpad((g % 100)::text, 12, '0'))::uuid as shop_id, g from ${old}`;
        const scansOf = async (): Promise<Array<{ node: string; filter?: string }>> => {
          await client.query('analyze inbox_changes');
          const kept = snapshotParts((await inboxChangesSince(database.db, shop.id, undefined)).snapshot);
          const values = via === 'session' ? [sessionOf.agent!, shop.id, '{}'] : [shop.id, '{}'];
          const args = values.map((v) => client.escapeLiteral(v)).join(', ');
          const { rows } = await client.query(`explain (format json) execute generic_check(${args})`);
          const scans: Array<{ node: string; filter?: string }> = [];
          const walk = (n: Record<string, unknown>) => {
            if (n['Relation Name'] === 'inbox_changes') scans.push({ node: n['Node Type'] as string, ...(n['Filter'] ? { filter: n['Filter'] as string } : {}) });
            for (const c of (n['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
          };
          walk((rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
          // And the old changes change nothing.
          expect((await inboxChangesSince(database.db, shop.id, `${kept.incarnation}/${kept.snapshot}`)).changed).to.equal(false);
          return scans;
        };
        try {
          // A server younger than the changes written (a new machine's, with the test alone) first gives
          // that many ids away: with a thousand changes the planner may rightly read them all.
          await client.query(`do $$ begin while pg_snapshot_xmin(pg_current_snapshot())::text::bigint <= 20002 loop perform pg_current_xact_id(); commit; end loop; end $$`);
          await client.query(`insert into inbox_changes (shop_id, xid) select $1, g::text::xid8 from ${old} on conflict do nothing`, [shop.id]);
          await client.query('set plan_cache_mode = force_generic_plan');
          await client.query(via === 'session' ? `prepare generic_check(text, uuid, text) as ${inboxChangesWithSession.text}` : `prepare generic_check(uuid, text) as ${changesSeen.text}`);
          const byKey = [{ node: 'Index Only Scan' }, { node: 'Index Only Scan' }, { node: 'Index Only Scan' }];
          expect(await scansOf()).to.deep.equal(byKey);
          await client.query(`insert into inbox_changes (shop_id, xid) select shop_id, g::text::xid8 from (${others}) o`);
          expect(await scansOf()).to.deep.equal(byKey);
        } finally {
          // Only its own: the driver remembers which statements it prepared on this connection.
          await client.query('deallocate generic_check; reset plan_cache_mode').catch(() => undefined);
          // This database's own (the describe's): the shop's changes that old concern no page kept now.
          await client.query(`delete from inbox_changes where xid < '20003'::xid8 and xid < pg_snapshot_xmin(pg_current_snapshot())`);
          await client.query('analyze inbox_changes');
          client.release();
        }
      });

      const running: Array<[string, () => [string, string], (p: Page) => void]> = [
        ['a conversation changed', () => [`update conversations set subject = '返品の件' where id = $1`, conversationId], (p) => expect(p.conversations.find((c) => c.id === conversationId)!.subject).to.equal('返品の件')],
        // Written for every shop: the running transactions' look-up must take those rows too.
        ['its assignee renamed', () => [`update users set name = '担当 三郎' where id = $1`, shop.people.agent.id], (p) => expect(p.conversations.find((c) => c.id === conversationId)!.assignee!.name).to.equal('担当 三郎')],
      ];
      for (const [what, change, check] of running) {
        it(`shows a change (${what}) committed by a transaction that was still running when the page was read`, async () => {
          await database.db.execute(sql`update conversations set assignee_id = ${shop.people.agent.id} where id = ${conversationId}`);
          const pool = driverClient(database) as unknown as import('pg').Pool;
          const writer = await pool.connect();
          let xid: bigint;
          try {
            await writer.query('begin');
            const [text, id] = change();
            await writer.query(text, [id]);
            xid = BigInt((await writer.query('select pg_current_xact_id()::text as x')).rows[0].x as string);
            // A later transaction that ends first: the writer is then below the page's snapshot's
            // xmax and listed as running in it, not merely past its end.
            await aCustomer(database.db, shop.id);
            const before = await inbox();
            expect(() => check(before)).to.throw();
            // The kept page's running transaction is asked about with the next session's read.
            expect(cache.along.params(shop.id)![0]).to.match(new RegExp(`[{,]${xid}[,}]`));
            await writer.query('commit');
          } finally {
            writer.release();
          }
          check(await inbox());
          // The page it saw running is dropped, and its transaction asked about no more.
          expect(cache.along.params(shop.id)![0]).to.not.match(new RegExp(`[{,]${xid}[,}]`));
        });
      }
    }

    if (kind === 'pglite') {
      it('reads every shop again after a TRUNCATE', async () => {
        const own = await testDatabase(kind);
        try {
          const s = await makeShop(own);
          const c = await aCustomer(own.db, s.id);
          await aConversation(own.db, s.id, c.id);
          const read = async () => JSON.parse((await listInbox(own.db, actor('agent', s), { limit: 20 }, cache)).text) as Page;
          expect((await read()).conversations).to.have.length(1);
          await own.db.execute(sql`truncate messages, conversations cascade`);
          expect((await read()).conversations).to.have.length(0);
        } finally {
          await own.close();
        }
      });
    }
  });
}
