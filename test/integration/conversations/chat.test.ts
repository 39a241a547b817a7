import { expect } from 'chai';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, refused, waitFor, widgetClient, type AgentSocket, type WidgetSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { agentList, mentionView, messagesPage, queueMetricsView } from '../../../server/domains/conversations/conversations.schema.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] live chat between the widget and the console`, () => {
    let server: TestServer;
    let shop: TestShop;
    let agentHttp: TestClient;
    let agent: AgentSocket;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      agentHttp = await signedIn(server.url, shop.people.agent);
      agent = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(agent);
    });
    after(async () => {
      agent.disconnect();
      await server.close();
    });

    async function customerChat(name = '山田 花子') {
      const c = await newCustomer(server.url, shop.id, { name });
      const w = widgetClient(server.url, shop.id, c.token);
      await connected(w);
      const opened = await ask(w, 'conversation:open', {});
      expect(opened.ok, JSON.stringify(opened)).to.equal(true);
      return { w, conversationId: opened.conversation.id as string, customer: c };
    }

    it('a customer message reaches the agent viewing the conversation and the inbox, stored with the next sequence number', async () => {
      const { w, conversationId } = await customerChat();
      const joined = await ask(agent, 'conversation:join', { conversationId });
      expect(joined.ok).to.equal(true);
      expect(joined.conversation.customer.name).to.equal('山田 花子');
      // The inbox row a message moves comes as activity (conversation:updated is for changes of status,
      // assignee and the like, and may come before the message, e.g. from the auto-assigner).
      const inbox = waitFor(agent, 'conversation:activity', (rows: any[]) => rows.some((c) => c.id === conversationId && c.lastSeq === 1)).then((rows: any[]) => rows.find((c) => c.id === conversationId));
      const arrives = waitFor(agent, 'message', (m: any) => m.conversationId === conversationId);
      const sent = await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'こんにちは、注文について' });
      expect(sent).to.include({ ok: true, duplicate: false });
      expect(sent.message.seq).to.equal(1);
      expect((await arrives).body).to.equal('こんにちは、注文について');
      expect((await inbox).lastMessagePreview).to.equal('こんにちは、注文について');
      w.disconnect();
    });

    it('the same client id sent twice is stored once and answered with the stored message', async () => {
      const { w, conversationId } = await customerChat();
      const clientId = cid();
      const a = await ask(w, 'message:send', { conversationId, clientId, body: '一回だけ' });
      const b = await ask(w, 'message:send', { conversationId, clientId, body: '一回だけ' });
      expect(b).to.include({ ok: true, duplicate: true });
      expect(b.message.id).to.equal(a.message.id);
      const sync = await ask(w, 'sync', { conversationId, afterSeq: 0 });
      expect(sync.messages.map((m: any) => m.body)).to.deep.equal(['一回だけ']);
      w.disconnect();
    });

    it("the customer's other tab gets a sent message live; the socket that sent it has it in its ack and gets no second copy", async () => {
      const { w, conversationId, customer } = await customerChat();
      const tab = widgetClient(server.url, shop.id, customer.token);
      await connected(tab);
      expect((await ask(tab, 'sync', { conversationId, afterSeq: 0 })).ok).to.equal(true);
      const echoes: any[] = [];
      w.on('message', (m) => echoes.push(m));
      const inTab = waitFor(tab, 'message', (m: any) => m.conversationId === conversationId);
      const sent = await ask(w, 'message:send', { conversationId, clientId: cid(), body: '別のタブにも' });
      expect((await inTab).id).to.equal(sent.message.id);
      // The agent's reply after it reaches both tabs, so by then an echo would have come too.
      await ask(agent, 'conversation:join', { conversationId });
      const replyInSender = waitFor(w, 'message', (m: any) => m.authorKind === 'agent');
      await ask(agent, 'message:send', { conversationId, clientId: cid(), body: '承知しました' });
      await replyInSender;
      expect(echoes.map((m) => m.body)).to.deep.equal(['承知しました']);
      tab.disconnect();
      w.disconnect();
    });

    it("an agent's reply reaches the widget; an internal note never does, but other agents get it", async () => {
      const { w, conversationId } = await customerChat();
      await ask(agent, 'conversation:join', { conversationId });
      const seen: any[] = [];
      w.on('message', (m) => seen.push(m));
      const note = await ask(agent, 'message:send', { conversationId, clientId: cid(), body: '社内メモ: 返金対象', kind: 'note' });
      expect(note.ok).to.equal(true);
      const reply = waitFor(w, 'message', (m: any) => m.kind === 'text');
      await ask(agent, 'message:send', { conversationId, clientId: cid(), body: 'お問い合わせありがとうございます' });
      expect((await reply).body).to.equal('お問い合わせありがとうございます');
      expect(seen.map((m) => m.kind)).to.deep.equal(['text']);
      const sync = await ask(w, 'sync', { conversationId, afterSeq: 0 });
      expect(sync.messages.map((m: any) => m.body)).to.deep.equal(['お問い合わせありがとうございます']);
      const agentSync = await ask(agent, 'sync', { conversationId, afterSeq: 0 });
      expect(agentSync.messages.map((m: any) => m.kind)).to.deep.equal(['note', 'text']);
      w.disconnect();
    });

    it('typing and read receipts go both ways', async () => {
      const { w, conversationId } = await customerChat();
      await ask(agent, 'conversation:join', { conversationId });
      const typing = waitFor(agent, 'typing', (t: any) => t.conversationId === conversationId && t.who === 'customer');
      w.emit('typing', { conversationId, typing: true });
      expect((await typing).typing).to.equal(true);
      const agentTyping = waitFor(w, 'typing');
      agent.emit('typing', { conversationId, typing: true });
      expect((await agentTyping).name).to.equal(shop.people.agent.name);
      const m = await ask(w, 'message:send', { conversationId, clientId: cid(), body: '既読になりますか' });
      const receipt = waitFor(w, 'read', (r: any) => r.seq === m.message.seq);
      await ask(agent, 'read', { conversationId, seq: m.message.seq });
      expect((await receipt).conversationId).to.equal(conversationId);
      w.disconnect();
    });

    it("a customer cannot read, write or type into another customer's conversation (not found)", async () => {
      const a = await customerChat('客 A');
      const b = await customerChat('客 B');
      const write = await ask(b.w, 'message:send', { conversationId: a.conversationId, clientId: cid(), body: 'のぞき' });
      expect(write.error).to.equal('not_found');
      const read = await ask(b.w, 'sync', { conversationId: a.conversationId, afterSeq: 0 });
      expect(read.error).to.equal('not_found');
      a.w.disconnect();
      b.w.disconnect();
    });

    it('malformed payloads get invalid_input with the field, and nothing is stored', async () => {
      const { w, conversationId } = await customerChat();
      const cases: Array<[unknown, string]> = [
        [{ conversationId, clientId: cid(), body: '' }, 'body'],
        [{ conversationId, clientId: cid(), body: 'x'.repeat(10_001) }, 'body'],
        [{ conversationId, clientId: 'short', body: 'ok' }, 'clientId'],
        [{ conversationId: 'nope', clientId: cid(), body: 'ok' }, 'conversationId'],
        [{ conversationId, clientId: cid(), body: 'bell\u0007' }, 'body'],
        [{ conversationId, clientId: cid(), body: 'ok', extra: 1 }, ''],
        ['just a string', ''],
      ];
      for (const [payload, path] of cases) {
        const r = await ask(w, 'message:send', payload);
        expect(r.error, JSON.stringify(payload).slice(0, 80)).to.equal('invalid_input');
        if (path) expect(r.details.map((d: any) => d.path)).to.include(path);
      }
      const note = await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'note?', kind: 'note' });
      expect(note.error).to.equal('forbidden');
      const sync = await ask(w, 'sync', { conversationId, afterSeq: 0 });
      expect(sync.messages).to.have.length(0);
      w.disconnect();
    });

    it('HTML in a message is stored and delivered as the same text, never rewritten or interpreted', async () => {
      const { w, conversationId } = await customerChat();
      const body = '<img src=x onerror=alert(1)><script>alert("x")</script> & 返品';
      const r = await ask(w, 'message:send', { conversationId, clientId: cid(), body });
      expect(r.message.body).to.equal(body);
      const got = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
      expect(got.body.messages[0].body).to.equal(body);
      expect(messagesPage.safeParse(got.body).error?.issues ?? []).to.deep.equal([]);
      w.disconnect();
    });

    it('queue metrics count what is open and waiting, time first responses and chart opened and resolved per Tokyo day', async () => {
      const { w, conversationId } = await customerChat();
      await ask(w, 'message:send', { conversationId, clientId: cid(), body: '至急お願いします' });
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const before = await agentHttp.get(`/api/shops/${shop.id}/queue-metrics?from=${from}&to=${to}`);
      expect(before.status).to.equal(200);
      expect(before.body.now.open).to.be.greaterThan(0);
      expect(before.body.now.awaiting_reply).to.be.greaterThan(0);
      await ask(agent, 'message:send', { conversationId, clientId: cid(), body: '承知しました' });
      const resolved = await agentHttp.patch(`/api/shops/${shop.id}/conversations/${conversationId}`, { status: 'resolved' });
      expect(resolved.status).to.equal(200);
      const after = await agentHttp.get(`/api/shops/${shop.id}/queue-metrics?from=${from}&to=${to}`);
      expect(after.body.firstResponse.count).to.be.greaterThan(0);
      expect(after.body.firstResponse.medianSeconds).to.be.a('number');
      const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
      const day = after.body.daily.find((d: { day: string }) => d.day === today);
      expect(day.resolved).to.be.greaterThan(0);
      expect(after.body.sla.map((s: { metric: string }) => s.metric)).to.include('first_response');
      // The answer is what the API reference says, field for field.
      for (const answer of [before.body, after.body]) expect(queueMetricsView.safeParse(answer).error?.issues ?? []).to.deep.equal([]);
      const tooLong = await agentHttp.get(`/api/shops/${shop.id}/queue-metrics?from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
      expect(tooLong.status).to.equal(400);
      w.disconnect();
    });

    it('a person @mentioned in a note finds it in their mentions list and can mark it read; others do not see it', async () => {
      const { w, conversationId } = await customerChat();
      const staffHttp = await signedIn(server.url, shop.people.staff);
      const note = await ask(agent, 'message:send', { conversationId, clientId: cid(), body: '@staff 返金の承認をお願いします', kind: 'note', mentions: [shop.people.staff.id] });
      expect(note.ok, JSON.stringify(note)).to.equal(true);
      const mine = await staffHttp.get(`/api/shops/${shop.id}/mentions?unread=true`);
      const m = mine.body.find((x: { messageId: string }) => x.messageId === note.message.id);
      expect(m).to.include({ conversationId, by: shop.people.agent.name });
      expect(m.excerpt).to.equal('@staff 返金の承認をお願いします');
      // The answer is what the API reference says, field for field.
      expect(z.array(mentionView).safeParse(mine.body).error?.issues ?? []).to.deep.equal([]);
      const people = await staffHttp.get(`/api/shops/${shop.id}/agents`);
      expect(agentList.safeParse(people.body).error?.issues ?? []).to.deep.equal([]);
      expect(people.body.map((p: { userId: string }) => p.userId)).to.include(shop.people.staff.id);
      const others = await agentHttp.get(`/api/shops/${shop.id}/mentions`);
      expect(others.body.map((x: { id: string }) => x.id)).to.not.include(m.id);
      expect((await agentHttp.post(`/api/shops/${shop.id}/mentions/${m.id}/read`)).status).to.equal(404);
      expect((await staffHttp.post(`/api/shops/${shop.id}/mentions/${m.id}/read`)).status).to.equal(204);
      const unread = await staffHttp.get(`/api/shops/${shop.id}/mentions?unread=true`);
      expect(unread.body.map((x: { id: string }) => x.id)).to.not.include(m.id);
      w.disconnect();
    });

    it('a forged or unknown widget token is refused at the handshake', async () => {
      expect(await refused(widgetClient(server.url, shop.id, 'forged-token-0000000000'))).to.match(/expired|not valid/);
      const other = await makeShop(server.database);
      const c = await newCustomer(server.url, shop.id);
      expect(await refused(widgetClient(server.url, other.id, c.token))).to.match(/expired|not valid/);
    });

    it('the console socket needs a session and a membership in the shop, and refuses foreign origins', async () => {
      expect(await refused(agentClient(server.url, shop.id, undefined))).to.match(/sign in/);
      const other = await makeShop(server.database);
      expect(await refused(agentClient(server.url, other.id, agentHttp.cookie))).to.match(/not a member/);
      expect(await refused(agentClient(server.url, shop.id, agentHttp.cookie, { origin: 'https://evil.example' }))).to.match(/own origin/);
    });
  });
}

describe('[pglite] starting chats from one address', () => {
  let server: TestServer;
  let shop: TestShop;
  before(async () => {
    server = await startServer('pglite', { widgetSessionsPerAddress: 2 });
    shop = await makeShop(server.database);
  });
  after(() => server.close());

  it('is limited: a script cannot fill the queue with made-up customers (429 with Retry-After)', async () => {
    await newCustomer(server.url, shop.id);
    await newCustomer(server.url, shop.id);
    const res = await fetch(`${server.url}/api/public/shops/${shop.id}/widget/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '三人目', email: 'third@example.jp' }),
    });
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('rate_limited');
  });
});

