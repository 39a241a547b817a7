import { listenerTopic } from '../../../server/events/subscriptions.ts';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { ask, cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, nextJobResult, type CustomerChat } from './queue.helpers.ts';

const TOPIC = listenerTopic('message.created', 'reply-mail');

for (const kind of dbKinds) {
  describe(`[${kind}] replies the customer has not read go out by mail`, () => {
    let server: TestServer;
    let shop: TestShop;
    let agent: TestClient;
    let chat: CustomerChat;

    before(async () => {
      server = await startServer(kind, { config: { REPLY_MAIL_DELAY_SECONDS: '1' } });
      shop = await makeShop(server.database, `返信メール商店 ${cid().slice(0, 6)}`);
      agent = await signedIn(server.url, shop.people.agent);
    });
    beforeEach(async () => {
      // Every test mails a customer of its own; the SMTP sink is shared by the whole run.
      chat = await customerChat(server, shop.id, { email: `mail-${cid().slice(0, 8)}@example.jp` });
      await customerSays(chat, '返品の方法を教えてください');
    });
    afterEach(() => chat.w.disconnect());
    after(() => server.close());

    const reply = async (body: string) => {
      const r = await agent.post(`${conversationPath(shop.id, chat.conversationId)}/messages`, { clientId: cid(), body });
      expect(r.status, r.text).to.equal(201);
      return r.body.message as { seq: number };
    };
    /** Resolves with the outcome of the reply-mail check scheduled for `seq`. */
    const checkOf = (seq: number) => nextJobResult(server, TOPIC, (d) => d.conversationId === chat.conversationId && d.seq === seq);
    const mailsTo = (email: string) => server.smtp.mails.filter((m) => m.to.includes(email));

    it('sends two quick unread replies to the customer in one mail, once', async () => {
      const checks = [checkOf(2), checkOf(3)];
      await reply('お問い合わせありがとうございます。');
      await reply('返品はマイページから受け付けております。');
      // The first reply's check sees a newer unread reply and leaves the mail to its check.
      expect(await Promise.all(checks)).to.deep.equal(['skipped', 'sent']);
      const mails = mailsTo(chat.email);
      expect(mails).to.have.length(1);
      expect(mails[0]!.subject).to.include(shop.name).and.include('Reply to your enquiry');
      expect(mails[0]!.text).to.include('お問い合わせありがとうございます。').and.include('返品はマイページから受け付けております。');
    });

    it('does not mail the same replies again when a later reply is mailed', async () => {
      const first = checkOf(2);
      await reply('一通目の返信');
      expect(await first).to.equal('sent');
      const second = checkOf(3);
      await reply('二通目の返信');
      expect(await second).to.equal('sent');
      const mails = mailsTo(chat.email);
      expect(mails).to.have.length(2);
      expect(mails[1]!.text).to.include('二通目の返信').and.not.include('一通目の返信');
    });

    it('sends nothing when the customer reads the reply in the widget before the delay', async () => {
      const check = checkOf(2);
      const m = await reply('すぐにご確認いただけましたか');
      expect(await ask(chat.w, 'read', { conversationId: chat.conversationId, seq: m.seq })).to.deep.equal({ ok: true });
      expect(await check).to.equal('skipped');
      expect(mailsTo(chat.email)).to.have.length(0);
    });

    it('never mails an internal note', async () => {
      const note = await agent.post(`${conversationPath(shop.id, chat.conversationId)}/messages`, { clientId: cid(), body: '社内メモ', kind: 'note' });
      expect(note.status).to.equal(201);
      const check = checkOf(3);
      await reply('担当者より');
      expect(await check).to.equal('sent');
      const [mail] = mailsTo(chat.email);
      expect(mail!.text).to.include('担当者より').and.not.include('社内メモ');
    });
  });
}
