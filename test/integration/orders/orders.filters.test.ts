import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { filed, openDesk, publish, pushOrder, type Desk } from '../returns/returns.helpers.ts';

/**
 * Finding orders in the console: the ordered day is the shop's (Tokyo) day, the shipment status
 * comes from the shipped and delivered times, and a contractor, who sees contact data masked,
 * cannot confirm a hidden address or phone by finding an order with it.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] finding orders: filters, contact search by role, and what links to an order`, () => {
    let server: TestServer;
    let d: Desk;
    const customer = anOrder().customer;

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      d = await openDesk(server);
      const put = async (n: string, o: Parameters<typeof anOrder>[0]) => expect((await d.owner.put(`/api/shops/${d.shop.id}/orders/${n}`, anOrder(o))).status).to.equal(201);
      // 11-30 23:30 and 12-01 00:10 in Tokyo are the same UTC day (11-30): only the Tokyo day tells them apart.
      await put('F-A', {
        orderedAt: '2026-11-30T23:30:00+09:00',
        customer: { ...customer, name: '北 一郎', email: 'ichiro@example.jp', phone: '011-222-3333', prefecture: '北海道' },
        carrier: undefined,
        trackingNumber: undefined,
        shippedAt: null,
        deliveredAt: null,
      });
      await put('F-B', { orderedAt: '2026-12-01T00:10:00+09:00', customer: { ...customer, prefecture: '大阪府' }, carrier: '佐川急便', shippedAt: '2026-12-01T15:00:00+09:00', deliveredAt: null });
      await put('F-C', { orderedAt: '2026-12-02T09:00:00+09:00', carrier: 'ヤマト運輸', shippedAt: '2026-12-02T15:00:00+09:00', deliveredAt: '2026-12-03T12:00:00+09:00' });
    });
    after(() => server.close());

    const list = (c: TestClient, query: Record<string, string>) => c.get(`/api/shops/${d.shop.id}/orders?${new URLSearchParams(query)}`);
    const numbers = async (c: TestClient, query: Record<string, string>) => {
      const r = await list(c, query);
      expect(r.status, r.text).to.equal(200);
      return (r.body.orders as Array<{ orderNumber: string }>).map((o) => o.orderNumber).filter((n) => n.startsWith('F-'));
    };

    it("narrows by the ordered day in the shop's time zone, the shipment status, the carrier and the prefecture", async () => {
      expect(await numbers(d.owner, { from: '2026-12-01', to: '2026-12-01' })).to.deep.equal(['F-B']);
      expect(await numbers(d.owner, { to: '2026-11-30' })).to.deep.equal(['F-A']);
      expect(await numbers(d.owner, { from: '2026-12-01' })).to.deep.equal(['F-C', 'F-B']);
      expect(await numbers(d.owner, { status: 'unshipped' })).to.deep.equal(['F-A']);
      expect(await numbers(d.owner, { status: 'shipped' })).to.deep.equal(['F-B']);
      expect(await numbers(d.owner, { status: 'delivered' })).to.deep.equal(['F-C']);
      expect(await numbers(d.owner, { carrier: 'ヤマト運輸' })).to.deep.equal(['F-C']);
      expect(await numbers(d.owner, { prefecture: '大阪府' })).to.deep.equal(['F-B']);
      expect(await numbers(d.owner, { prefecture: '大阪府', status: 'delivered' })).to.deep.equal([]);
      const shown = (await list(d.owner, { status: 'shipped' })).body.orders[0];
      expect(shown).to.include({ orderNumber: 'F-B', status: 'shipped', carrier: '佐川急便' });

      // Pages keep the filter: two, then the last one.
      const first = await list(d.owner, { from: '2026-11-30', to: '2026-12-02', limit: '2' });
      expect(first.body.orders.map((o: { orderNumber: string }) => o.orderNumber)).to.deep.equal(['F-C', 'F-B']);
      const second = await list(d.owner, { from: '2026-11-30', to: '2026-12-02', limit: '2', cursor: first.body.nextCursor });
      expect(second.body.orders.map((o: { orderNumber: string }) => o.orderNumber)).to.deep.equal(['F-A']);
      expect(second.body.nextCursor).to.equal(null);
    });

    it('refuses a bad filter with a 400 that names the field, in English and Japanese', async () => {
      const refused = async (query: Record<string, string>) => {
        const r = await list(d.owner, query);
        expect(r.status, r.text).to.equal(400);
        expect(r.body.error.code).to.equal('invalid_input');
        return r.body.error.details as Array<{ path: string; message: string; ja?: string }>;
      };
      expect(await refused({ from: '2026-02-30' })).to.deep.include({ in: 'query', path: 'from', message: 'there is no such date', ja: '存在しない日付です' });
      expect((await refused({ from: '12/01/2026' }))[0]).to.include({ path: 'from', message: 'expected a date such as 2026-11-25' });
      expect((await refused({ to: '0000-01-01' }))[0]).to.include({ path: 'to', message: 'expected a date such as 2026-11-25' });
      const backwards = await refused({ from: '2026-12-02', to: '2026-12-01' });
      expect(backwards[0]).to.include({ path: 'to', message: 'the last day is before the first day', ja: '終了日は開始日と同じかそれより後にしてください' });
      expect((await refused({ status: 'lost' }))[0]).to.include({ path: 'status', ja: '状態は unshipped・shipped・delivered のいずれかです' });
      expect((await refused({ prefecture: 'Tokyo' }))[0]).to.include({ path: 'prefecture', message: 'expected a prefecture such as 東京都' });
      expect((await refused({ shipped: 'yes' }))[0]).to.include({ path: '' });
    });

    it('finds by email or phone only for those who see them; a contractor finds by number or name, with the contact data masked', async () => {
      expect(await numbers(d.owner, { q: 'ICHIRO@example.jp' })).to.deep.equal(['F-A']);
      expect(await numbers(d.as.agent, { q: '011-222-3333' })).to.deep.equal(['F-A']);
      const contractor = d.as.contractor;
      expect(await numbers(contractor, { q: 'ichiro@example.jp' }), 'by email').to.deep.equal([]);
      expect(await numbers(contractor, { q: '011-222-3333' }), 'by phone').to.deep.equal([]);
      expect(await numbers(contractor, { q: 'ichiro@example.jp', prefecture: '北海道' }), 'by email, narrowed').to.deep.equal([]);
      const byName = await list(contractor, { q: '北 一郎' });
      expect(byName.body.orders).to.have.length(1);
      expect(byName.body.orders[0].customer).to.include({ name: '北 一郎', email: 'i***@e***.jp', phone: '***-****-3333' });
      expect(byName.body.orders[0].masked).to.include.members(['email', 'phone']);
      expect(await numbers(contractor, { q: 'F-A' })).to.deep.equal(['F-A']);
    });

    it('links an order to the conversations that name it and the returns filed on it, for every role', async () => {
      await publish(d);
      const order = await pushOrder(d);
      const open = async (orderNumber: string) => {
        const r = await d.platform.post(`/api/shops/${d.shop.id}/conversations`, { customer: { name: '田中 太郎', email: order.email }, subject: '返品について', orderNumber, message: { clientId: randomUUID(), body: '返品したいです' } });
        expect(r.status, r.text).to.equal(201);
        return r.body.id as string;
      };
      const about = await open(order.number);
      await open('F-A');
      const ret = await filed(d.owner, d.shop.id, { orderNumber: order.number });

      for (const c of [d.owner, d.as.contractor]) {
        const r = await c.get(`/api/shops/${d.shop.id}/orders/${order.number}/links`);
        expect(r.status, r.text).to.equal(200);
        expect(r.body.conversations.map((x: { id: string }) => x.id)).to.deep.equal([about]);
        expect(r.body.conversations[0]).to.include({ subject: '返品について', status: 'open' });
        expect(r.body.returns.map((x: { id: string }) => x.id)).to.deep.equal([ret.id]);
        expect(r.body.returns[0]).to.include({ number: ret.number, kind: 'return' });
        expect(r.body.mail).to.equal(null);
      }
      const none = await d.owner.get(`/api/shops/${d.shop.id}/orders/F-C/links`);
      expect(none.body).to.deep.equal({ conversations: [], returns: [], mail: null });
      expect((await d.owner.get(`/api/shops/${d.shop.id}/orders/NOPE-1/links`)).status).to.equal(404);
    });
  });
}
