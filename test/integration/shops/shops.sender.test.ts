import { expect } from 'chai';
import { listenerTopic } from '../../../server/events/subscriptions.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, nextJobResult } from '../conversations/queue.helpers.ts';

const REPLY_MAIL = listenerTopic('message.created', 'reply-mail');

for (const kind of dbKinds) {
  describe(`[${kind}] the shop's mail sender name`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind, { config: { REPLY_MAIL_DELAY_SECONDS: '1' } });
      shop = await makeShop(server.database, `差出人商店 ${cid().slice(0, 6)}`);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    /** A customer's chat with one agent reply left unread: answers the From of the mail it becomes. */
    async function replyMailFrom(): Promise<{ name: string; address: string }> {
      const chat = await customerChat(server, shop.id, { email: `sender-${cid().slice(0, 8)}@example.jp` });
      try {
        await customerSays(chat, '在庫はありますか');
        const agent = await signedIn(server.url, shop.people.agent);
        const sent = nextJobResult(server, REPLY_MAIL, (d) => d.conversationId === chat.conversationId && d.seq === 2);
        const r = await agent.post(`${conversationPath(shop.id, chat.conversationId)}/messages`, { clientId: cid(), body: 'ございます。' });
        expect(r.status, r.text).to.equal(201);
        expect(await sent).to.equal('sent');
        const mail = await server.smtp.waitFor((m) => m.to.includes(chat.email));
        const from = mail.raw.from!.value[0]!;
        return { name: from.name, address: from.address! };
      } finally {
        chat.w.disconnect();
      }
    }

    it('refuses a sender name that is empty, too long, two lines or posing as another sender, naming the field, and changes nothing', async () => {
      for (const mailSenderName of ['  ', 'あ'.repeat(81), '一行目\n二行目', 42, '"Amazon" <no-reply@amazon.co.jp>', 'support@bank.example.jp', 'まどぐち\u202e商店']) {
        const r = await owner.patch(`/api/shops/${shop.id}`, { mailSenderName });
        expect(r.status, JSON.stringify(mailSenderName)).to.equal(400);
        expect(r.body.error.code).to.equal('invalid_input');
        expect(r.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['mailSenderName']);
      }
      expect((await owner.get(`/api/shops/${shop.id}`)).body.mailSenderName).to.equal(null);
      const staff = await signedIn(server.url, shop.people.staff);
      expect((await staff.patch(`/api/shops/${shop.id}`, { mailSenderName: '乗っ取り' })).status).to.equal(403);
    });

    it('refuses a shop name that could pose as another sender of mail, in both languages', async () => {
      const r = await owner.patch(`/api/shops/${shop.id}`, { name: 'Amazon <no-reply@amazon.co.jp>' });
      expect(r.status).to.equal(400);
      expect(r.body.error.details[0]).to.include({ path: 'name', ja: '差出人として表示されるため、@ < > " や見えない制御文字は使えません。' });
    });

    it("mails customers from the shop's name until a sender name is set, then from it (audited), and from the name again once cleared", async () => {
      const mailFromAddress = 'no-reply@madoguchi.localhost';
      expect(await replyMailFrom()).to.deep.equal({ name: shop.name, address: mailFromAddress });

      const set = await owner.patch(`/api/shops/${shop.id}`, { mailSenderName: '  山田商店 サポート  ' });
      expect(set.status, set.text).to.equal(200);
      expect(set.body.mailSenderName).to.equal('山田商店 サポート');
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated`);
      expect(audit.body.events[0].summary.mailSenderName).to.deep.equal({ from: null, to: '山田商店 サポート' });
      expect(await replyMailFrom()).to.deep.equal({ name: '山田商店 サポート', address: mailFromAddress });

      const cleared = await owner.patch(`/api/shops/${shop.id}`, { mailSenderName: null });
      expect(cleared.body.mailSenderName).to.equal(null);
      expect((await replyMailFrom()).name).to.equal(shop.name);
    });
  });
}