describe('[pglite] stopping the service with consoles connected', () => {
  it('lets the gone sockets clear their presence and viewers, then closes Redis: no broadcast hits a closed connection', async () => {
    const server = await startServer('pglite');
    const shop = await makeShop(server.database);
    const c = await newCustomer(server.url, shop.id);
    const w = widgetClient(server.url, shop.id, c.token);
    await connected(w);
    const { conversation } = await ask(w, 'conversation:open', {});
    const consoles = await Promise.all(
      [shop.people.agent, shop.people.owner].map(async (p) => {
        const s = agentClient(server.url, shop.id, (await signedIn(server.url, p)).cookie);
        await connected(s);
        expect((await ask(s, 'conversation:join', { conversationId: conversation.id })).ok).to.equal(true);
        return s;
      }),
    );
    const unhandled: unknown[] = [];
    const note = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', note);
    try {
      await ask(w, 'message:send', { conversationId: conversation.id, clientId: cid(), body: '閉店間際のメッセージ' });
      // Broadcasts go out on the Socket.IO adapter's own Redis connections, which close() quits.
      const { pubClient, subClient } = server.service.realtime.io.of('/').adapter as unknown as Record<'pubClient' | 'subClient', Redis>;
      await server.close();
      // The barrier: once both connections have ended, a broadcast from a cleanup that outlived
      // close() is refused at once, in promise callbacks that all run before the loop's next
      // check phase, and Node reports the unhandled rejection in between; so after one
      // setImmediate such a failure would have been noted (a command sent before the end fails
      // with the end itself).
      await Promise.all([pubClient, subClient].map((c) => (c.status === 'end' ? undefined : new Promise((r) => c.once('end', r)))));
      await new Promise((r) => setImmediate(r));
      expect(unhandled.map(String)).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', note);
      for (const s of [w, ...consoles]) s.disconnect();
    }
  });
});
