import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { resolveRedis, type RedisHandle } from '../../server/core/redis.ts';
import { makeShop, type TestShop } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import { launchBrowser, WatchedPages, signInToConsole } from '../helpers/browser.ts';
import { testDatabase, testPostgresUrl } from '../helpers/db.ts';
import { redisPrefix } from '../helpers/env.ts';
import { freePort, start, until, type Proc } from '../helpers/process.ts';
import { ReliableSender } from '../helpers/reliable.ts';
import { ask, cid, connected } from '../helpers/sockets.ts';

const BURST = 240;
const bodies = Array.from({ length: BURST }, (_, i) => `m-${String(i + 1).padStart(4, '0')}`);

async function soon(check: () => Promise<unknown>, ms: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** What a console page shows: every message's seq and body, in screen order. */
const shown = (page: Page) =>
  page.getByTestId('message').evaluateAll((els) => els.map((e) => ({ seq: Number(e.getAttribute('data-seq')), body: e.querySelector('[data-testid="message-body"]')?.textContent ?? '' })));

/**
 * The console across a server killed with kill -9 in the middle of a burst of customer
 * messages, with two server processes on one PostgreSQL and one Redis (their own, so the test
 * may pause it). The customer writes through process A. One agent's console is on process B,
 * which lives: the messages A stored while Redis stalled never reach B live (A dies with them
 * in its queue), so only the gap in the sequence numbers tells B's console. Another agent's
 * console is on A, which dies: it reconnects and catches up. Both end with every message
 * exactly once, in order.
 */
describe('the console after a server is killed in the middle of a chat burst', function () {
  this.timeout(180_000);
  let dataDir: string;
  let redis: RedisHandle;
  let browser: Browser;
  let shop: TestShop;
  const pages = new WatchedPages();
  const procs: Proc[] = [];
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mdg-kill-'));
    redis = await resolveRedis(undefined, dataDir, { host: '127.0.0.1', port: await freePort() });
    browser = await launchBrowser();
    shop = await makeShop(await testDatabase('postgres'));
    env = { DATABASE_URL: await testPostgresUrl(), REDIS_URL: redis.url, REDIS_KEY_PREFIX: `${redisPrefix}kill:`, SEED_DEMO: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error', SOCKET_RATE: '10000', SOCKET_BURST: '10000' };
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    redis?.child?.kill('SIGCONT');
    await browser?.close();
    await redis?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => expect(await pages.closeAll(), 'errors in the pages').to.deep.equal([]));

  async function serverProcess(port: number): Promise<string> {
    const p = start({ ...env, PORT: String(port) });
    procs.push(p);
    await until(p, /is up/, 60_000);
    return `http://127.0.0.1:${port}`;
  }

  async function consoleOn(url: string, who: TestShop['people']['agent'], conversationId: string): Promise<Page> {
    const page = await signInToConsole(await pages.page(browser), url, who, shop.id);
    await page.goto(`${url}/console/shops/${shop.id}/conversations/${conversationId}`);
    await page.getByTestId('message').filter({ hasText: 'はじめまして' }).waitFor({ timeout: 20_000 });
    return page;
  }

  it('ends with every customer message exactly once, in order, on the console that lived and on the one that reconnected', async () => {
    const portA = await freePort();
    const [a, b] = await Promise.all([serverProcess(portA), freePort().then(serverProcess)]);
    const c = await newCustomer(a, shop.id);
    const w: Socket = io(`${a}/widget`, { auth: { shopId: shop.id, token: c.token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
    await connected(w);
    const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'はじめまして' });
    const onB = await consoleOn(b, shop.people.agent, conversationId);
    const onA = await consoleOn(a, shop.people.staff, conversationId);

    const sender = new ReliableSender(w, conversationId);
    bodies.slice(0, 80).forEach((x) => sender.send(x));
    await soon(async () => expect(sender.acks).to.be.greaterThan(40), 20_000);
    // Redis stalls: A goes on storing and acknowledging, but its broadcasts to B wait in its queue…
    redis.child!.kill('SIGSTOP');
    const before = sender.acks;
    bodies.slice(80, 160).forEach((x) => sender.send(x));
    await soon(async () => expect(sender.acks).to.be.greaterThan(before + 20), 20_000);
    // …and die with A.
    procs[0]!.child.kill('SIGKILL');
    await procs[0]!.exited;
    redis.child!.kill('SIGCONT');
    bodies.slice(160).forEach((x) => sender.send(x));
    await serverProcess(portA);
    await sender.drained();

    const expected = ['はじめまして', ...bodies];
    for (const [name, page] of [['B (lived)', onB], ['A (killed)', onA]] as const) {
      await soon(async () => expect((await shown(page)).filter((m) => expected.includes(m.body)).length, name).to.be.at.least(expected.length), 60_000);
      const list = (await shown(page)).filter((m) => expected.includes(m.body));
      expect(list.map((m) => m.body), `${name}: every message once, in order`).to.deep.equal(expected);
      const seqs = list.map((m) => m.seq);
      expect(seqs, `${name}: in sequence order`).to.deep.equal([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size, `${name}: no seq twice`).to.equal(seqs.length);
    }
    w.disconnect();
  });
});
