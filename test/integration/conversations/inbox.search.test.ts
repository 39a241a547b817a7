import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { Actor } from '../../../server/core/actor.ts';
import { conversationDtos, cursorFrom, inboxFilter, meOf, type InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import type { ConversationDto } from '../../../server/domains/conversations/conversations.dto.ts';
import { detailedJsonQuery, inboxQuery, listConversationPageJson, listConversations, type JsonPageRow } from '../../../server/domains/conversations/conversations.list.repository.ts';
import { inboxQueryAcross, listConversationPageAcross } from '../../../server/domains/conversations/conversations.across.repository.ts';
import { candidatesQuery, forgetSearchStatistics, SEARCH_BY_ID, searchCandidates, searchStatistics, STATISTICS_TTL_MS } from '../../../server/domains/conversations/conversations.search.repository.ts';
import { expectedMatches, queryGramsByWord } from '../../../server/domains/conversations/conversations.search.estimate.ts';
import { countStatements, driverClient, testDatabase, type DriverClient } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

/** A JSON page row's conversation id, from its cursor's key (`updatedAt|id`). */
const idOf = (r: JsonPageRow) => r.key.split('|')[1]!;

/**
 * The inbox's text search finds Japanese words of one or two characters (which trigrams cannot),
 * folds full-width and half-width forms, takes % and _ literally, keeps to the shop, follows a
 * customer's new name, and looks words up through its GIN index rather than reading every row.
 */
type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: Plan[] };
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

async function planOf(database: Database, q: SQLWrapper): Promise<string[]> {
  const r = (await database.db.execute(sql`explain (format json) ${q}`)) as unknown as { rows: Array<Record<string, unknown>> };
  const cell = Object.values(r.rows[0]!)[0];
  const json = (typeof cell === 'string' ? JSON.parse(cell) : cell) as Array<{ Plan: Plan }>;
  return nodes(json[0]!.Plan).map((p) => `${p['Node Type']} ${p['Relation Name'] ?? ''} ${p['Index Name'] ?? ''}`.trim());
}

