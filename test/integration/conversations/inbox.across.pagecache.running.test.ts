import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Database } from '../../../server/core/db/client.ts';
import type { InboxPageCache } from '../../../server/domains/conversations/conversations.pagecache.ts';
import { MINE_MAX_ASKED, myShopsSeen, myShopsWithSession } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { driverClient } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';
import { acrossSuite, type Counted, type Page } from './across.pagecache.fixture.ts';

/**
 * "All my shops" kept, on PostgreSQL's own terms: the check's plan kept for any person (or
 * session) and snapshot reads each shop's changes by key, and a transaction still running when
 * a page was read is judged once it commits, by the session's read when it asked about it and
 * by the check's own statement when it did not.
 */
if (dbKinds.includes('postgres'))
  for (const via of ['statement', 'session'] as const) {
    describe(`[postgres] all my shops, kept: the check's plan and the transactions running, checked ${via === 'session' ? "in the session's read" : 'by its own statement'}`, function () {
      this.timeout(60_000);
      const t = acrossSuite('postgres', via);
      const { ids, read, listed, row, sessionOf } = t;
      let database: Database, a: TestShop, b: TestShop, person: TestPerson;
      let cache: InboxPageCache, counted: Counted;
      before(() => void ({ database, a, b, person } = t));
      beforeEach(() => void ({ cache, counted } = t));

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

      if (via === 'session') {
        /** Transactions given an xid and left running, each on its own connection; `end` commits them. */
        const runningOn = async (n: number) => {
          const clients = Array.from({ length: n }, () => new pg.Client({ connectionString: (driverClient(database) as unknown as { options: { connectionString: string } }).options.connectionString }));
          const xids: string[] = [];
          for (const c of clients) {
            await c.connect();
            await c.query('begin');
            xids.push(((await c.query('select pg_current_xact_id()::text as x')).rows[0] as { x: string }).x);
          }
          // A later transaction that ends first: they are then listed as running in a snapshot.
          await aCustomer(database.db, a.id);
          return { xids, end: async () => void (await Promise.all(clients.map(async (c) => (await c.query('commit'), await c.end())))) };
        };
        const asked = () => cache.alongMine.params(null)![0] as string;

        it(`keeps asking about a transaction running long, listed by page after page, among the ${MINE_MAX_ASKED} newest`, async () => {
          const long = await runningOn(1);
          try {
            for (let i = 0; i <= MINE_MAX_ASKED; i++) {
              const short = await runningOn(1);
              await read({ limit: 10 + i });
              await short.end();
            }
            expect(asked().slice(1, -1).split(',')).to.have.length(MINE_MAX_ASKED).and.include(long.xids[0]!);
          } finally {
            await long.end();
          }
          expect(counted).to.include({ miss: MINE_MAX_ASKED + 1, hit: 0 });
        });

        it(`keeps no page whose snapshot saw more than ${MINE_MAX_ASKED} running, nor asks about them`, async () => {
          const many = await runningOn(MINE_MAX_ASKED + 1);
          try {
            await read();
            await read();
            expect(counted).to.include({ miss: 2, hit: 0 });
            expect(cache.size().pages).to.equal(0);
            expect(asked()).to.equal('{}');
          } finally {
            await many.end();
          }
          // Fewer running: kept again.
          await read();
          await read();
          expect(counted).to.include({ miss: 3, hit: 1 });
        });
      }

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
    });
  }
