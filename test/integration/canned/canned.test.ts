import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] canned replies`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let agent: TestClient;
    let contractor: TestClient;
    let n = 0;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      [owner, agent, contractor] = await Promise.all([signedIn(server.url, shop.people.owner), signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.contractor)]);
    });
    after(() => server.close());

    const base = (s = shop) => `/api/shops/${s.id}/canned-replies`;
    const aReply = (over: Record<string, unknown> = {}) => ({
      shortcut: `thanks-${++n}`,
      title: 'お礼',
      bodyJa: '{{customer.name}} 様\nご注文 {{order.number}}（{{order.total}}）は{{order.carrier}}の{{order.trackingNumber}}で発送しました。\n{{shop.name}} {{agent.name}}',
      bodyEn: 'Dear {{customer.name}}, order {{order.number}} ships with {{order.carrier}}.',
      ...over,
    });

    it('lets an agent save a reply that every member, contractors included, can list', async () => {
      const made = await agent.post(base(), aReply());
      expect(made.status).to.equal(201);
      expect(made.body.shortcut).to.match(/^thanks-/);
      const listed = await contractor.get(base());
      expect(listed.status).to.equal(200);
      expect(listed.body.map((r: { id: string }) => r.id)).to.include(made.body.id);
    });

    it('lets contractors use replies but not create, change or delete them (403)', async () => {
      const made = await owner.post(base(), aReply());
      expect((await contractor.post(base(), aReply())).status).to.equal(403);
      expect((await contractor.patch(`${base()}/${made.body.id}`, { title: 'x' })).status).to.equal(403);
      expect((await contractor.delete(`${base()}/${made.body.id}`)).status).to.equal(403);
      expect((await contractor.post(`${base()}/${made.body.id}/preview`, {})).status).to.equal(200);
    });

    it('answers a shortcut already used in the shop with 409, on create and on rename', async () => {
      const first = await agent.post(base(), aReply({ shortcut: 'dup' }));
      expect(first.status).to.equal(201);
      const again = await owner.post(base(), aReply({ shortcut: 'dup' }));
      expect(again.status).to.equal(409);
      expect(again.body.error.message).to.include('/dup');
      const other = await agent.post(base(), aReply());
      expect((await agent.patch(`${base()}/${other.body.id}`, { shortcut: 'dup' })).status).to.equal(409);
      const otherShop = await makeShop(server.database);
      const theirs = await signedIn(server.url, otherShop.people.agent);
      expect((await theirs.post(base(otherShop), aReply({ shortcut: 'dup' }))).status).to.equal(201);
    });

    it('refuses a template that does not compile with 400 and the line of the error, and stores nothing', async () => {
      const r = await agent.post(base(), aReply({ shortcut: 'broken', bodyJa: 'こんにちは\n{{#if order.number}}ご注文' }));
      expect(r.status).to.equal(400);
      expect(r.body.error.details[0]).to.include({ path: 'bodyJa', line: 2 });
      const unknownHelper = await agent.post(base(), aReply({ shortcut: 'broken', bodyEn: 'Hi {{upper customer.name}}' }));
      expect(unknownHelper.status).to.equal(400);
      expect(unknownHelper.body.error.details[0].path).to.equal('bodyEn');
      const list = await agent.get(base());
      expect(list.body.map((x: { shortcut: string }) => x.shortcut)).not.to.include('broken');
    });

    it('refuses shortcuts outside [a-z0-9_-]{1,32} and unknown fields with 400', async () => {
      for (const shortcut of ['Thanks', 'お礼', 'a b', 'x'.repeat(33), '']) {
        expect((await agent.post(base(), aReply({ shortcut }))).status, shortcut).to.equal(400);
      }
      expect((await agent.post(base(), { ...aReply(), html: true })).status).to.equal(400);
    });

    it('changes and deletes a reply, auditing each step', async () => {
      const made = await agent.post(base(), aReply());
      const changed = await agent.patch(`${base()}/${made.body.id}`, { title: '発送のお知らせ', bodyEn: 'Shipped.' });
      expect(changed.status).to.equal(200);
      expect(changed.body).to.include({ title: '発送のお知らせ', bodyEn: 'Shipped.', bodyJa: made.body.bodyJa });
      expect((await agent.delete(`${base()}/${made.body.id}`)).status).to.equal(204);
      expect((await agent.patch(`${base()}/${made.body.id}`, { title: 'x' })).status).to.equal(404);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${made.body.id}`);
      expect(audit.body.events.map((e: { action: string }) => e.action).sort()).to.deep.equal(['canned_reply.created', 'canned_reply.deleted', 'canned_reply.updated']);
    });

    describe('preview', () => {
      let replyId: string;
      let conversationId: string;
      const orderNumber = newOrderNumber();

      before(async () => {
        const db = server.database.db;
        expect((await owner.put(`/api/shops/${shop.id}/orders/${orderNumber}`, anOrder({ customer: { ...anOrder().customer, email: 'taro.tanaka@example.co.jp' } }))).status).to.equal(201);
        const customer = await aCustomer(db, shop.id);
        conversationId = (await aConversation(db, shop.id, customer.id, { orderNumber })).id;
        replyId = (await owner.post(base(), aReply({ bodyJa: '{{customer.name}} 様 {{customer.email}} {{order.number}} {{order.orderedAt}} {{order.total}} {{order.carrier}} {{order.trackingNumber}} {{shop.name}}' }))).body.id;
      });

      it("fills in the conversation's customer and order for an agent", async () => {
        const r = await agent.post(`${base()}/${replyId}/preview`, { conversationId });
        expect(r.status).to.equal(200);
        expect(r.body).to.deep.equal({
          locale: 'ja',
          body: `田中 太郎 様 taro.tanaka@example.co.jp ${orderNumber} 2026年11月20日 10:00 ¥7,134 ヤマト運輸 1234-5678-9012 ${shop.name}`,
        });
      });

      it("masks the customer's email for a contractor", async () => {
        const r = await contractor.post(`${base()}/${replyId}/preview`, { conversationId });
        expect(r.body.body).to.include('田中 太郎 様 t***@e***.jp ');
        expect(r.body.body).not.to.include('taro.tanaka');
      });

      it('renders order variables as empty when the conversation names no order, and all variables empty without a conversation', async () => {
        const c = await aConversation(server.database.db, shop.id, (await aCustomer(server.database.db, shop.id, { name: '鈴木 花子', email: null })).id);
        const r = await agent.post(`${base()}/${replyId}/preview`, { conversationId: c.id });
        expect(r.body.body).to.equal(`鈴木 花子 様       ${shop.name}`);
        const none = await agent.post(`${base()}/${replyId}/preview`, {});
        expect(none.body.body).to.equal(` 様       ${shop.name}`);
      });

      it("uses English for English-speaking customers and falls back to the Japanese text when there is no English", async () => {
        const en = await aConversation(server.database.db, shop.id, (await aCustomer(server.database.db, shop.id, { name: 'Ann Lee', locale: 'en' })).id, { orderNumber });
        const withEn = await agent.post(base(), aReply());
        const r = await agent.post(`${base()}/${withEn.body.id}/preview`, { conversationId: en.id });
        expect(r.body).to.deep.equal({ locale: 'en', body: `Dear Ann Lee, order ${orderNumber} ships with ヤマト運輸.` });
        const forcedJa = await agent.post(`${base()}/${withEn.body.id}/preview`, { conversationId: en.id, locale: 'ja' });
        expect(forcedJa.body.locale).to.equal('ja');
        const jaOnly = await agent.post(base(), aReply({ bodyJa: 'ありがとうございます', bodyEn: undefined }));
        expect((await agent.post(`${base()}/${jaOnly.body.id}/preview`, { locale: 'en' })).body.body).to.equal('ありがとうございます');
      });

      it('renders an unsaved draft as it would be sent, for editors only, and refuses a broken one with its line without storing it', async () => {
        const before = (await owner.get(base())).body.length;
        const draft = { bodyJa: '{{customer.name}} 様、{{shop.name}}です。', bodyEn: 'Dear {{customer.name}}', conversationId };
        const r = await agent.post(`${base()}/preview`, draft);
        expect(r.status).to.equal(200);
        expect(r.body).to.deep.equal({ locale: 'ja', body: `田中 太郎 様、${shop.name}です。` });
        expect((await agent.post(`${base()}/preview`, { ...draft, locale: 'en' })).body.body).to.equal('Dear 田中 太郎');
        expect((await contractor.post(`${base()}/preview`, draft)).status).to.equal(403);
        const broken = await owner.post(`${base()}/preview`, { bodyJa: 'ok\n{{#if customer.name}}' });
        expect(broken.status).to.equal(400);
        expect(broken.body.error.details[0]).to.include({ path: 'bodyJa', line: 2 });
        expect(broken.body.error.details[0].ja).to.include('2行目');
        expect((await owner.post(`${base()}/preview`, { bodyJa: ' ' })).body.error.details[0].path).to.equal('bodyJa');
        expect((await owner.get(base())).body).to.have.length(before);
      });

      it("answers another shop's conversation or reply with 404", async () => {
        const other = await makeShop(server.database);
        const theirOwner = await signedIn(server.url, other.people.owner);
        const theirConv = await aConversation(server.database.db, other.id, (await aCustomer(server.database.db, other.id)).id);
        expect((await agent.post(`${base()}/${replyId}/preview`, { conversationId: theirConv.id })).status).to.equal(404);
        expect((await theirOwner.post(`${base(other)}/${replyId}/preview`, {})).status).to.equal(404);
        expect((await theirOwner.post(`${base()}/${replyId}/preview`, {})).status).to.equal(404);
      });
    });
  });
}
