import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { desc, eq, inArray } from 'drizzle-orm';
import { openConfiguredDatabase, type Database } from '../../../server/core/db/client.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { resolveRedis } from '../../../server/core/redis.ts';
import { testDatabase, testPostgresUrl } from '../../helpers/db.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { freePort, killStarted, start, until } from '../../helpers/process.ts';

/**
 * A start on the embedded database can take over 30 s on two cores while the browser tier runs
 * beside this one (the tests below took 19–34 s in full runs, and one start once missed 30 s):
 * each waits up to a minute for "is up".
 */
const UP_MS = 60_000;

describe('starting and stopping the service', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mdg-start-'));
  });
  afterEach(async () => {
    // A test that failed midway leaves its server writing into the folder.
    await killStarted();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with nothing configured: embedded database in DATA_DIR/pg, demo sign-ins printed, console and readiness up; SIGTERM stops it cleanly', async () => {
    const port = await freePort();
    const p = start({ DATA_DIR: dataDir, PORT: String(port) });
    await until(p, /is up/, UP_MS);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).to.equal(true);
    expect(p.out()).to.match(/owner\s+owner@demo\.madoguchi\.test\s+\S{12,}/);
    expect(p.out()).to.match(/contractor\s+contractor@demo\.madoguchi\.test/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).to.include({ status: 'ready', database: 'pglite' });
    const page = await fetch(`http://127.0.0.1:${port}/console/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('<div id="root">');
    p.child.kill('SIGTERM');
    expect(await p.exited).to.equal(0);
    expect(existsSync(join(dataDir, 'pg.lock'))).to.equal(false);
  });

  it('on SIGTERM finishes the request in flight (a CSV import) before it exits, and refuses new connections', async () => {
    const port = await freePort();
    const p = start({ DATA_DIR: dataDir, PORT: String(port), IMPORT_LIMIT_MB: '20' });
    await until(p, /is up/, UP_MS);
    const [, email, password] = /owner\s+(\S+)\s+(\S+)/.exec(p.out())!;
    const base = `http://127.0.0.1:${port}`;
    const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const session = (await signIn.json()) as { csrfToken: string; memberships: { shopId: string }[] };
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const head = 'order_number,ordered_at,customer_name,customer_email,sku,item_name,quantity,unit_price,tax_rate,payment_method';
    const rows = Array.from({ length: 4000 }, (_, i) => `D-${i},2026/11/20 10:00,顧客 ${i},c${i}@example.jp,A,商品A,1,1980,10,クレジットカード`);
    // Expect: 100-continue holds the body back until the server has taken the request and
    // handed it to the app (Node answers 100 just before it does): SIGTERM then lands while
    // the import is in flight, whatever the machine's speed, and the body follows it.
    const body = Buffer.from([head, ...rows].join('\n'));
    const importing = request(`${base}/api/shops/${session.memberships[0]!.shopId}/orders/import`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'text/csv', 'content-length': String(body.length), expect: '100-continue' },
    });
    const answered = new Promise<{ status: number; text: string }>((done, fail) => {
      importing.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.once('end', () => done({ status: res.statusCode!, text }));
      });
      importing.once('error', fail);
    });
    await new Promise<void>((taken) => importing.once('continue', taken));
    p.child.kill('SIGTERM');
    importing.end(body);
    const done = await answered;
    expect(done.status, done.text).to.equal(200);
    expect((JSON.parse(done.text) as { orders: { created: number } }).orders.created).to.equal(4000);
    expect(await p.exited).to.equal(0);
    let refused = false;
    await fetch(`${base}/healthz`).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('refuses a second process on the same embedded database with a one-line message', async () => {
    const first = start({ DATA_DIR: dataDir, PORT: String(await freePort()), SEED_DEMO: 'false' });
    await until(first, /is up/, UP_MS);
    const second = start({ DATA_DIR: dataDir, PORT: String(await freePort()), SEED_DEMO: 'false' });
    expect(await second.exited).to.equal(1);
    expect(second.out().trim().split('\n').filter((l) => l.startsWith('madoguchi:'))).to.have.length(1);
    expect(second.out()).to.match(/in use by another madoguchi process/);
    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);
  });

  it('stops on a bad setting with a message naming the variable and what it expects', async () => {
    const p = start({ DATA_DIR: dataDir, PORT: 'eighty', DATABASE_URL: 'mysql://nope', LOG_LEVEL: 'loud' });
    expect(await p.exited).to.equal(1);
    expect(p.out()).to.include('PORT="eighty": expected a port number');
    expect(p.out()).to.include('DATABASE_URL="mysql://nope": expected a URL starting with postgres:// or postgresql://');
    expect(p.out()).to.include('LOG_LEVEL');
    expect(existsSync(join(dataDir, 'pg'))).to.equal(false);
  });

  it('says what to install or set when Redis is needed and there is no redis-server', async () => {
    // 127.0.0.1:6379 answers on this machine, so point the usual address at a closed port
    // and take redis-server off the PATH.
    const closedPort = await freePort();
    let error: Error | undefined;
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      await resolveRedis(undefined, dataDir, { host: '127.0.0.1', port: closedPort });
    } catch (e) {
      error = e as Error;
    } finally {
      process.env.PATH = savedPath;
    }
    expect(error?.message).to.equal(
      'madoguchi needs Redis: set REDIS_URL=redis://host:6379, or install redis-server (apt-get install redis-server) so it can start a private one',
    );
  });

  it('starts a private redis-server with its data under DATA_DIR/redis when nothing answers', async () => {
    const closedPort = await freePort();
    const handle = await resolveRedis(undefined, dataDir, { host: '127.0.0.1', port: closedPort });
    try {
      expect(handle.child).to.not.equal(undefined);
      const r = new Redis(handle.url);
      expect(await r.set('k', 'v')).to.equal('OK');
      expect(await r.config('GET', 'dir')).to.deep.equal(['dir', join(dataDir, 'redis')]);
      await r.quit();
    } finally {
      await handle.close();
    }
    expect(handle.child!.exitCode !== null || handle.child!.signalCode !== null).to.equal(true);
  });

  it('lets the operator open a shop from the command line, mailing its first owner an invitation', async () => {
    const sink = await smtpSink();
    const owner = `first-owner-${Date.now()}@shop.example.jp`;
    const p = start({ DATA_DIR: dataDir, SMTP_URL: sink.url, PUBLIC_URL: 'https://desk.example.jp' }, 'server/admin.ts', ['open-shop', '本番商店', owner]);
    expect(await p.exited, p.out()).to.equal(0);
    expect(p.out()).to.match(/opened shop "本番商店" \([0-9a-f-]{36}\); invitation mailed/);
    const mail = await sink.waitFor((m) => m.to.includes(owner));
    expect(mail.text).to.match(/https:\/\/desk\.example\.jp\/console\/invitations\/[\w-]{43}/).and.include('オーナー');
    const bad = start({ DATA_DIR: dataDir }, 'server/admin.ts', ['open-shop', '名前', 'not-an-email']);
    expect(await bad.exited).to.equal(1);
    expect(bad.out()).to.include('"not-an-email" is not an email address');
  });

  it('lets the operator hand the outbox rows that failed for good over again, of one topic and since a time', async () => {
    // The run's PostgreSQL when there is one (the command opens it as the server would); else the embedded database in DATA_DIR, shut while the command runs.
    const kind = oneDbKind('postgres')[0]!;
    const env: Record<string, string> = kind === 'postgres' ? { DATA_DIR: dataDir, DATABASE_URL: await testPostgresUrl() } : { DATA_DIR: dataDir };
    const open = (): Promise<Database> => (kind === 'postgres' ? testDatabase('postgres') : openConfiguredDatabase({ DATA_DIR: dataDir }));
    const topic = `test.cli-retry.${Date.now()}`;
    const now = Date.now();
    let database = await open();
    const failed = async (t: string, failedAt: Date, payload: Record<string, unknown>) => {
      await database.db.transaction((tx) => enqueue(tx, { topic: t, payload }));
      const [row] = await database.db.select().from(outbox).where(eq(outbox.topic, t)).orderBy(desc(outbox.id)).limit(1);
      await database.db.update(outbox).set({ failedAt, dispatchedAt: new Date(failedAt.getTime() - 60_000), lastError: 'no such mailbox' }).where(eq(outbox.id, row!.id));
      return row!.id;
    };
    const recent = await failed(topic, new Date(now - 60_000), { to: 'a@example.jp' });
    const older = await failed(topic, new Date(now - 7_200_000), { to: 'b@example.jp' });
    const secret = await failed(topic, new Date(now - 60_000), {});
    const other = await failed(`${topic}.other`, new Date(now - 60_000), { to: 'c@example.jp' });
    await database.close();
    const since = new Date(now - 3_600_000 + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
    const p = start(env, 'server/admin.ts', ['outbox', 'retry', '--topic', topic, '--since', since]);
    expect(await p.exited, p.out()).to.equal(0);
    expect(p.out()).to.include('outbox retry: 1 failed row handed over again').and.include('1 left as failed: their payload held secrets');
    database = await open();
    try {
      const rows = new Map((await database.db.select().from(outbox).where(inArray(outbox.id, [recent, older, secret, other]))).map((r) => [r.id, r]));
      expect(rows.get(recent), 'pending again').to.deep.include({ failedAt: null, dispatchedAt: null });
      for (const id of [older, secret, other]) expect(rows.get(id)!.failedAt, `row ${id}`).to.be.an.instanceOf(Date);
      await database.db.delete(outbox).where(inArray(outbox.id, [recent, older, secret, other]));
    } finally {
      await database.close();
    }
    const bad = start(env, 'server/admin.ts', ['outbox', 'retry', '--since', 'yesterday']);
    expect(await bad.exited).to.equal(1);
    expect(bad.out()).to.include('--since "yesterday" is not an ISO time with its offset');
  });
});
