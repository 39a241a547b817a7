import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';

const ROUNDS = 60;

/**
 * A widget that (re)connects catches up with `sync`, which also puts its socket in the
 * conversation's room. A reply stored while that sync is answered must reach the widget one way
 * or the other: in the answer, or live. Read first and joined after, a reply stored in between
 * was in neither, and if it was the conversation's last message nothing later showed the gap.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] a widget sync racing an agent's reply`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let shop: TestShop;

    before(async () => {
      server = await startServer(kind, { socketLimits: { rate: 10_000, burst: 10_000 } });
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    it(`gets every reply stored while it is answered, in the answer or live (${ROUNDS} rounds)`, async () => {
      const agentHttp = await signedIn(server.url, shop.people.agent);
      const agent = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(agent);
      const c = await newCustomer(server.url, shop.id);
      const first = widgetClient(server.url, shop.id, c.token);
      await connected(first);
      const conversationId = (await ask(first, 'conversation:open', {})).conversation.id as string;
      await ask(agent, 'conversation:join', { conversationId });
      first.disconnect();

      const missed: number[] = [];
      let lastSeq = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // A fresh connection, in no conversation's room until its sync.
        const w = widgetClient(server.url, shop.id, c.token);
        await connected(w);
        const live = new Set<number>();
        w.on('message', (m: { conversationId: string; seq: number }) => {
          if (m.conversationId === conversationId) live.add(m.seq);
        });
        const [synced, sent] = await Promise.all([
          ask(w, 'sync', { conversationId, afterSeq: lastSeq }),
          // Sent a little later each round, so that across the rounds the reply is stored before,
          // during and after the sync's read.
          new Promise((r) => setTimeout(r, round % 6)).then(() => ask(agent, 'message:send', { conversationId, clientId: cid(), body: `reply ${round}` })),
        ]);
        const seq = (sent.message ?? sent).seq as number;
        // Barrier: the widget is in the room once its sync is answered, so a later reply reaches
        // it live, and broadcasts from one server arrive in order: once it is seen, the racing
        // reply's broadcast (if the socket was in the room for it) has arrived too.
        const barrier = (await ask(agent, 'message:send', { conversationId, clientId: cid(), body: `barrier ${round}` }));
        const barrierSeq = (barrier.message ?? barrier).seq as number;
        if (!live.has(barrierSeq)) await waitFor(w, 'message', (m: { seq: number }) => m.seq === barrierSeq);
        const answered = new Set((synced.messages as Array<{ seq: number }>).map((m) => m.seq));
        if (!answered.has(seq) && !live.has(seq)) missed.push(round);
        lastSeq = barrierSeq;
        w.disconnect();
      }
      agent.disconnect();
      expect(missed, 'rounds whose reply reached the widget neither in the sync answer nor live').to.deep.equal([]);
    });
  });
}
