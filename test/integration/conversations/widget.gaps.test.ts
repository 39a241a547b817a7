import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { rooms } from '../../../server/domains/conversations/conversations.rooms.ts';
import { Connection, type ConnectionState } from '../../../agent-console/widget/connection.ts';
import { Store } from '../../../agent-console/widget/store.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';

/**
 * The widget's own Store and Connection (as the page runs them; no localStorage in Node)
 * against the real app: a message the widget missed while connected — its broadcast lost, as
 * with a server process killed between the commit and the broadcast — is caught up however
 * the gap shows (an acknowledgement past it, a live message past it while the catch-up is
 * refused), and the widget ends with every message once, in order.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the widget catches up on every gap`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let agent: TestClient;
    const open: Connection[] = [];

    before(async () => {
      // A connection gets 10 events and next to none after them (one more every ~17 minutes):
      // what the test spends is what the widget may do, and a refused catch-up stays refused.
      server = await startServer(kind, { socketLimits: { rate: 0.001, burst: 10, disconnectAfter: 10_000 } });
      shop = await makeShop(server.database);
      agent = await signedIn(server.url, shop.people.agent);
    });
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
    });
    after(() => server.close());

    /**
     * A customer's widget, connected, with one message of theirs stored and no answer still
     * owed to it. The server joins the socket to the conversation's room while it serves each
     * of the widget's requests (conversation:open, message:send, sync): one still being served
     * would put it back in a room a test has just made it leave. Such a request is not only the
     * ones awaited here: the coalesced 'conversation' update of the open, read after the first
     * message was stored, can reach the widget before that message's acknowledgement and start
     * a catch-up of its own.
     */
    async function widget() {
      const customer = await newCustomer(server.url, shop.id);
      const store = new Store(shop.id);
      store.setSession({ token: customer.token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), customer: { ...customer.customer, verified: false }, identitySub: null, orderNumber: null });
      const states: ConnectionState[] = [];
      const conn = new Connection(server.url, shop.id, customer.token, store, { state: (s) => states.push(s), refused: () => undefined, typing: () => undefined, availability: () => undefined });
      open.push(conn);
      const socket = (conn as unknown as { socket: Socket }).socket;
      const refusals: string[] = [];
      let unanswered = 0;
      socket.onAnyOutgoing((event: string) => {
        if (event === 'conversation:open' || event === 'message:send' || event === 'sync') unanswered += 1;
      });
      socket.io.on('packet', (p: { type: number; data?: Array<{ error?: string } | null> }) => {
        if (p.type !== 3) return; // acknowledgements only
        unanswered -= 1;
        const answer = p.data?.find((d) => d?.error);
        if (answer?.error) refusals.push(answer.error);
      });
      await eventually(async () => states.includes('online'), 'the widget to connect');
      const conversationId = await conn.ensureConversation();
      await conn.send({ clientId: cid(), body: 'こんにちは', attachments: [], createdAt: new Date().toISOString() });
      await eventually(async () => store.outbox.length === 0 && store.list().length === 1, 'the first message to be stored');
      await eventually(async () => unanswered === 0, 'the widget’s requests to be answered');
      /** The server side of the widget's connection. */
      const serverSocket = () => server.service.realtime.io.of('/widget').sockets.get(socket.id!);
      return { store, conn, socket, conversationId, refusals, serverSocket };
    }

    /**
     * Resolves once the message with `body` has been broadcast: the bus runs its listeners in
     * the order they were added, the app's broadcast (added at the start) before this one.
     */
    const broadcastOf = (body: string) =>
      new Promise<void>((done) =>
        server.service.bus.on('message.live', ({ message }) => {
          if (message.body === body) done();
        }),
      );

    const reply = async (conversationId: string, body: string) => {
      const r = await agent.post(`/api/shops/${shop.id}/conversations/${conversationId}/messages`, { clientId: cid(), body });
      expect(r.status, r.text).to.be.oneOf([200, 201]);
    };
    const bodies = (store: Store) => store.list().map((m) => m.body);
    const seqs = (store: Store) => store.list().map((m) => m.seq);

    it('a reply whose broadcast was lost shows once the customer’s next message is acknowledged past it', async () => {
      const { store, conn, conversationId, serverSocket } = await widget();

      // The reply is stored, but its broadcast never reaches this widget.
      await serverSocket()!.leave(rooms.widgetConversation(conversationId));
      await reply(conversationId, 'ご連絡ありがとうございます');

      // The customer writes again: the acknowledgement (seq 3) shows that seq 2 is missing.
      await conn.send({ clientId: cid(), body: 'まだですか', attachments: [], createdAt: new Date().toISOString() });
      await eventually(async () => bodies(store).length === 3, 'the widget to catch up on the reply', 15_000);
      expect(bodies(store)).to.deep.equal(['こんにちは', 'ご連絡ありがとうございます', 'まだですか']);
      expect(seqs(store)).to.deep.equal([1, 2, 3]);
      expect(store.missing).to.equal(false);
    });

    it('a live message past a gap while the catch-up is refused: the reconnect catches up from before the gap, not from the live message', async () => {
      const { store, conn, socket, conversationId, refusals, serverSocket } = await widget();
      const room = rooms.widgetConversation(conversationId);

      // A reply whose broadcast is lost. The bus broadcasts on a later tick, which may come after
      // the test has the answer: it has gone out, to a room without the widget, before the widget is back.
      const lost = broadcastOf('一通目の返信');
      await serverSocket()!.leave(room);
      await reply(conversationId, '一通目の返信');
      await lost;
      await serverSocket()!.join(room);
      // …the widget spends what its connection may send (a customer typing a lot)…
      for (let i = 0; i < 20; i++) conn.typing(conversationId, i % 2 === 0);
      // …and the next reply arrives live, past the gap; the catch-up it starts is refused.
      await reply(conversationId, '二通目の返信');
      await eventually(async () => bodies(store).includes('二通目の返信'), 'the second reply to arrive live');
      await eventually(async () => refusals.includes('rate_limited'), 'the catch-up to be refused');
      expect(bodies(store)).to.deep.equal(['こんにちは', '二通目の返信']);

      // The connection drops and comes back (a fresh connection may send again): the first reply
      // is caught up, though the highest seq the widget holds was past it.
      const before = socket.id;
      for (const c of Object.values((server.service.realtime.io.engine as unknown as { clients: Record<string, { close(): void }> }).clients)) c.close();
      await eventually(async () => socket.connected && socket.id !== before, 'the widget to reconnect');
      await eventually(async () => bodies(store).length === 3, 'the widget to catch up on the first reply', 15_000);
      expect(bodies(store)).to.deep.equal(['こんにちは', '一通目の返信', '二通目の返信']);
      expect(seqs(store)).to.deep.equal([1, 2, 3]);
      expect(store.missing).to.equal(false);

      // And it follows the conversation again: a later reply arrives live.
      await reply(conversationId, '三通目の返信');
      await eventually(async () => bodies(store).includes('三通目の返信'), 'the next reply to arrive live');
      expect(seqs(store)).to.deep.equal([1, 2, 3, 4]);
    });
  });
}
