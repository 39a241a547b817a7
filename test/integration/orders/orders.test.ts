import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] orders pushed by the shop platform`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let platform: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'カラーミー連携' });
      expect(key.status).to.equal(201);
      platform = new TestClient(server.url).withKey(key.body.key);
    });
    after(() => server.close());

    const path = (n: string, s = shop) => `/api/shops/${s.id}/orders/${n}`;

    it('creates an order with 201, then answers the same snapshot with 200 "unchanged" and writes nothing', async () => {
      const n = newOrderNumber();
      const first = await platform.put(path(n), anOrder());
      expect(first.status).to.equal(201);
      expect(first.body.result).to.equal('created');
      expect(first.body.order.total).to.equal(2750 * 2 + 864 + 770);
      expect(first.body.order.lines.map((l: { lineNo: number; subtotal: number }) => [l.lineNo, l.subtotal])).to.deep.equal([[1, 5500], [2, 864]]);
      const again = await platform.put(path(n), anOrder());
      expect(again.status).to.equal(200);
      expect(again.body.result).to.equal('unchanged');
      expect(again.body.order.updatedAt).to.equal(first.body.order.updatedAt);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${first.body.order.id}`);
      expect(audit.body.events.map((e: { action: string }) => e.action)).to.deep.equal(['order.created']);
    });

    it('updates an order in place, keeping line ids, and audits which fields changed without their values', async () => {
      const n = newOrderNumber();
      const created = await platform.put(path(n), anOrder());
      const updated = await platform.put(path(n), anOrder({ trackingNumber: '9999-0000-1111', customer: { ...anOrder().customer, email: 'new@example.jp' } }));
      expect(updated.status).to.equal(200);
      expect(updated.body.result).to.equal('updated');
      expect(updated.body.order.id).to.equal(created.body.order.id);
      expect(updated.body.order.customer.email).to.equal('new@example.jp');
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${created.body.order.id}&action=order.updated`);
      const [event] = audit.body.events;
      expect(event.summary.changed).to.have.members(['customerEmail', 'trackingNumber']);
      expect(JSON.stringify(event.summary)).not.to.include('new@example.jp');
      expect(event.actorType).to.equal('api_key');
    });

    it('drops lines that a re-push no longer has', async () => {
      const n = newOrderNumber();
      await platform.put(path(n), anOrder());
      const r = await platform.put(path(n), anOrder({ lines: [anOrder().lines[0]!] }));
      expect(r.body.order.lines).to.have.length(1);
      expect(r.body.order.total).to.equal(5500 + 770);
    });

    it('lets staff push orders but not agents or contractors (403)', async () => {
      const staff = await signedIn(server.url, shop.people.staff);
      expect((await staff.put(path(newOrderNumber()), anOrder())).status).to.equal(201);
      for (const role of ['agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        const n = newOrderNumber();
        const r = await c.put(path(n), anOrder());
        expect(r.status, role).to.equal(403);
        expect((await owner.get(path(n))).status).to.equal(404);
      }
    });

    it("answers another shop's API key, and any order of another shop, with 404", async () => {
      const other = await makeShop(server.database);
      const n = newOrderNumber();
      await platform.put(path(n), anOrder());
      const otherOwner = await signedIn(server.url, other.people.owner);
      expect((await otherOwner.get(path(n))).status).to.equal(404);
      expect((await otherOwner.get(path(n, other))).status).to.equal(404);
      expect((await platform.put(path(newOrderNumber(), other), anOrder())).status).to.equal(404);
      expect((await platform.get(`/api/shops/${other.id}/orders`)).status).to.equal(404);
      const list = await otherOwner.get(`/api/shops/${other.id}/orders`);
      expect(list.body.orders).to.deep.equal([]);
    });

    it('refuses wrong, malformed and revoked API keys with 401', async () => {
      const made = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'to revoke' });
      const k = made.body.key as string;
      const tampered = `${k.slice(0, -4)}AAAA`;
      for (const bad of [tampered, 'mdg_nonsense', 'not-a-key']) {
        const r = await new TestClient(server.url).withKey(bad).put(path(newOrderNumber()), anOrder());
        expect(r.status, bad).to.equal(401);
        expect(r.body.error.code).to.equal('unauthenticated');
      }
      expect((await owner.delete(`/api/shops/${shop.id}/api-keys/${made.body.id}`)).status).to.equal(200);
      const revoked = await new TestClient(server.url).withKey(k).put(path(newOrderNumber()), anOrder());
      expect(revoked.status).to.equal(401);
      expect(revoked.body.error.message).to.match(/revoked/);
      const keys = await owner.get(`/api/shops/${shop.id}/api-keys`);
      // The secret follows the 16-hex prefix; it may itself contain "_".
      const secret = k.slice('mdg_'.length + 16 + 1);
      expect(secret).to.have.length(43);
      expect(JSON.stringify(keys.body)).not.to.include(secret);
    });

    it('validates orders: wrong types, unknown fields, bad money and inconsistent dates are 400 with details, and nothing is stored', async () => {
      const cases: [string, unknown, string][] = [
        ['string quantity', anOrder({ lines: [{ ...anOrder().lines[0]!, quantity: '2' as unknown as number }] }), 'lines.0.quantity'],
        ['fractional yen', anOrder({ shippingFee: 770.5 }), 'shippingFee'],
        ['unknown field', { ...anOrder(), giftWrap: true }, ''],
        ['bad tax rate', anOrder({ lines: [{ ...anOrder().lines[0]!, taxRate: 5 as 10 }] }), 'lines.0.taxRate'],
        ['coupon over goods', anOrder({ coupon: { code: 'BIG', discount: 999_999 } }), 'coupon.discount'],
        ['delivered before shipped', anOrder({ deliveredAt: '2026-11-20T09:00:00+09:00' }), 'deliveredAt'],
        ['bad prefecture', anOrder({ customer: { ...anOrder().customer, prefecture: '東京' as '東京都' } }), 'customer.prefecture'],
        ['COD fee without COD', anOrder({ codFee: 330 }), 'codFee'],
        ['no lines', anOrder({ lines: [] }), 'lines'],
        ['total beyond what can be stored', anOrder({ lines: [{ sku: 'X', name: 'x', quantity: 100, unitPrice: 100_000_000, taxRate: 10 }] }), 'lines'],
        ['NUL in a name', anOrder({ customer: { ...anOrder().customer, name: 'a\u0000b' } }), 'customer.name'],
      ];
      for (const [name, body, field] of cases) {
        const n = newOrderNumber();
        const r = await platform.put(path(n), body);
        expect(r.status, name).to.equal(400);
        expect(r.body.error.code, name).to.equal('invalid_input');
        expect(r.body.error.details.map((d: { path: string }) => d.path), name).to.include(field);
        expect((await owner.get(path(n))).status, name).to.equal(404);
      }
      const badNumber = await platform.put(`/api/shops/${shop.id}/orders/${encodeURIComponent('bad number!')}`, anOrder());
      expect(badNumber.status).to.equal(400);
    });

    it('normalises postcodes and phone numbers written with full-width digits', async () => {
      const n = newOrderNumber();
      const r = await platform.put(path(n), anOrder({ customer: { ...anOrder().customer, postcode: '１５００００１', phone: '０９０ー１２３４ー５６７８' } }));
      expect(r.status).to.equal(201);
      expect(r.body.order.customer.postcode).to.equal('150-0001');
      expect(r.body.order.customer.phone).to.equal('090-1234-5678');
    });

    it('when two pushes of a new order race, one creates it and the other updates or finds it unchanged', async () => {
      const n = newOrderNumber();
      const [a, b] = await Promise.all([platform.put(path(n), anOrder()), platform.put(path(n), anOrder({ trackingNumber: 'RACE-2' }))]);
      expect([a.status, b.status].sort()).to.deep.equal([200, 201]);
      const list = await owner.get(`/api/shops/${shop.id}/orders?q=${n}`);
      expect(list.body.orders).to.have.length(1);
    });
  });

  describe(`[${kind}] masking contact data for contractors`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let contractor: TestClient;
    const n = newOrderNumber();

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      contractor = await signedIn(server.url, shop.people.contractor);
      expect((await owner.put(`/api/shops/${shop.id}/orders/${n}`, anOrder())).status).to.equal(201);
    });
    after(() => server.close());

    it('shows a contractor the name but masks email, phone, postcode and address, in the detail and the list', async () => {
      const detail = await contractor.get(`/api/shops/${shop.id}/orders/${n}`);
      expect(detail.status).to.equal(200);
      expect(detail.body.customer).to.deep.equal({
        name: '田中 太郎',
        email: 't***@e***.jp',
        phone: '***-****-5678',
        postcode: '150-****',
        prefecture: '東京都',
        address: '****',
      });
      expect(detail.body.masked).to.have.members(['email', 'phone', 'postcode', 'address']);
      const list = await contractor.get(`/api/shops/${shop.id}/orders`);
      const text = JSON.stringify(list.body);
      expect(text).to.include('田中 太郎');
      for (const secret of ['taro@example.jp', '090-1234-5678', '渋谷区', '150-0001']) expect(text).not.to.include(secret);
    });

    it('shows owners, staff and agents the full contact data', async () => {
      for (const role of ['owner', 'staff', 'agent'] as const) {
        const c = role === 'owner' ? owner : await signedIn(server.url, shop.people[role]);
        const r = await c.get(`/api/shops/${shop.id}/orders/${n}`);
        expect(r.body.customer.email, role).to.equal('taro@example.jp');
        expect(r.body.masked, role).to.deep.equal([]);
      }
    });

    it('reveals one field to a contractor who gives a reason, and the audit trail records who, which field and why', async () => {
      const noReason = await contractor.post(`/api/shops/${shop.id}/orders/${n}/reveal`, { field: 'phone', reason: '' });
      expect(noReason.status).to.equal(400);
      const r = await contractor.post(`/api/shops/${shop.id}/orders/${n}/reveal`, { field: 'phone', reason: '配送業者への再配達依頼のため' });
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.equal({ field: 'phone', value: '090-1234-5678' });
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=order.revealed&actorId=${shop.people.contractor.id}`);
      expect(audit.body.events).to.have.length(1);
      expect(audit.body.events[0].summary).to.include({ field: 'phone', reason: '配送業者への再配達依頼のため', orderNumber: n });
      expect(audit.body.events[0].actorLabel).to.include('contractor');
    });

    it('records every view of an order, so the trail answers "whose data did this account see"', async () => {
      await contractor.get(`/api/shops/${shop.id}/orders/${n}`);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?actorId=${shop.people.contractor.id}`);
      const actions = audit.body.events.map((e: { action: string }) => e.action);
      expect(actions).to.include.members(['order.viewed', 'orders.listed']);
      const listed = audit.body.events.find((e: { action: string }) => e.action === 'orders.listed');
      expect(listed.summary.orderNumbers).to.include(n);
    });

    it('pages through orders newest first with a cursor, and rejects a forged cursor with 400', async () => {
      for (let d = 1; d <= 3; d++) {
        await owner.put(`/api/shops/${shop.id}/orders/P-${d}-${n}`, anOrder({ orderedAt: `2026-10-0${d}T10:00:00+09:00`, shippedAt: null, deliveredAt: null }));
      }
      const first = await owner.get(`/api/shops/${shop.id}/orders?limit=2`);
      expect(first.body.orders).to.have.length(2);
      const second = await owner.get(`/api/shops/${shop.id}/orders?limit=2&cursor=${first.body.nextCursor}`);
      const numbers = [...first.body.orders, ...second.body.orders].map((o: { orderNumber: string }) => o.orderNumber);
      expect(numbers).to.deep.equal([n, `P-3-${n}`, `P-2-${n}`, `P-1-${n}`]);
      expect(second.body.nextCursor).to.equal(null);
      const forged = await owner.get(`/api/shops/${shop.id}/orders?cursor=garbage`);
      expect(forged.status).to.equal(400);
      // Built by hand, yet in both languages like a zod detail: the console shows the person's.
      expect(forged.body.error.details).to.deep.equal([
        { in: 'query', path: 'cursor', message: 'use nextCursor from the previous page', ja: forged.body.error.details[0].ja },
      ]);
      expect(forged.body.error.details[0].ja).to.match(/^ページの位置が正しくありません/);
    });

    it('finds orders by order number prefix or customer name, and by exact email or phone only for those who see them', async () => {
      for (const q of [n.slice(0, 6), '田中']) {
        const r = await contractor.get(`/api/shops/${shop.id}/orders?q=${encodeURIComponent(q)}`);
        expect(r.body.orders.map((o: { orderNumber: string }) => o.orderNumber), q).to.include(n);
      }
      for (const q of ['TARO@example.jp', '090-1234-5678']) {
        const masked = await contractor.get(`/api/shops/${shop.id}/orders?q=${encodeURIComponent(q)}`);
        expect(masked.body.orders, `contractor guessing ${q}`).to.deep.equal([]);
        const full = await owner.get(`/api/shops/${shop.id}/orders?q=${encodeURIComponent(q)}`);
        expect(full.body.orders.map((o: { orderNumber: string }) => o.orderNumber), q).to.include(n);
      }
    });

    it('rejects a well-formed cursor with a forged id or date with 400', async () => {
      for (const forged of [['2026-01-01T00:00:00Z', '-'.repeat(36)], ['-010000-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000'], 'x']) {
        const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
        expect((await owner.get(`/api/shops/${shop.id}/orders?cursor=${cursor}`)).status).to.equal(400);
      }
    });
  });
}
