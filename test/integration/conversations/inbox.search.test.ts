import { expect } from 'chai';
import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import type { Actor } from '../../../server/core/actor.ts';
import { inboxFilter } from '../../../server/domains/conversations/conversations.inbox.ts';
import { inboxQuery, inboxQueryAcross, listConversations } from '../../../server/domains/conversations/conversations.repository.ts';
import { candidatesQuery, SEARCH_BY_ID, searchCandidates } from '../../../server/domains/conversations/conversations.search.repository.ts';
import { testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aCustomer } from '../../fixtures/queue-rows.ts';

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
    const found = async (q: string, s = shop) => (await listConversations(database.db, s.id, inboxFilter(actor(s), { q, limit: 100 }))).map((c) => c.number).sort((a, b) => a - b);

    const conversation = async (s: TestShop, customerId: string, number: number, subject: string | null, orderNumber: string | null = null) => {
      await database.db.execute(sql`insert into conversations (shop_id, number, customer_id, channel, subject, order_number) values (${s.id}, ${number}, ${customerId}, 'chat', ${subject}, ${orderNumber})`);
    };

    before(async () => {
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
      // A shop with some history, so that reading every row costs the planner more than the index.
      await database.db.execute(sql`
        insert into conversations (shop_id, number, customer_id, channel, subject)
        select ${shop.id}, 1000 + n, ${filler.id}, 'chat', (array['お問い合わせ', 'ギフト包装', '領収書', 'ポイント'])[1 + n % 4] || ' ' || n from generate_series(1, 20000) n`);
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

    it('takes % and _ literally', async () => {
      expect(await found('0%')).to.deep.equal([103]);
      expect(await found('n_s')).to.deep.equal([103]);
      expect(await found('%')).to.deep.equal([103]);
      expect(await found('_')).to.deep.equal([103]);
    });

    it('finds a conversation by its number, with or without #, and keeps to the shop', async () => {
      expect(await found('#102')).to.deep.equal([102]);
      expect((await found('1001')).includes(102)).to.equal(true);
      expect(await found('山田', other)).to.deep.equal([101]);
      const mine = await listConversations(database.db, shop.id, inboxFilter(actor(shop), { q: '山田', limit: 10 }));
      expect(mine.every((c) => c.shopId === shop.id)).to.equal(true);
      const both = await inboxQueryAcross(database.db, [shop.id, other.id], inboxFilter(actor(shop), { q: '山田', limit: 10 }));
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

    it('finds a rare word through the search index, not by reading every conversation', async () => {
      const plan = await planOf(database, candidatesQuery([shop.id], '配送'));
      expect(plan.filter((t) => /^Seq Scan/.test(t)), plan.join(' | ')).to.deep.equal([]);
      expect(plan.some((t) => /conversation_search_grams_idx/.test(t)), plan.join(' | ')).to.equal(true);
      const across = await planOf(database, candidatesQuery([shop.id, other.id], '配送'));
      expect(across.some((t) => /conversation_search_grams_idx/.test(t)), across.join(' | ')).to.equal(true);
    });

    it('lists a common word (more matches than the index is asked for) by reading the inbox in its order, one key look-up a row', async () => {
      expect(await searchCandidates(database.db, [shop.id], 'ギフト')).to.equal(undefined);
      const page = await listConversations(database.db, shop.id, inboxFilter(actor(shop), { q: 'ギフト', limit: 50 }));
      expect(page).to.have.length(51);
      const whole = await database.db.execute(sql`select c.id from conversations c join conversation_search s on s.conversation_id = c.id
        where c.shop_id = ${shop.id} and s.text like '%ギフト%' order by c.updated_at desc, c.id desc limit 51`);
      expect(page.map((c) => c.id)).to.deep.equal((whole as unknown as { rows: Array<{ id: string }> }).rows.map((r) => r.id));
      const plan = await planOf(database, inboxQuery(database.db, shop.id, inboxFilter(actor(shop), { q: 'ギフト', limit: 50 })));
      expect(plan.filter((t) => /^Seq Scan|^Sort|^Hash/.test(t)), plan.join(' | ')).to.deep.equal([]);
      expect(plan.some((t) => /conversation_search_pkey/.test(t)), plan.join(' | ')).to.equal(true);
      expect(SEARCH_BY_ID).to.be.lessThan(5000);
    });
  });
}