for (const kind of dbKinds) {
  describe(`[${kind}] the inbox's text search`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    const numbers: Record<string, number> = {};
    const actor = (s: TestShop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people.agent.id, name: 'agent', role: 'agent' });
    const found = async (q: string, s = shop) => (await listConversations(database.db, s.id, inboxFilter(meOf(actor(s)), { q, limit: 100 }))).map((c) => c.number).sort((a, b) => a - b);

    const conversation = async (s: TestShop, customerId: string, number: number, subject: string | null, orderNumber: string | null = null) => {
      await database.db.execute(sql`insert into conversations (shop_id, number, customer_id, channel, subject, order_number) values (${s.id}, ${number}, ${customerId}, 'chat', ${subject}, ${orderNumber})`);
    };

    before(async function () {
      // 20,000 conversations through the search trigger: about 30 s on PGlite alone on this
      // machine, and more than the suite's minute beside the other tiers of a full run.
      this.timeout(180_000);
      database = await testDatabase(kind);
      [shop, other] = [await makeShop(database), await makeShop(database)];
      const yamada = await aCustomer(database.db, shop.id, { name: '山田 花子' });
      const tanaka = await aCustomer(database.db, shop.id, { name: 'ﾀﾅｶ ｲﾁﾛｳ' });
      const plain = await aCustomer(database.db, shop.id, { name: 'Suzuki Ken' });
      const filler = await aCustomer(database.db, shop.id, { name: '高橋 一郎' });
      numbers.yamada = 101;
      await conversation(shop, yamada.id, 101, '注文の配送について');
      await conversation(shop, tanaka.id, 102, '返品したい（サイズ違い）', 'ＡＢ-1001');
      await conversation(shop, plain.id, 103, '100% cotton_shirt の在庫');
      await conversation(shop, plain.id, 104, null);
      // A shop with some history, so that reading every row costs the planner more than the
      // index: a minute apart, four words spread evenly over it (ギフト among them), and a
      // seasonal one (お中元) only in its oldest 1,500.
      await database.db.execute(sql`
        insert into conversations (shop_id, number, customer_id, channel, subject, updated_at)
        select ${shop.id}, 1000 + n, ${filler.id}, 'chat',
               case when n <= 1500 then 'お中元のご相談 ' || n else (array['お問い合わせ', 'ギフト包装', '領収書', 'ポイント'])[1 + n % 4] || ' ' || n end,
               timestamptz '2026-01-01 00:00:00+09' + n * interval '1 minute'
        from generate_series(1, 20000) n`);
      const theirs = await aCustomer(database.db, other.id, { name: '山田 花子' });
      await conversation(other, theirs.id, 101, '注文の配送について', 'AB-1001');
      await database.db.execute(sql`analyze conversations`);
      await database.db.execute(sql`analyze conversation_search`);
    });
    after(() => database?.close());

    it('finds two-character and one-character Japanese words in names and subjects', async () => {
      expect(await found('山田')).to.deep.equal([101]);
      expect(await found('配送')).to.deep.equal([101]);
      expect(await found('送')).to.deep.equal([101]);
      expect(await found('山田 花子')).to.deep.equal([101]);
      expect(await found('花子 山田')).to.deep.equal([]);
    });

    it('folds full-width and half-width forms and case, in the text and in the search', async () => {
      expect(await found('タナカ')).to.deep.equal([102]);
      expect(await found('ab-1001')).to.deep.equal([102]);
      expect(await found('ＳＵＺＵＫＩ')).to.deep.equal([103, 104]);
      expect(await found('(サイズ')).to.deep.equal([102]);
    });

    it('takes %, _ and \\ literally, whichever way the matches are found', async () => {
      await conversation(shop, (await aCustomer(database.db, shop.id, { name: 'Back Slash' })).id, 105, 'C:\\temp の件');
      expect(await found('0%')).to.deep.equal([103]);
      expect(await found('n_s')).to.deep.equal([103]);
      expect(await found('%')).to.deep.equal([103]);
      expect(await found('_')).to.deep.equal([103]);
      expect(await found('\\')).to.deep.equal([105]);
      // The same through the check of the newest rows, where no pair of characters narrows first.
      for (const [q, want] of [['%', [103]], ['_', [103]], ['\\', [105]], ['n_s', [103]]] as const) {
        const rows = await inboxQuery(database.db, shop.id, { ...inboxFilter(meOf(actor(shop)), { q, limit: 100 }), scan: 'recent' });
        expect(rows.map((c) => c.number).sort((a, b) => a - b), q).to.deep.equal(want);
      }
    });

    it('finds a conversation by its number, with or without #, and keeps to the shop', async () => {
      expect(await found('#102')).to.deep.equal([102]);
      expect((await found('1001')).includes(102)).to.equal(true);
      const theirs = await listConversations(database.db, other.id, inboxFilter(meOf(actor(other)), { q: '山田', limit: 10 }));
      expect(theirs.map((c) => c.shopId)).to.deep.equal([other.id]);
      const mine = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { q: '山田', limit: 10 }));
      expect(mine.map((c) => c.shopId)).to.deep.equal([shop.id]);
      expect(await searchCandidates(database.db, [other.id], '配送')).to.have.length(1);
      const both = await inboxQueryAcross(database.db, [shop.id, other.id], inboxFilter(meOf(actor(shop)), { q: '山田', limit: 10 }));
      expect(both.map((c) => c.shopId).sort()).to.deep.equal([shop.id, other.id].sort());
    });

    it("follows a customer's new name and a conversation's new subject", async () => {
      await database.db.execute(sql`update customers set name = '佐藤 花子' where shop_id = ${shop.id} and name = '山田 花子'`);
      expect(await found('山田')).to.deep.equal([]);
      expect(await found('佐藤')).to.deep.equal([101]);
      await database.db.execute(sql`update conversations set subject = '請求書の再発行' where shop_id = ${shop.id} and number = 101`);
      expect(await found('配送')).to.deep.equal([]);
      expect(await found('請求')).to.deep.equal([101]);
    });

    const newest = async (where: ReturnType<typeof sql>, limit: number) =>
      ((await database.db.execute(sql`select c.id from conversations c join conversation_search s on s.conversation_id = c.id
        where c.shop_id = ${shop.id} and c.merged_into_id is null and ${where} order by c.updated_at desc, c.id desc limit ${limit}`)) as unknown as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
    const plan = async (q: string, scan?: 'recent' | 'all', found?: string[]) => planOf(database, inboxQuery(database.db, shop.id, { ...inboxFilter(meOf(actor(shop)), { q, limit: 50 }), scan, found }));

    it('finds a rare word through the search index, and fetches its matches by key, not by reading the history', async () => {
      const probe = await planOf(database, candidatesQuery([shop.id], '配送'));
      expect(probe.filter((t) => /^Seq Scan/.test(t)), probe.join(' | ')).to.deep.equal([]);
      expect(probe.some((t) => /conversation_search_grams_idx/.test(t)), probe.join(' | ')).to.equal(true);
      // Several shops: the index once per shop, never the whole search table (a hash join over it
      // was the plan before the lateral subquery was fenced).
      const hundred = [shop.id, other.id, ...Array.from({ length: 98 }, () => randomUUID())];
      const across = await planOf(database, candidatesQuery(hundred, '配送'));
      expect(across.some((t) => /conversation_search_grams_idx/.test(t)), across.join(' | ')).to.equal(true);
      expect(across.filter((t) => /^(Parallel )?Seq Scan conversation_search|^Hash/.test(t)), across.join(' | ')).to.deep.equal([]);
      // Nearly as many matches as the index is asked for, all old: fetched by their ids, never
      // along the inbox's order (where the planner, taking them to be spread over time, expects a
      // page after a few thousand rows, and reads the whole history).
      const old = (await database.db.execute(sql`select id from conversations where shop_id = ${shop.id} and number between 1001 and ${1000 + SEARCH_BY_ID}`)) as unknown as { rows: Array<{ id: string }> };
      // (On this small table the planner may fetch them by a scan of the table rather than by key.)
      const page = await plan('お中元', undefined, old.rows.map((r) => r.id));
      expect(page.filter((t) => /conversations_shop_updated_idx/.test(t)), page.join(' | ')).to.deep.equal([]);
      expect(page.some((t) => /^Sort/.test(t)), page.join(' | ')).to.equal(true);
    });

    it('lists a common word of recent rows by checking the newest rows, one key look-up a row', async () => {
      expect(await searchCandidates(database.db, [shop.id], 'ギフト')).to.equal(undefined);
      const page = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { q: 'ギフト', limit: 50 }));
      expect(page.map((c) => c.id)).to.deep.equal(await newest(sql`s.text like '%ギフト%'`, 51));
      const p = await plan('ギフト', 'recent');
      expect(p.filter((t) => /^Seq Scan|^Hash/.test(t)), p.join(' | ')).to.deep.equal([]);
      expect(p.some((t) => /conversation_search_pkey/.test(t)), p.join(' | ')).to.equal(true);
    });

    it('lists a word common long ago and absent from the newest rows from all its matches, sorted, not by reading the history', async () => {
      expect(await searchCandidates(database.db, [shop.id], 'お中元')).to.equal(undefined);
      const page = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { q: 'お中元', limit: 50 }));
      expect(page).to.have.length(51);
      expect(page.map((c) => c.id)).to.deep.equal(await newest(sql`s.text like '%お中元%'`, 51));
      const p = await plan('お中元', 'all');
      expect(p.some((t) => /conversation_search_grams_idx/.test(t)), p.join(' | ')).to.equal(true);
      expect(p.filter((t) => /conversations_shop_updated_idx/.test(t)), p.join(' | ')).to.deep.equal([]);
    });

    it('looks for a word its statistics expect often in the newest rows first; a rare word, a number or a filter no index serves goes to the index', async () => {
      // What the driver is given, counted: the index's probe, and checks of the newest rows.
      const sent: string[] = [];
      const uncount = countStatements(driverClient(database), sent, (text) =>
        /pg_stats/.test(text) ? 'estimate' : /interval '0 ms'/.test(text) && /s\.grams @>/.test(text) ? 'all' : /s\.grams @>/.test(text) ? 'index' : /limit \$\d+\) "recent"/.test(text) ? 'newest' : 'other',
      );
      const ways = async (q: string, more: Partial<InboxQuery> = {}) => {
        sent.length = 0;
        const rows = await listConversations(database.db, shop.id, inboxFilter(meOf(actor(shop)), { q, limit: 50, ...more }));
        return { ways: [...sent], rows: rows.length };
      };
      try {
        // The statistics are read once (then kept: STATISTICS_TTL_MS). In one subject in four:
        // they expect thousands, and the newest rows hold a page.
        forgetSearchStatistics(database.db);
        expect(await ways('ギフト')).to.deep.equal({ ways: ['estimate', 'newest'], rows: 51 });
        // Rare: expected in none of the most common grams' conversations; the index has its matches.
        expect(await ways('Suzuki')).to.deep.equal({ ways: ['index', 'other'], rows: 2 });
        // Common long ago: expected in many, the newest rows hold none, and the index has too many.
        expect((await ways('お中元')).ways).to.deep.equal(['newest', 'index', 'newest', 'all']);
        // A number goes to the index at once.
        expect(await ways('#102')).to.deep.equal({ ways: ['index', 'other'], rows: 1 });
        // So does an order number (digits: rare by nature), and a word with a tag, which no
        // index serves: the window could read the whole history.
        expect((await ways('ＡＢ-1001')).ways[0]).to.equal('index');
        expect((await ways('ギフト', { tag: 'なし' })).ways[0]).to.equal('index');
      } finally {
        uncount();
      }
    });

    it('answers odd searches without an error: spaces, emoji, one long word, many words', async () => {
      for (const q of ['   ', '🍣🍣', 'あ'.repeat(200), '配送 ギフト 領収書 ポイント お中元 注文', '　全角　空白　']) {
        expect(await found(q), q.slice(0, 20)).to.be.an('array');
      }
    });

    it('estimates from a copy of the statistics kept a few minutes, with the grams search_query_grams writes', async () => {
      // The process's grams are the SQL function's, word by word (as sets: it gives their union).
      for (const q of ['ギフト', '山下 太郎', 'ＡＢ-1001', 'Suzuki Ken', 'あ', '　全角　空白　', '🍣🍣寿司', '100% cotton_shirt', 'ﾀﾅｶ', '  ', 'ギフト ギフト']) {
        const r = (await database.db.execute(sql`select coalesce(array_to_json(search_query_grams(${shop.id}::uuid, ${q})), '[]')::text as g`)) as unknown as { rows: Array<{ g: string }> };
        expect([...new Set(queryGramsByWord(shop.id, q).flat())].sort(), q).to.deep.equal((JSON.parse(r.rows[0]!.g) as string[]).sort());
      }
      // A shop's id as a client may write it (upper case) gives the same grams.
      expect(queryGramsByWord(shop.id.toUpperCase(), 'ギフト')).to.deep.equal(queryGramsByWord(shop.id, 'ギフト'));
      forgetSearchStatistics(database.db);
      const now = Date.now();
      const stats = await searchStatistics(database.db, now);
      expect(expectedMatches(stats, shop.id, 'ギフト')).to.be.greaterThan(SEARCH_BY_ID);
      expect(expectedMatches(stats, shop.id, 'Suzuki')).to.equal(0);
      // Each shop's grams are its own: the other shop has no ギフト.
      expect(expectedMatches(stats, other.id, 'ギフト')).to.equal(0);
      // Kept until it is STATISTICS_TTL_MS old, then read again.
      expect(searchStatistics(database.db, now + STATISTICS_TTL_MS - 1)).to.equal(searchStatistics(database.db, now));
      const again = searchStatistics(database.db, now + STATISTICS_TTL_MS);
      expect(await again).to.not.equal(stats);
      expect((await again).frequencies).to.deep.equal(stats.frequencies);
      // A clock set back ends the copy too.
      const back = searchStatistics(database.db, now);
      expect(back).to.not.equal(again);
      await back;
      forgetSearchStatistics(database.db);
    });

    it('answers each way with its details in the same statement: the rows of the way alone, and their details', async () => {
      for (const [q, way] of [['Suzuki', 'the index'], ['ギフト', 'the newest rows'], ['お中元', 'all matches'], ['#102', 'a number']] as const) {
        const f = inboxFilter(meOf(actor(shop)), { q, limit: 50 });
        const rows = await listConversations(database.db, shop.id, f);
        const page = await listConversationPageJson(database.db, shop.id, f);
        expect(rows.length, way).to.be.greaterThan(0);
        expect(page.map((r) => JSON.parse(r.dto) as ConversationDto), way).to.deep.equal(await conversationDtos(database.db, shop.id, rows, 'owner'));
        const across = await listConversationPageAcross(database.db, [shop.id, other.id], f);
        expect(across.map(idOf), way).to.deep.equal((await inboxQueryAcross(database.db, [shop.id, other.id], { ...f, found: await searchCandidates(database.db, [shop.id, other.id], q) })).map((r) => r.id));
      }
      // The newest rows' check, wrapped, keeps its plan: one key look-up a row, nothing hashed.
      const p = (await planOf(database, detailedJsonQuery(inboxQuery(database.db, shop.id, { ...inboxFilter(meOf(actor(shop)), { q: 'ギフト', limit: 50 }), scan: 'recent' })))).join(' | ');
      expect(p).not.to.match(/Seq Scan conversation|Hash/);
      expect(p).to.match(/conversation_search_pkey/);
    });

    it('lists several shops as one: a word common in one shop and absent from another', async () => {
      const both = await inboxQueryAcross(database.db, [shop.id, other.id], { ...inboxFilter(meOf(actor(shop)), { q: 'お中元', limit: 50 }) });
      expect(both.map((c) => c.id)).to.deep.equal(await newest(sql`s.text like '%お中元%'`, 51));
      const p = await planOf(database, inboxQueryAcross(database.db, [shop.id, other.id], { ...inboxFilter(meOf(actor(shop)), { q: 'お中元', limit: 50 }) }));
      expect(p.some((t) => /conversation_search_grams_idx/.test(t)), p.join(' | ')).to.equal(true);
      expect(p.filter((t) => /^Seq Scan conversations|conversations_shop_updated_idx/.test(t)), p.join(' | ')).to.deep.equal([]);
      expect(SEARCH_BY_ID).to.be.lessThan(1500);
      // Over a hundred shops, every match of some of them (allIn): gathered, then fetched by key.
      const hundred = [shop.id, other.id, ...Array.from({ length: 98 }, () => randomUUID())];
      const all = await planOf(database, inboxQueryAcross(database.db, hundred, { ...inboxFilter(meOf(actor(shop)), { q: 'お中元', limit: 50 }), found: [], allIn: hundred }));
      expect(all.filter((t) => /Seq Scan conversations|^Gather/.test(t)), all.join(' | ')).to.deep.equal([]);
      expect(all.some((t) => /conversations_pkey/.test(t)), all.join(' | ')).to.equal(true);
      // Estimated far above its cost (a lateral index scan per shop), that page is never JIT-compiled:
      // 47 ms of compiling for 18 ms of work in the bench. (PGlite has no JIT.)
      if (kind === 'postgres') expect(((await database.db.execute(sql`show jit`)) as unknown as { rows: Array<{ jit: string }> }).rows[0]!.jit).to.equal('off');
    });

    it('decides a search over several shops shop by shop: the newest rows where the word is common, the index elsewhere', async () => {
      const third = await makeShop(database);
      // The other shop's newest conversation says ギフト too: rare there, so it comes from the index.
      const theirs = await aCustomer(database.db, other.id, { name: '佐藤 次郎' });
      await database.db.execute(sql`insert into conversations (shop_id, number, customer_id, channel, subject, updated_at) values (${other.id}, 900, ${theirs.id}, 'chat', 'ギフトの包装', now())`);
      // A third shop where ギフト is common too, its rows between the first shop's.
      const filler = await aCustomer(database.db, third.id, { name: '伊藤 三郎' });
      await database.db.execute(sql`
        insert into conversations (shop_id, number, customer_id, channel, subject, updated_at)
        select ${third.id}, n, ${filler.id}, 'chat', 'ギフト券 ' || n, timestamptz '2026-01-01 00:00:00+09' + (18500 + n) * interval '1 minute' + interval '30 seconds'
        from generate_series(1, 1500) n`);
      await database.db.execute(sql`analyze conversation_search`);
      // What the driver is given, counted, outside a transaction and in one (its own client).
      const sent: string[] = [];
      const counted = (client: DriverClient) =>
        countStatements(client, sent, (text) =>
          /pg_stats/.test(text) ? 'estimate' : /"matching"/.test(text) ? 'newest' : /s\.grams @>/.test(text) && /union all/.test(text) ? 'index and all' : /s\.grams @>/.test(text) ? 'index' : /^set transaction/i.test(text) ? 'set' : 'page',
        );
      const db = database.db as unknown as { $client: DriverClient; transaction: (fn: (tx: unknown) => Promise<unknown>, config?: unknown) => Promise<unknown> };
      const uncount = counted(db.$client);
      const transaction = db.transaction;
      db.transaction = function (this: unknown, fn, config) {
        return transaction.call(this, async (tx) => {
          const mode = (await (tx as typeof database.db).execute(sql`select current_setting('transaction_isolation') || ', read only ' || current_setting('transaction_read_only') as m`)) as unknown as { rows: Array<{ m: string }> };
          const back = counted((tx as { session: { client: DriverClient } }).session.client);
          sent.push(`transaction (${mode.rows[0]!.m})`);
          try {
            return await fn(tx);
          } finally {
            back();
            sent.push('end');
          }
        }, config);
      };
      const newestAcross = async (word: string, limit: number, more = sql``) =>
        ((await database.db.execute(sql`select c.id from conversations c join conversation_search s on s.conversation_id = c.id
          where c.shop_id in (${shop.id}, ${other.id}, ${third.id}) and c.merged_into_id is null and s.text like ${`%${word}%`} ${more} order by c.updated_at desc, c.id desc limit ${limit}`)) as unknown as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
      const across = async (q: string, more: Partial<InboxQuery> = {}) => {
        sent.length = 0;
        const page = await listConversationPageAcross(database.db, [shop.id, other.id, third.id], inboxFilter(meOf(actor(shop)), { q, limit: 50, ...more }));
        return { ways: [...sent], ids: page.map(idOf), shops: page.map((r) => r.shop) };
      };
      try {
        forgetSearchStatistics(database.db);
        const stats = await searchStatistics(database.db);
        expect([shop.id, other.id, third.id].map((id) => expectedMatches(stats, id, 'ギフト') > SEARCH_BY_ID)).to.deep.equal([true, false, true]);
        const gift = await across('ギフト');
        // The two shops' newest rows in one statement, then the page, with every match the index
        // has in the other shop, in a read-only transaction.
        expect(gift.ways.filter((w) => w !== 'set')).to.deep.equal(['transaction (repeatable read, read only on)', 'newest', 'index and all', 'end']);
        expect([...new Set(gift.shops)].sort()).to.deep.equal([shop.id, other.id, third.id].sort());
        expect(gift.ids).to.deep.equal(await newestAcross('ギフト', 51));
        // The next page, from the cursor, the same way.
        const second = await across('ギフト', { before: cursorFrom((await listConversationPageAcross(database.db, [shop.id, other.id, third.id], inboxFilter(meOf(actor(shop)), { q: 'ギフト', limit: 50 })))[49]!.key) });
        expect(second.ids).to.deep.equal((await newestAcross('ギフト', 101)).slice(50));
        // With a filter the window and the page both apply: pending ones only. The third shop
        // has none pending, so its newest rows come short and the page takes every match the index
        // has in it (and in the other shop).
        await database.db.execute(sql`update conversations set status = 'pending' where shop_id = ${shop.id} and number % 7 = 0 and number > 1000`);
        const pending = await across('ギフト', { status: 'pending' });
        expect(pending.ways.filter((w) => w !== 'set')).to.deep.equal(['transaction (repeatable read, read only on)', 'newest', 'index and all', 'end']);
        expect(pending.ids).to.deep.equal(await newestAcross('ギフト', 51, sql`and c.status = 'pending'`));
        // Common long ago: the newest rows hold none, so the page takes every match of each shop.
        const season = await across('お中元');
        expect(season.ways.filter((w) => w !== 'set')).to.deep.equal(['transaction (repeatable read, read only on)', 'newest', 'index and all', 'end']);
        expect(season.ids).to.deep.equal(await newestAcross('お中元', 51));
        // A word with a tag takes every match of each shop at once (no index serves a tag).
        expect((await across('ギフト', { tag: 'なし' })).ways).to.deep.equal(['index and all']);
      } finally {
        uncount();
        db.transaction = transaction;
        await database.db.execute(sql`update conversations set status = 'open' where shop_id = ${shop.id} and number % 7 = 0 and number > 1000`);
        await database.db.execute(sql`delete from conversations where shop_id = ${other.id} and number = 900`);
        await database.db.execute(sql`delete from customers where id = ${theirs.id}`);
        await database.db.execute(sql`delete from conversations where shop_id = ${third.id}`);
        await database.db.execute(sql`analyze conversation_search`);
        forgetSearchStatistics(database.db);
      }
    });
  });
}
