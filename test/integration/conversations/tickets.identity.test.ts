import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { shopAddress } from '../../../server/domains/conversations/conversations.email.ts';
import { customers } from '../../../server/domains/conversations/conversations.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { conversationPath, openTicket } from './queue.helpers.ts';

const SECRET = 'inbound-test-secret-0123456789abcdef';
const DOMAIN = 'reply.example.jp';

/**
 * Who may write a customer's identity. A verified customer is vouched for by the shop's
 * server only (a signed widget token, or its API key); the console attaches tickets to
 * customers and never rewrites them, and a contractor learns nothing from a ticket's answer
 * about whether an address belongs to a customer.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] who writes a customer's identity`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let agent: TestClient;
    let contractor: TestClient;
    let platform: TestClient;

    before(async () => {
      server = await startServer(kind, { config: { INBOUND_EMAIL_SECRET: SECRET, INBOUND_EMAIL_DOMAIN: DOMAIN, JOBS: 'off' } });
      shop = await makeShop(server.database);
      [owner, agent, contractor] = await Promise.all([signedIn(server.url, shop.people.owner), signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.contractor)]);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: '基幹システム連携' });
      platform = new TestClient(server.url).withKey(key.body.key);
    });
    after(() => server.close());

    const stored = async (id: string) => (await server.database.db.select().from(customers).where(and(eq(customers.shopId, shop.id), eq(customers.id, id))))[0]!;
    const withEmail = (email: string) => server.database.db.select().from(customers).where(and(eq(customers.shopId, shop.id), eq(customers.email, email)));

    /** A customer the shop's server vouched for, by its API key. */
    async function verifiedCustomer() {
      const externalId = `cust-${cid().slice(0, 8)}`;
      const email = `hanako-${cid().slice(0, 8)}@example.jp`;
      const r = await openTicket(platform, shop.id, { externalId, email, name: '山田 花子' });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.customer).to.include({ verified: true, name: '山田 花子', email });
      return { id: r.body.customer.id as string, externalId, email };
    }

    it("a contractor's ticket answers the same for a customer's address and a stranger's, and never joins or shows the customer", async () => {
      const known = await verifiedCustomer();
      const chat = await newCustomer(server.url, shop.id, { name: '匿名さん', email: `walkin-${cid().slice(0, 8)}@example.jp` });
      const chatEmail = (await stored(chat.customer.id)).email!;
      const unknown = `nobody-${cid().slice(0, 8)}@example.jp`;
      const answers = [];
      for (const email of [known.email, chatEmail, unknown]) {
        const r = await openTicket(contractor, shop.id, { email, name: '問い合わせ者' });
        expect(r.status, r.text).to.equal(201);
        answers.push(r.body.customer);
      }
      for (const c of answers) {
        expect(c).to.include({ name: '問い合わせ者', verified: false, externalId: null });
        expect(c.email).to.match(/^[a-z]\*\*\*@e\*\*\*\.jp$/);
      }
      expect(answers.map((c) => c.id)).not.to.include.members([known.id, chat.customer.id]);
      expect(new Set(answers.map((c) => c.id)).size).to.equal(3);
      // The customer's row is as the shop's server left it.
      expect(await stored(known.id)).to.include({ name: '山田 花子', email: known.email, verified: true, externalId: known.externalId });
    });

    it("refuses a contractor's customer id (403) whether or not it is a customer's, before anything is written", async () => {
      const known = await verifiedCustomer();
      const before = (await owner.get(`${conversationPath(shop.id)}?limit=200`)).body.conversations.length;
      const a = await openTicket(contractor, shop.id, { externalId: known.externalId, email: `attacker-${cid().slice(0, 8)}@evil.example`, name: '書き換え' });
      const b = await openTicket(contractor, shop.id, { externalId: `cust-none-${cid().slice(0, 8)}`, email: `attacker-${cid().slice(0, 8)}@evil.example`, name: '書き換え' });
      for (const r of [a, b]) {
        expect(r.status, r.text).to.equal(403);
        expect(r.body.error.code).to.equal('forbidden');
      }
      expect(a.body.error.message).to.equal(b.body.error.message);
      expect(await stored(known.id)).to.include({ name: '山田 花子', email: known.email, verified: true });
      expect((await owner.get(`${conversationPath(shop.id)}?limit=200`)).body.conversations.length).to.equal(before);
    });

    it("a console ticket with a verified customer's id attaches to that customer and leaves its name and address as the shop's server gave them", async () => {
      const known = await verifiedCustomer();
      for (const who of [agent, owner]) {
        const r = await openTicket(who, shop.id, { externalId: known.externalId, email: `attacker-${cid().slice(0, 8)}@evil.example`, name: '別人' });
        expect(r.status, r.text).to.equal(201);
        expect(r.body.customer).to.include({ id: known.id, name: '山田 花子', email: known.email, verified: true });
      }
      expect(await stored(known.id)).to.include({ name: '山田 花子', email: known.email, verified: true });
      // The shop's server still updates the identity it vouches for.
      const moved = await openTicket(platform, shop.id, { externalId: known.externalId, email: 'hanako.new@example.jp', name: '山田 花子（新姓）' });
      expect(moved.body.customer).to.include({ id: known.id, name: '山田 花子（新姓）', email: 'hanako.new@example.jp', verified: true });
    });

    it("an unknown customer id from the console makes an unverified customer that the shop's server verifies later", async () => {
      const externalId = `cust-${cid().slice(0, 8)}`;
      const r = await openTicket(agent, shop.id, { externalId, email: `phone-${cid().slice(0, 8)}@example.jp`, name: '電話の方' });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.customer).to.include({ name: '電話の方', verified: false, externalId });
      const again = await openTicket(agent, shop.id, { externalId, email: `other-${cid().slice(0, 8)}@example.jp`, name: '別の名前' });
      expect(again.body.customer).to.include({ id: r.body.customer.id, name: '電話の方' });
      const vouched = await openTicket(platform, shop.id, { externalId, email: 'real@example.jp', name: '本人' });
      expect(vouched.body.customer).to.include({ id: r.body.customer.id, name: '本人', email: 'real@example.jp', verified: true });
    });

    describe('mail to the shop address', () => {
      const post = (raw: string) =>
        fetch(`${server.url}/api/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, body: raw }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as any,
        }));
      const mail = (from: string, text: string) =>
        [`From: <${from}>`, `To: ${shopAddress({ domain: DOMAIN }, shop.id)}`, 'Subject: question', `Message-ID: <${randomUUID()}@mail.example>`, 'Content-Type: text/plain; charset=UTF-8', '', text, ''].join('\r\n');
      const customerOf = async (conversationId: string) => (await owner.get(conversationPath(shop.id, conversationId))).body.customer;

      it("a mail whose From is a verified customer's address opens a ticket for an unverified contact, not for the customer", async () => {
        const known = await verifiedCustomer();
        const r = await post(mail(known.email, '注文をキャンセルして、返金は別の口座にお願いします'));
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        const c = await customerOf(r.body.conversationId);
        expect(c.id).not.to.equal(known.id);
        expect(c).to.include({ verified: false, email: known.email, externalId: null });
        expect(await stored(known.id)).to.include({ name: '山田 花子', verified: true });
      });

      it('mails from one address keep to one contact, as before', async () => {
        const from = `taro-${cid().slice(0, 8)}@example.jp`;
        const a = await post(mail(from, '一通目'));
        const b = await post(mail(from, '二通目'));
        expect((await customerOf(a.body.conversationId)).id).to.equal((await customerOf(b.body.conversationId)).id);
        expect(await withEmail(from)).to.have.length(1);
      });
    });
  });
}
