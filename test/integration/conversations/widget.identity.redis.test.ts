import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { isDomainError } from '../../../server/core/errors.ts';
import { connectRedis, type Redis } from '../../../server/core/redis.ts';
import { customers } from '../../../server/domains/conversations/conversations.tables.ts';
import { redisReplayCache, signIdentity } from '../../../server/domains/conversations/widget.identity.ts';
import { rotateWidgetSecret, startWidgetSession } from '../../../server/domains/conversations/widget.service.ts';
import { testDatabase } from '../../helpers/db.ts';
import { freePort } from '../../helpers/process.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';

/** A private redis-server (never the shared one: this test stops it), keeping nothing on disk. */
async function privateRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const probe = connectRedis(`redis://127.0.0.1:${port}`);
  probe.on('error', () => undefined); // refused until the server listens
  try {
    for (let i = 0; i < 100; i++) {
      if (await probe.ping().then(() => true, () => false)) return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the private redis-server did not start');
  } finally {
    probe.disconnect();
  }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });

/**
 * The replay cache lives in Redis. Without it a used token cannot be told from a fresh one,
 * so identity tokens are refused (503 `unavailable`, Retry-After) rather than accepted
 * unchecked, and accepted again once Redis is back, without a restart. Driven through the
 * service with a real Redis that is really stopped (the app's per-address limit in front of
 * the HTTP route needs Redis too, so over HTTP the limiter would answer first).
 */
describe('[pglite] identity tokens while Redis is away', function () {
  this.timeout(60_000);
  let database: Database;
  let shop: TestShop;
  let secret: string;
  let redis: Redis;
  let server: ChildProcess;
  let dir: string;
  let port: number;

  before(async () => {
    database = await testDatabase('pglite');
    shop = await makeShop(database);
    const owner = { kind: 'user' as const, shopId: shop.id, userId: shop.people.owner.id, name: 'owner', role: 'owner' as const };
    secret = (await rotateWidgetSecret(database.db, owner)).secret;
    dir = await mkdtemp(join(tmpdir(), 'mdg-redis-'));
    port = await freePort();
    server = await privateRedis(port, dir);
    redis = connectRedis(`redis://127.0.0.1:${port}`);
    redis.on('error', () => undefined); // expected while the server is stopped
  });
  after(async () => {
    redis.disconnect();
    await stop(server);
    await rm(dir, { recursive: true, force: true });
    await database.close();
  });

  const deps = () => ({ db: database.db, replay: redisReplayCache(redis, 'mdg-test-replay:') });
  const token = (sub: string) => signIdentity(secret, { sub, name: '山田 花子', iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
  const customersWith = (sub: string) => database.db.select().from(customers).where(and(eq(customers.shopId, shop.id), eq(customers.externalId, sub)));

  it('refuses identity tokens with 503 unavailable and writes nothing, then takes them again once Redis is back', async () => {
    expect((await startWidgetSession(deps(), shop.id, { identityToken: token('cust-before') })).customer.verified).to.equal(true);

    await stop(server);
    const refused = await startWidgetSession(deps(), shop.id, { identityToken: token('cust-during') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDomainError(refused), String(refused)).to.equal(true);
    expect(refused).to.include({ code: 'unavailable' });
    expect((refused as { headers?: Record<string, string> }).headers).to.deep.equal({ 'Retry-After': '5' });
    expect(await customersWith('cust-during')).to.deep.equal([]);
    // The pre-chat form does not need the replay cache.
    expect((await startWidgetSession(deps(), shop.id, { name: '匿名', email: 'walkin@example.jp' })).customer.verified).to.equal(false);

    server = await privateRedis(port, dir);
    const spent = token('cust-after');
    let back: unknown;
    for (let i = 0; i < 50 && !back; i++) {
      back = await startWidgetSession(deps(), shop.id, { identityToken: spent }).catch(async (e: unknown) => {
        if (!isDomainError(e) || e.code !== 'unavailable') throw e;
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
    }
    expect(back, 'accepted once Redis answers again').to.have.nested.property('customer.verified', true);
    const replayed = await startWidgetSession(deps(), shop.id, { identityToken: spent }).catch((e: unknown) => e);
    expect(replayed).to.include({ code: 'unauthenticated' });
  });
});
