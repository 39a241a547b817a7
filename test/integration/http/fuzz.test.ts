import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { shopifyApiStandIn, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, widgetClient } from '../../helpers/sockets.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { Rng } from './fuzz.gen.ts';
import { describe as describeRequest, operations, plan, problem, send, type PlannedRequest } from './fuzz.http.ts';
import { agentEvents, describeEmit, emit, planEmit, widgetEvents } from './fuzz.sockets.ts';

/**
 * Hostile input from the outside, generated from what the app says it takes: every operation of
 * GET /openapi.json and every event the sockets listen to, with four kinds of caller. Seeded:
 * FUZZ_SEED=<the printed seed> repeats a run's requests exactly. FUZZ_REQUESTS and FUZZ_EMITS
 * make a longer run.
 */
const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const EMITS = Number(process.env.FUZZ_EMITS ?? 300);
const PARALLEL = 6;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Runs tasks `PARALLEL` at a time, in order of start. */
async function pool<T>(items: T[], run: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

/** The fuzz shop's real objects, so that generated paths reach handlers and not only 404s. */
async function realObjects(server: TestServer, shop: TestShop, owner: TestClient) {
  const base = `/api/shops/${shop.id}`;
  const made = async (r: Promise<{ status: number; text: string; body: any }>) => {
    const x = await r;
    expect(x.status, x.text).to.be.oneOf([200, 201]);
    return x.body;
  };
  const orderNumber = newOrderNumber();
  await made(owner.put(`${base}/orders/${orderNumber}`, anOrder()));
  const conversation = await made(owner.post(`${base}/conversations`, { customer: { name: '山田 花子', email: 'fuzz@example.jp' }, message: { clientId: cid(), body: 'こんにちは' } }));
  const ret = await made(owner.post(`${base}/returns`, { orderNumber, reason: 'defective', items: [{ lineNo: 1, quantity: 1 }] }));
  const canned = await made(owner.post(`${base}/canned-replies`, { shortcut: 'thanks', title: 'お礼', bodyJa: 'ありがとうございます' }));
  const policy = await made(owner.post(`${base}/sla-policies`, { name: '通常', firstResponseMinutes: 60 }));
  const invitation = await made(owner.post(`${base}/invitations`, { email: 'invitee@example.jp', role: 'agent' }));
  const spareKey = await made(owner.post(`${base}/api-keys`, { name: 'spare' }));
  const attachment = await made(owner.request('POST', `${base}/conversations/${conversation.id}/attachments?filename=a.png`, { body: new Uint8Array(PNG), headers: { 'content-type': 'image/png' } }));
  const ids: Record<string, string> = {
    shopId: shop.id, orderNumber, conversationId: conversation.id, sourceId: conversation.id, returnId: ret.id, id: canned.id,
    policyId: policy.id, invitationId: invitation.id, keyId: spareKey.id, attachmentId: attachment.id, userId: shop.people.staff.id,
  };
  return (name: string) => ids[name];
}

for (const kind of dbKinds) {
  describe(`[${kind}] fuzz: hostile input gets a precise 4xx, never a 5xx (seed ${seed})`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let shopify: ShopifyApiStandIn;
    let dataDir: string;
    let shop: TestShop;
    let known: (name: string) => string | undefined;
    /** `ready`: a sign-in again under way after a request that ended the session; the caller's next requests wait for it. */
    const callers: Record<string, { name: string; headers: Record<string, string>; client?: TestClient; ready?: Promise<void> }> = {};

    const sessionHeaders = (c: TestClient) => ({ cookie: c.cookie!, 'x-csrf-token': c.csrf! });

    before(async () => {
      console.log(`      fuzz seed ${seed}: FUZZ_SEED=${seed} repeats these requests`);
      dataDir = await mkdtemp(join(tmpdir(), 'mdg-fuzz-'));
      // A store domain the fuzz makes up is asked of a Shopify that knows no store (a 400 at the field), not of an address nobody answers (a 503).
      shopify = await shopifyApiStandIn();
      server = await startServer(kind, { config: { DATA_DIR: dataDir, SHOPIFY_API_URL: shopify.apiUrl }, socketLimits: { rate: 100_000, burst: 100_000 } });
      shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const contractor = await signedIn(server.url, shop.people.contractor);
      known = await realObjects(server, shop, owner);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'fuzz' });
      callers.anonymous = { name: 'anonymous', headers: {} };
      callers.owner = { name: 'owner', headers: sessionHeaders(owner), client: owner };
      callers.contractor = { name: 'contractor', headers: sessionHeaders(contractor), client: contractor };
      callers.apiKey = { name: 'apiKey', headers: { authorization: `Bearer ${key.body.key}` } };
    });
    after(async () => {
      await server.close();
      await shopify.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it(`answers ${REQUESTS} hostile requests over every operation of /openapi.json with success or the JSON error body`, async () => {
      const doc = await (await fetch(`${server.url}/openapi.json`)).json();
      const ops = operations(doc);
      expect(ops.length).to.be.greaterThan(50);
      const r = new Rng(seed);
      const who = Object.values(callers);
      const planned: PlannedRequest[] = Array.from({ length: REQUESTS }, (_, n) => plan(n, ops[n % ops.length]!, who[Math.floor(n / ops.length) % who.length]!, r, known));
      const problems: string[] = [];
      const statuses = new Map<string, number>();
      const base = new URL(server.url);
      await pool(planned, async (req) => {
        const caller = callers[req.caller]!;
        // Sent with the caller's headers as they are now (a sign-out below renews them).
        await caller.ready;
        if (req.mode !== 'headers' && caller.client) Object.assign(req.headers, sessionHeaders(caller.client));
        const answer = await send(base, req);
        const wrong = problem(req, answer);
        const key = answer ? String(answer.status) : 'closed';
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (wrong) problems.push(`${describeRequest(req)}\n        → ${wrong}`);
        // A request that may have ended the caller's session: sign in again if it did.
        if (caller.client && /\/api\/auth\/(sign-out|password)/.test(req.path)) {
          const person = req.caller === 'owner' ? shop.people.owner : shop.people.contractor;
          const client = caller.client;
          caller.ready = (async () => {
            if ((await client.get('/api/auth/session')).status === 401) caller.client = await signedIn(server.url, person);
          })();
          await caller.ready;
        }
      });
      // How deep the run went: a run of nothing but 401s and 404s would prove little.
      console.log(`      answers: ${[...statuses].sort().map(([k, v]) => `${k}×${v}`).join(' ')}`);
      expect(problems, `${problems.length} answers broke the rule (FUZZ_SEED=${seed}):\n${problems.slice(0, 25).join('\n')}`).to.deep.equal([]);
    });

    it(`answers ${EMITS} malformed payloads to every event of /widget and /agent with an error ack, never internal, and keeps the connections`, async () => {
      const c = await newCustomer(server.url, shop.id);
      const widget = widgetClient(server.url, shop.id, c.token);
      await connected(widget);
      const own = (await ask(widget, 'conversation:open', {})).conversation.id as string;
      const sockets: Array<{ name: string; socket: Socket; events: Record<string, unknown>; known: (n: string) => string | undefined }> = [{ name: 'widget', socket: widget, events: widgetEvents, known: (n) => (n === 'conversationId' ? own : known(n)) }];
      for (const role of ['owner', 'contractor'] as const) {
        // The requests above may have signed the person out: the re-sign-ins they started run
        // side by side and the last to finish wins, which can be a session a later sign-out ended.
        const caller = callers[role]!;
        await caller.ready;
        if ((await caller.client!.get('/api/auth/session')).status === 401) caller.client = await signedIn(server.url, role === 'owner' ? shop.people.owner : shop.people.contractor);
        const s = agentClient(server.url, shop.id, caller.client!.cookie);
        await connected(s);
        sockets.push({ name: role, socket: s, events: agentEvents, known });
      }
      // Every event a connected socket listens to has a schema here: a new event is fuzzed too.
      for (const s of sockets) {
        const nsp = s.name === 'widget' ? '/widget' : '/agent';
        const listening = server.service.realtime.io.of(nsp).sockets.get(s.socket.id!)!.eventNames().map(String);
        expect(listening.filter((e) => !['disconnect', 'disconnecting', 'error'].includes(e)).sort()).to.deep.equal(Object.keys(s.events).sort());
      }
      let drops = 0;
      for (const s of sockets) s.socket.on('disconnect', () => (drops += 1));
      const r = new Rng(seed ^ 0x5f3759df);
      const problems: string[] = [];
      for (const s of sockets) {
        const emits = Array.from({ length: EMITS }, (_, n) => planEmit(n, s.events as never, r, s.known));
        await pool(emits, async (e) => {
          const wrong = await emit(s.socket, e);
          if (wrong) problems.push(`${s.name} ${describeEmit(e)}\n        → ${wrong}`);
        });
      }
      expect(problems, `${problems.length} acks broke the rule (FUZZ_SEED=${seed}):\n${problems.slice(0, 25).join('\n')}`).to.deep.equal([]);
      expect(drops, 'connections dropped').to.equal(0);
      // Still answering, on the same connections.
      expect((await ask(widget, 'sync', { conversationId: own, afterSeq: 0 })).ok).to.equal(true);
      for (const s of sockets) s.socket.disconnect();
    });

    it('refuses connections with malformed handshakes with a reason, and stays up', async () => {
      const { io } = await import('socket.io-client');
      const auths: unknown[] = [undefined, {}, { shopId: 42 }, { shopId: 'x'.repeat(10_000) }, { shopId: shop.id, token: ['a'] }, { shopId: shop.id, token: 'v1.' + 'a'.repeat(150) }, { shopId: '\u0000' }, [shop.id]];
      for (const nsp of ['/widget', '/agent']) {
        for (const auth of auths) {
          const s = io(`${server.url}${nsp}`, { auth: auth as never, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: 'mdg_session=%E0%A4%A; x=' } });
          const refusal = await new Promise<string>((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`${nsp} neither took nor refused ${JSON.stringify(auth)}`)), 5000);
            s.once('connect', () => fail(new Error(`${nsp} took ${JSON.stringify(auth)}`)));
            s.once('connect_error', (e) => (clearTimeout(timer), done(e.message)));
            // A handshake Socket.IO's parser cannot read (auth that is not an object) is closed.
            s.io.once('close', () => (clearTimeout(timer), done('closed by the server')));
          });
          s.disconnect();
          expect(refusal, `${nsp} ${JSON.stringify(auth)}`).to.be.a('string').and.not.match(/internal/i);
        }
      }
      expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    });
  });
}
