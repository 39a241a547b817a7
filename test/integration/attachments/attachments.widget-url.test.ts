import { expect } from 'chai';
import type { TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { tinyPng } from './chat.fixtures.ts';
import { download, serverWithFiles, upload } from './files.ts';
import { messagesPage } from '../../../server/domains/conversations/conversations.schema.ts';

/**
 * The widget keeps the messages it was answered with (acks included) in localStorage and
 * shows them again after a reload; a file there must link the customer's own address, since
 * the console's answers 401 to a widget token and the browser shows a bare file chip.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] a customer's files link the widget's address on every path`, () => {
    let server: TestServer & { dataDir: string };
    let shop: TestShop;
    let agent: TestClient;

    before(async () => {
      server = await serverWithFiles(kind, '1');
      shop = await makeShop(server.database);
      agent = await signedIn(server.url, shop.people.agent);
    });
    after(() => server.close());

    const customerUrl = (id: string) => `/api/public/shops/${shop.id}/widget/attachments/${id}`;
    const agentUrl = (id: string) => `/api/shops/${shop.id}/attachments/${id}`;

    it("the sender's ack, a reconnect's history and the customer's other tab all link the customer URL, which serves the photo to that customer", async () => {
      const c = await newCustomer(server.url, shop.id);
      const customer = new TestClient(server.url).withKey(c.token);
      const w = widgetClient(server.url, shop.id, c.token);
      await connected(w);
      const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
      const tab = widgetClient(server.url, shop.id, c.token);
      await connected(tab);
      expect((await ask(tab, 'sync', { conversationId, afterSeq: 0 })).ok).to.equal(true);

      const png = tinyPng(3, 3);
      const up = await upload(customer, `/api/public/shops/${shop.id}/widget/conversations/${conversationId}/attachments`, png, 'image/png', '破損.png');
      expect(up.status, up.text).to.equal(201);
      const live = waitFor(tab, 'message', (m: any) => m.conversationId === conversationId);
      const sent = await ask(w, 'message:send', { conversationId, clientId: cid(), body: '届いた箱が潰れていました', attachmentIds: [up.body.id] });
      expect(sent.ok, JSON.stringify(sent)).to.equal(true);
      expect(sent.message.attachments.map((a: any) => a.url), 'the ack the widget stores').to.deep.equal([customerUrl(up.body.id)]);
      expect((await live).attachments.map((a: any) => a.url), 'the other tab').to.deep.equal([customerUrl(up.body.id)]);
      w.disconnect();
      tab.disconnect();

      // The agent answers with a file of their own: the customer's copy links the widget address too.
      const agentUp = await upload(agent, `/api/shops/${shop.id}/conversations/${conversationId}/attachments`, tinyPng(), 'image/png', '返送ラベル.png');
      const reply = await agent.post(`/api/shops/${shop.id}/conversations/${conversationId}/messages`, { clientId: cid(), body: 'こちらのラベルをお使いください', attachmentIds: [agentUp.body.id] });
      expect(reply.status, reply.text).to.equal(201);

      // After a reload: a new connection catches up from the start.
      const again = widgetClient(server.url, shop.id, c.token);
      await connected(again);
      const history = await ask(again, 'sync', { conversationId, afterSeq: 0 });
      expect(history.ok, JSON.stringify(history)).to.equal(true);
      const files = history.messages.flatMap((m: any) => m.attachments.map((a: any) => a.url));
      expect(files).to.deep.equal([customerUrl(up.body.id), customerUrl(agentUp.body.id)]);
      expect(history.messages.every((m: any) => m.authorId === null), 'no agent user id reaches the customer').to.equal(true);
      // A resend after a lost ack answers the stored message, with the customer's URL as well.
      const resent = await ask(again, 'message:send', { conversationId, clientId: sent.message.clientId, body: '届いた箱が潰れていました', attachmentIds: [up.body.id] });
      expect(resent).to.include({ ok: true, duplicate: true });
      expect(resent.message.attachments.map((a: any) => a.url)).to.deep.equal([customerUrl(up.body.id)]);
      again.disconnect();

      const photo = await download(customer, files[0]!);
      expect(photo.status).to.equal(200);
      expect(photo.bytes.equals(png)).to.equal(true);
      expect((await download(customer, files[1]!)).status).to.equal(200);
      // The console's address is not for widget tokens: that is what the browser used to hit.
      expect((await download(customer, agentUrl(up.body.id))).status).to.equal(401);
    });

    it("the console still gets the console's address for the customer's file, live and in its history", async () => {
      const c = await newCustomer(server.url, shop.id);
      const customer = new TestClient(server.url).withKey(c.token);
      const w = widgetClient(server.url, shop.id, c.token);
      await connected(w);
      const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
      const console = agentClient(server.url, shop.id, agent.cookie);
      await connected(console);
      expect((await ask(console, 'conversation:join', { conversationId })).ok).to.equal(true);
      const up = await upload(customer, `/api/public/shops/${shop.id}/widget/conversations/${conversationId}/attachments`, tinyPng(), 'image/png', 'a.png');
      const live = waitFor(console, 'message', (m: any) => m.conversationId === conversationId);
      expect((await ask(w, 'message:send', { conversationId, clientId: cid(), body: '写真です', attachmentIds: [up.body.id] })).ok).to.equal(true);
      expect((await live).attachments[0].url).to.equal(agentUrl(up.body.id));
      const history = await ask(console, 'sync', { conversationId, afterSeq: 0 });
      expect(history.messages[0].attachments[0].url).to.equal(agentUrl(up.body.id));
      // The same answer as GET …/messages: what the API reference says, attachments included.
      const { ok: _ok, ...answer } = history;
      expect(messagesPage.safeParse(answer).error?.issues ?? []).to.deep.equal([]);
      expect((await download(agent, agentUrl(up.body.id))).status).to.equal(200);
      w.disconnect();
      console.disconnect();
    });
  });
}
