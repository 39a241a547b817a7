import { expect } from 'chai';
import { TestClient } from '../../helpers/client.ts';
import type { Database } from '../../../server/core/db/client.ts';
import { testDatabase, testPostgresUrl } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { freePort, start, until, type Proc } from '../../helpers/process.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { PrivateRedis } from './resilience.setup.ts';

/** A real `npm start` process on the run's PostgreSQL database and the given Redis. */
async function serverOn(redisUrl: string): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = start({ PORT: String(port), PUBLIC_URL: url, DATABASE_URL: await testPostgresUrl(), REDIS_URL: redisUrl, SEED_DEMO: 'false' });
  await until(proc, /is up/);
  return { proc, url };
}

const readiness = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
};

const stopped = async (p: Proc) => {
  if (p.child.exitCode === null) p.child.kill('SIGTERM');
  await p.exited;
};

/** What the process-level guard logs for a rejection nobody handled: the sources are mended, so none. */
const STRAY_REJECTION = 'rejected with no handler';

// The server processes and the test share one database, which PGlite cannot do.
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] when Redis goes away while requests arrive', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let database: Database;
  let shop: TestShop;
  let a: { proc: Proc; url: string };
  let b: { proc: Proc; url: string };

  before(async () => {
    redis = await PrivateRedis.start();
    database = await testDatabase('postgres');
    [a, b] = await Promise.all([serverOn(redis.url), serverOn(redis.url)]);
    shop = await makeShop(database);
  });
  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((s) => stopped(s.proc)));
    await redis?.close();
  });

  it('both processes stay up: chat and REST keep working, sign-in stays limited, the portal answers 503 unavailable, /readyz names Redis; once Redis is back, live updates across processes and readiness resume', async () => {
    // A customer on process A, an agent on process B: live updates between them go through Redis.
    const customer = await newCustomer(a.url, shop.id);
    const w = widgetClient(a.url, shop.id, customer.token);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    const conversationId = opened.conversation.id as string;
    const agentHttp = await signedIn(b.url, shop.people.agent);
    const agent = agentClient(b.url, shop.id, agentHttp.cookie);
    await connected(agent);
    expect((await ask(agent, 'conversation:join', { conversationId })).ok).to.equal(true);
    const say = (body: string) => ask(w, 'message:send', { conversationId, clientId: cid(), body });
    const before = waitFor(agent, 'message', (m: { body: string }) => m.body === 'Redis の停止前');
    expect((await say('Redis の停止前')).ok).to.equal(true);
    await before;

    await redis.stop();
    const downAt = Date.now();

    // Chat is stored: the ack says so, and the agent reads it over REST from the other process.
    const during = await say('Redis の停止中');
    expect(during, JSON.stringify(during)).to.include({ ok: true });
    const listed = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
    expect(listed.status, listed.text).to.equal(200);
    expect(JSON.stringify(listed.body)).to.include('Redis の停止中');

    // Sign-in keeps working and stays limited (in the process's memory meanwhile).
    const guesser = new TestClient(a.url);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await guesser.signIn(shop.people.contractor.email, 'wrong password')).status);
    expect(answers).to.deep.equal([401, 401, 401, 401, 401, 429]);
    expect((await new TestClient(a.url).signIn(shop.people.staff.email, shop.people.staff.password)).status).to.equal(200);
    // A new chat can still start (its per-address limit is kept in memory too).
    await newCustomer(a.url, shop.id);

    // The portal's codes live in Redis: a clear 503 page with Retry-After, not a 500.
    const portal = await fetch(`${a.url}/returns/${shop.id}/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ orderNumber: 'T-0001', contact: 'someone@example.jp' }),
      redirect: 'manual',
    });
    expect(portal.status).to.equal(503);
    expect(portal.headers.get('retry-after'), 'the page says when to come back, like the API').to.match(/^\d+$/);
    expect(await portal.text()).to.include('ただいま処理できません');

    for (const s of [a, b]) {
      const r = await readiness(s.url);
      expect(r.status).to.equal(503);
      expect(r.retryAfter).to.equal('5');
      expect(r.body).to.deep.include({ status: 'unready', db: 'ok', redis: 'down', down: ['redis'] });
    }

    // The crash came about a second after Redis went; keep the processes busy past that.
    while (Date.now() - downAt < 4000) {
      expect((await say('まだ停止中')).ok).to.equal(true);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([a.proc.child.exitCode, b.proc.child.exitCode], a.proc.out() + b.proc.out()).to.deep.equal([null, null]);

    await redis.start();
    for (const s of [a, b]) await eventually(async () => (await readiness(s.url)).status === 200, `${s.url} to be ready again`, 30_000, 250);
    // Live updates from A reach the agent on B again (once B's subscriber is back).
    const resumed = waitFor(agent, 'message', (m: { body: string }) => m.body.startsWith('Redis の復旧後'), 30_000);
    const sending = setInterval(() => void say(`Redis の復旧後 ${Date.now()}`).catch(() => undefined), 500);
    try {
      await resumed;
    } finally {
      clearInterval(sending);
    }
    for (const s of [a, b]) expect(s.proc.out()).not.to.include(STRAY_REJECTION);
    w.disconnect();
    agent.disconnect();
  });

  it('starts while Redis is down, answers what needs no Redis, and becomes ready when Redis comes', async () => {
    await redis.stop();
    const c = await serverOn(redis.url);
    try {
      const r = await readiness(c.url);
      expect(r.status).to.equal(503);
      expect(r.body).to.deep.include({ redis: 'down', down: ['redis'] });
      const staff = await signedIn(c.url, shop.people.staff);
      expect((await staff.get(`/api/shops/${shop.id}/conversations`)).status).to.equal(200);
      await redis.start();
      await eventually(async () => (await readiness(c.url)).status === 200, 'the late server to become ready', 30_000, 250);
      expect(c.proc.child.exitCode).to.equal(null);
      expect(c.proc.out()).not.to.include(STRAY_REJECTION);
    } finally {
      await stopped(c.proc);
    }
  });
});
