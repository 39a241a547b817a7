import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { relatedOf, type RelatedDto } from '../../../server/domains/conversations/conversations.related.ts';
import { RELATED_LIMIT } from '../../../server/domains/conversations/conversations.related.repository.ts';
import { relatedView } from '../../../server/domains/conversations/conversations.schema.ts';
import { sentDuring, testDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * The sidebar's links (relatedOf) are one statement: the customer's other conversations, the
 * orders they placed or named and those orders' returns, each newest first and capped, none
 * of another shop, nothing joined by an address the shop did not vouch for or that the viewer
 * may not see. Checked against the rows written here, by their numbers.
 */
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute, 0, 123));

for (const kind of dbKinds) {
  describe(`[${kind}] a customer's related records in one statement`, function () {
    this.timeout(60_000);
    let database: Database;
    let shop: TestShop;
    let other: TestShop;
    /** The conversation asked about, of the verified customer Hanako. */
    let asked: string;
    /** A visitor's, who typed Hanako's address and was never vouched for. */
    let visitors: string;
    /** Of the verified customer Taro, who has more orders and returns than the panel shows, some at the same moment. */
    let taros: string;
    const numbers = new Map<string, number>();

    const actor = (role: 'owner' | 'agent' | 'contractor', s = shop): Actor => ({ kind: 'user', shopId: s.id, userId: s.people[role].id, name: role, role });
    const related = async (role: 'owner' | 'agent' | 'contractor', id = asked, s = shop) => JSON.parse((await relatedOf(database.db, actor(role, s), id)).text) as RelatedDto;

    async function conversation(shopId: string, customerId: string, minute: number, orderNumber: string | null = null, mergedIntoId: string | null = null) {
      const c = await aConversation(database.db, shopId, customerId, { orderNumber });
      await database.db.execute(sql`update conversations set updated_at = ${at(minute)}, merged_into_id = ${mergedIntoId} where id = ${c.id}`);
      numbers.set(c.id, c.number);
      return c;
    }
    async function order(shopId: string, orderNumber: string, email: string, minute: number, shipped = false): Promise<string> {
      const r = (await database.db.execute(sql`
        insert into orders (shop_id, order_number, ordered_at, customer_name, customer_email, payment_method, total, source, shipped_at)
        values (${shopId}, ${orderNumber}, ${at(minute)}, '山田 花子', ${email}, 'card', ${1000 + minute}, 'api', ${shipped ? at(minute + 1) : null}) returning id`)) as unknown as { rows: Array<{ id: string }> };
      return r.rows[0]!.id;
    }
    async function aReturn(shopId: string, orderId: string, number: number, minute: number): Promise<void> {
      await database.db.execute(sql`
        insert into return_requests (shop_id, number, order_id, order_snapshot, kind, reason, legal_basis, status, notice_at, source, refund_method,
          return_label_by_shop, policy, refund, refund_total, refund_limit, created_at)
        values (${shopId}, ${number}, ${orderId}, '{}', 'return', 'size', 'terms', 'requested', ${at(minute)}, 'portal', 'original_payment', false, '{}', '{}', 0, 5000, ${at(minute)})`);
    }

    before(async () => {
      database = await testDatabase(kind);
      [shop, other] = [await makeShop(database), await makeShop(database)];
      const address = `hanako-${Date.now()}@example.jp`;
      const hanako = await aCustomer(database.db, shop.id, { email: address });
      await database.db.execute(sql`update customers set verified = true where id = ${hanako.id}`);
      // The same address, vouched for under another id; and typed by an unverified visitor.
      const again = await aCustomer(database.db, shop.id, { email: address });
      await database.db.execute(sql`update customers set verified = true where id = ${again.id}`);
      const typed = await aCustomer(database.db, shop.id, { email: address });
      const someone = await aCustomer(database.db, shop.id, { email: 'someone@example.jp' });
      const elsewhere = await aCustomer(database.db, other.id, { email: address });
      await database.db.execute(sql`update customers set verified = true where id = ${elsewhere.id}`);

      asked = (await conversation(shop.id, hanako.id, 1000, 'A-1')).id;
      // Hanako's others: 24, one merged away, two naming orders; the newest 20 are shown.
      for (let i = 0; i < 24; i++) await conversation(shop.id, hanako.id, 100 + i * 10, i === 23 ? 'A-2' : i === 0 ? 'A-OLD' : null);
      await conversation(shop.id, hanako.id, 999, null, asked);
      await conversation(shop.id, again.id, 500, 'B-1');
      visitors = (await conversation(shop.id, typed.id, 600, 'C-1')).id;
      await conversation(shop.id, someone.id, 700);
      await conversation(other.id, elsewhere.id, 800, 'A-1');

      const a1 = await order(shop.id, 'A-1', 'other@example.jp', 50, true);
      await order(shop.id, 'A-2', 'other@example.jp', 60);
      await order(shop.id, 'A-OLD', 'other@example.jp', 10);
      const byAddress = await order(shop.id, 'M-1', address.toUpperCase(), 70);
      await order(shop.id, 'B-1', 'again@example.jp', 80);
      await order(shop.id, 'C-1', 'typed@example.jp', 90);
      const theirs = await order(other.id, 'A-1', address, 95);
      await aReturn(shop.id, a1, 1, 200);
      await aReturn(shop.id, byAddress, 2, 300);
      await aReturn(shop.id, byAddress, 3, 400);
      await aReturn(other.id, theirs, 1, 500);

      // Taro: two other conversations at one moment; 21 orders by his address, two of them at one
      // moment, and 22 returns of them, two at one moment.
      const taro = await aCustomer(database.db, shop.id, { email: `taro-${Date.now()}@example.jp` });
      await database.db.execute(sql`update customers set verified = true where id = ${taro.id}`);
      taros = (await conversation(shop.id, taro.id, 2000)).id;
      for (let i = 0; i < 2; i++) await conversation(shop.id, taro.id, 1500);
      for (let i = 0; i < 21; i++) {
        const id = await order(shop.id, `T-${i}`, taro.email!, i === 20 ? 2100 + 19 : 2100 + i);
        await aReturn(shop.id, id, 100 + i, i === 20 ? 2200 + 19 : 2200 + i);
        if (i === 5) await aReturn(shop.id, id, 200, 2150);
      }
    });
    after(() => database?.close());

    it("answers an owner the customer's conversations and those of the address the shop vouched for, newest first, at most 20, in one statement", async () => {
      const { value: r, sent } = await sentDuring(database, () => related('owner'));
      expect(sent).to.have.length(1);
      expect(relatedView.safeParse(r).error?.issues ?? []).to.deep.equal([]);
      expect(r.conversations).to.have.length(RELATED_LIMIT);
      const minutes = r.conversations.map((c) => (Date.parse(c.updatedAt) - at(0).getTime()) / 60_000);
      // The vouched-for twin's at 500, then Hanako's newest 19 (of 24); not the merged one, the visitor's or another shop's.
      expect(minutes).to.deep.equal([500, ...Array.from({ length: 19 }, (_, i) => 330 - i * 10)]);
      expect(r.conversations.map((c) => c.number)).to.deep.equal(r.conversations.map((c) => numbers.get(c.id)));
      expect(r.conversations[0]).to.deep.include({ status: 'open', subject: null, updatedAt: at(500).toISOString() });
      // Orders: named by the conversation and by Hanako's own shown ones, placed with the address (M-1, any case); not B-1 (named by the other customer) nor A-OLD (named by a conversation not shown).
      expect(r.orders.map((o) => o.orderNumber)).to.deep.equal(['M-1', 'A-2', 'A-1']);
      expect(r.orders[2]).to.deep.equal({ orderNumber: 'A-1', orderedAt: at(50).toISOString(), total: 1050, shippedAt: at(51).toISOString(), deliveredAt: null });
      expect(r.returns.map((x) => [x.number, x.orderNumber, x.status, x.createdAt])).to.deep.equal([
        [3, 'M-1', 'requested', at(400).toISOString()],
        [2, 'M-1', 'requested', at(300).toISOString()],
        [1, 'A-1', 'requested', at(200).toISOString()],
      ]);
    });

    it('joins nothing by address for a contractor: the customer’s own conversations and the orders they name', async () => {
      const r = await related('contractor');
      const minutes = r.conversations.map((c) => (Date.parse(c.updatedAt) - at(0).getTime()) / 60_000);
      expect(minutes).to.deep.equal(Array.from({ length: 20 }, (_, i) => 330 - i * 10));
      expect(r.orders.map((o) => o.orderNumber)).to.deep.equal(['A-2', 'A-1']);
      expect(r.returns.map((x) => x.number)).to.deep.equal([1]);
    });

    it('joins nothing by an address typed by a visitor the shop never vouched for, even for an owner', async () => {
      const r = await related('owner', visitors);
      expect(r).to.deep.equal({ conversations: [], orders: [{ orderNumber: 'C-1', orderedAt: at(90).toISOString(), total: 1090, shippedAt: null, deliveredAt: null }], returns: [] });
    });

    it('shows the newest 20 orders and returns, and breaks a tie by id, the same at every read', async () => {
      const r = await related('owner', taros);
      /** The rows of `table` whose `key` is one of `values`, their keys by id, greatest first. */
      const byIdDesc = async (table: string, key: string, values: string[]) => {
        const found = (await database.db.execute(sql`select id, ${sql.raw(key)}::text as k from ${sql.raw(table)} where shop_id = ${shop.id} and ${sql.raw(key)}::text = any(${sql.param(values)}::text[])`)) as unknown as { rows: Array<{ id: string; k: string }> };
        return found.rows.sort((a, b) => (a.id < b.id ? 1 : -1)).map((x) => x.k);
      };
      // Two conversations at 1500: the greater id first.
      expect(r.conversations.map((c) => c.updatedAt)).to.deep.equal([at(1500).toISOString(), at(1500).toISOString()]);
      expect(r.conversations.map((c) => c.id)).to.deep.equal([...r.conversations.map((c) => c.id)].sort().reverse());
      // T-19 and T-20 at one moment, the newest; T-0 falls off.
      expect(r.orders).to.have.length(RELATED_LIMIT);
      expect(r.orders.slice(0, 2).map((o) => o.orderNumber)).to.deep.equal(await byIdDesc('orders', 'order_number', ['T-19', 'T-20']));
      expect(r.orders.slice(2).map((o) => o.orderNumber)).to.deep.equal(Array.from({ length: 18 }, (_, i) => `T-${18 - i}`));
      // 21 returns of those 20 orders (T-5 has two): the newest 20, the two at one moment by id.
      expect(r.returns).to.have.length(RELATED_LIMIT);
      expect(r.returns.slice(0, 2).map((x) => String(x.number))).to.deep.equal(await byIdDesc('return_requests', 'number', ['119', '120']));
      expect(r.returns.slice(2).map((x) => x.number)).to.deep.equal([...Array.from({ length: 18 }, (_, i) => 118 - i)]);
      expect(r.returns.every((x) => x.orderNumber === `T-${x.number - 100}`)).to.equal(true);
      expect(await related('owner', taros)).to.deep.equal(r);
    });

    it('answers 404 for a conversation of another shop, and nothing of it', async () => {
      const theirs = ((await database.db.execute(sql`select id from conversations where shop_id = ${other.id} limit 1`)) as unknown as { rows: Array<{ id: string }> }).rows[0]!.id;
      let failed: unknown;
      await relatedOf(database.db, actor('owner'), theirs).catch((e: unknown) => (failed = e));
      expect((failed as { code?: string }).code).to.equal('not_found');
      // Asked in its own shop, it sees its own order A-1, not this shop's.
      const r = await related('owner', theirs, other);
      expect(r.orders.map((o) => o.total)).to.deep.equal([1095]);
      expect(r.conversations).to.deep.equal([]);
    });
  });
}
