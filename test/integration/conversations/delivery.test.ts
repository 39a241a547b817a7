import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { io, type Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { testDatabase, testPostgresUrl } from '../../helpers/db.ts';
import { dbKinds, redisPrefix, redisUrl } from '../../helpers/env.ts';
import { freePort, start, until, type Proc } from '../../helpers/process.ts';
import { OrderedReceiver, ReliableSender } from '../../helpers/reliable.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';

const BURST = 300;
/** Rounds of a widget sync racing an agent's reply. */
const SYNC_ROUNDS = 60;

/** Retries an assertion until it holds or time runs out. */
async function soon(check: () => void, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
const bodies = (n: number) => Array.from({ length: n }, (_, i) => `m-${String(i + 1).padStart(4, '0')}`);

/** A widget socket that reconnects by itself, as the real widget does. */
const reconnectingWidget = (url: string, shopId: string, token: string): Socket =>
  io(`${url}/widget`, { auth: { shopId, token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });

for (const kind of dbKinds) {
  describe(`[${kind}] delivery: every message exactly once, in order`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;

    before(async () => {
      server = await startServer(kind, { socketLimits: { rate: 10_000, burst: 10_000 } });
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    it('a customer whose connection drops in the middle of a burst ends with every message stored once, in order, and the agent saw each once', async () => {
      const agentHttp = await signedIn(server.url, shop.people.agent);
      const agent = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(agent);
      const c = await newCustomer(server.url, shop.id);
      const w = reconnectingWidget(server.url, shop.id, c.token);
      await connected(w);
      const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
      await ask(agent, 'conversation:join', { conversationId });
      const receiver = new OrderedReceiver(agent, conversationId);
      const sender = new ReliableSender(w, conversationId);

      const all = bodies(BURST);
      let drops = 0;
      for (const [i, body] of all.entries()) {
        sender.send(body);
        // Cut the connection under the burst twice, while messages and acks are in flight.
        if (i === 100 || i === 200) {
          (w.io.engine as unknown as { close(): void }).close();
          drops += 1;
        }
      }
      await sender.drained();
      await soon(() => expect(receiver.lastSeq).to.equal(BURST));
      expect(drops).to.equal(2);

      const stored = await ask(agent, 'sync', { conversationId, afterSeq: 0 });
      const sync2 = await ask(agent, 'sync', { conversationId, afterSeq: 200 });
      const got = [...stored.messages, ...sync2.messages].map((m: { seq: number; body: string }) => m);
      expect(got.map((m) => m.seq)).to.deep.equal(Array.from({ length: BURST }, (_, i) => i + 1));
      expect(got.map((m) => m.body)).to.deep.equal(all);
      expect(receiver.seen.map((m) => m.body)).to.deep.equal(all);
      w.disconnect();
      agent.disconnect();
    });

    it('a widget that reconnects asks for everything after the last sequence it saw and gets only that', async () => {
      const c = await newCustomer(server.url, shop.id);
      const w = widgetClient(server.url, shop.id, c.token);
      await connected(w);
      const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
      for (const body of bodies(5)) await ask(w, 'message:send', { conversationId, clientId: cid(), body });
      w.disconnect();
      const again = widgetClient(server.url, shop.id, c.token);
      await connected(again);
      const r = await ask(again, 'sync', { conversationId, afterSeq: 3 });
      expect(r.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([4, 5]);
      expect(r.lastSeq).to.equal(5);
      again.disconnect();
    });

    // A widget that (re)connects catches up with `sync`, which also puts its socket in the
    // conversation's room. A reply stored while that sync is answered must reach the widget one
    // way or the other: in the answer, or live. Read first and joined after, a reply stored in
    // between was in neither, and if it was the last message nothing later showed the gap.
    it(`a widget sync racing an agent's reply gets it, in the answer or live (${SYNC_ROUNDS} rounds)`, async () => {
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
      for (let round = 0; round < SYNC_ROUNDS; round++) {
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

describe('[postgres] several server processes', function () {
  this.timeout(120_000);
  let dataDir: string;
  let shop: TestShop;
  const procs: Proc[] = [];
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mdg-multi-'));
    shop = await makeShop(await testDatabase('postgres'));
    env = { DATABASE_URL: await testPostgresUrl(), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `${redisPrefix}multi:`, SEED_DEMO: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error', SOCKET_RATE: '10000', SOCKET_BURST: '10000' };
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function serverProcess(port: number): Promise<string> {
    const p = start({ ...env, PORT: String(port) });
    procs.push(p);
    await until(p, /is up/);
    return `http://127.0.0.1:${port}`;
  }

  it('a customer on one process and an agent on another chat both ways, with typing, through the Redis adapter', async () => {
    const [a, b] = await Promise.all([freePort().then(serverProcess), freePort().then(serverProcess)]);
    const agentHttp = await signedIn(b, shop.people.agent);
    const agent = agentClient(b, shop.id, agentHttp.cookie);
    await connected(agent);
    const c = await newCustomer(a, shop.id);
    const w = widgetClient(a, shop.id, c.token);
    await connected(w);
    const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
    const listed = waitFor(agent, 'conversation:updated', (x: { id: string }) => x.id === conversationId);
    await ask(agent, 'conversation:join', { conversationId });
    const inbound = waitFor<{ conversationId: string; body: string }>(agent, 'message', (m) => m.conversationId === conversationId);
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'プロセスAから' });
    expect((await inbound).body).to.equal('プロセスAから');
    await listed;
    const typing = waitFor<{ typing: boolean }>(w, 'typing');
    agent.emit('typing', { conversationId, typing: true });
    expect((await typing) as { typing: boolean }).to.include({ typing: true });
    const outbound = waitFor(w, 'message');
    await ask(agent, 'message:send', { conversationId, clientId: cid(), body: 'プロセスBから' });
    expect((await outbound).body).to.equal('プロセスBから');
    w.disconnect();
    agent.disconnect();
  });

  it('a server process killed in the middle of a burst and started again: every message once, in order, for the customer and the agent on the other process', async () => {
    const portA = await freePort();
    let a = await serverProcess(portA);
    const b = await freePort().then(serverProcess);
    const agentHttp = await signedIn(b, shop.people.agent);
    const agent = agentClient(b, shop.id, agentHttp.cookie);
    await connected(agent);
    const c = await newCustomer(a, shop.id);
    const w = reconnectingWidget(a, shop.id, c.token);
    await connected(w);
    const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
    await ask(agent, 'conversation:join', { conversationId });
    const receiver = new OrderedReceiver(agent, conversationId);
    const sender = new ReliableSender(w, conversationId);
    const all = bodies(BURST);
    all.slice(0, 150).forEach((m) => sender.send(m));
    await soon(() => expect(sender.acks).to.be.greaterThan(60));
    procs.at(-2)!.child.kill('SIGKILL');
    all.slice(150).forEach((m) => sender.send(m));
    a = await serverProcess(portA);
    await sender.drained();
    await soon(() => expect(receiver.lastSeq).to.equal(BURST), 30_000);
    expect(receiver.seen.map((m) => m.body)).to.deep.equal(all);
    expect(receiver.seen.map((m) => m.seq)).to.deep.equal(Array.from({ length: BURST }, (_, i) => i + 1));
    w.disconnect();
    agent.disconnect();
  });
});
