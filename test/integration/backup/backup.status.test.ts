import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { createBackup } from '../../../server/core/backup/backup.create.ts';
import { createBackupRunner } from '../../../server/core/backup/backup.runner.ts';
import { folderBytes, NoSpaceError, spaceNeeded } from '../../../server/core/backup/backup.space.ts';
import { readBackupStatus, recordBackupRun, type BackupRun } from '../../../server/core/backup/backup.status.ts';
import { createLogger } from '../../../server/core/logger.ts';
import type { TestClient } from '../../helpers/client.ts';
import { pgliteOf } from '../../../server/core/backup/backup.pglite.ts';
import { openPostgres } from '../../../server/core/db/client.ts';
import { insertMembership } from '../../../server/domains/shops/shops.repository.ts';
import { startServer } from '../../helpers/app.ts';
import { dbKinds, type DbKind } from '../../helpers/env.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { freshTarget, tempDir } from './backup.fixtures.ts';

/**
 * A server on a database of its own (a backup is of the whole deployment, so who owns every
 * shop depends on every shop in it): shop A's owner also owns shop B, shop B's owner only B.
 */
async function deployment(kind: DbKind, opts: Parameters<typeof startServer>[1] = {}) {
  const fresh = await freshTarget(kind, 'status');
  const database = kind === 'postgres' ? await openPostgres(fresh.url!, { max: 3 }) : undefined;
  const server = await startServer(kind, { ...opts, ...(database ? { database } : {}), config: { DATA_DIR: fresh.dataDir, ...opts.config } });
  const a = await makeShop(server.database);
  const b = await makeShop(server.database);
  await insertMembership(server.database.db, b.id, a.people.owner.id, 'owner');
  return {
    server,
    dataDir: fresh.dataDir,
    a,
    b,
    close: async () => {
      await server.close();
      await database?.close();
      await fresh.drop();
    },
  };
}

const statusOf = (dataDir: string) => join(dataDir, 'backups');
const run = (over: Partial<BackupRun>): BackupRun => ({ trigger: 'nightly', startedAt: '2026-12-04T03:00:00.000Z', finishedAt: '2026-12-04T03:00:40.000Z', ok: true, file: 'madoguchi-backup-20261204-120000.tar.gz', bytes: 123_456, error: null, code: null, ...over });

for (const kind of dbKinds) {
  describe(`[${kind}] backups as owners see them: GET/POST /api/shops/:shopId/backups`, function () {
    this.timeout(120_000);
    let d: Awaited<ReturnType<typeof deployment>>;
    let boss: TestClient;
    let single: TestClient;
    const path = (shopId: string) => `/api/shops/${shopId}/backups`;

    before(async () => {
      d = await deployment(kind);
      boss = await signedIn(d.server.url, d.a.people.owner);
      single = await signedIn(d.server.url, d.b.people.owner);
    });
    after(() => d?.close());

    it('answers 403 to staff, agents and contractors, for reading and for starting one', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(d.server.url, d.a.people[role]);
        const read = await c.get(path(d.a.id));
        expect(read.status, role).to.equal(403);
        expect(read.body.error.code).to.equal('forbidden');
        expect((await c.post(path(d.a.id))).status, role).to.equal(403);
      }
    });

    it('refuses a malformed shop id with 400, and a shop the owner is not in with 404', async () => {
      expect((await boss.get('/api/shops/not-a-uuid/backups')).status).to.equal(400);
      expect((await single.get(path(d.a.id))).status).to.equal(404);
    });

    it('shows the owner of one shop of two when the last backup ran and whether it worked, nothing more, and refuses them "back up now" (403)', async () => {
      await recordBackupRun(statusOf(d.dataDir), run({}));
      await recordBackupRun(statusOf(d.dataDir), run({ trigger: 'manual', finishedAt: '2026-12-05T03:00:40.000Z', ok: false, file: null, bytes: null, error: `not enough disk space for a backup in ${d.dataDir}/backups: it needs about 900 MiB`, code: 'no_space' }));
      try {
        const seen = await single.get(path(d.b.id));
        expect(seen.status, seen.text).to.equal(200);
        expect(seen.body).to.deep.equal({ scope: 'summary', last: { finishedAt: '2026-12-05T03:00:40.000Z', ok: false }, lastSuccess: { finishedAt: '2026-12-04T03:00:40.000Z', ok: true } });
        const start = await single.post(path(d.b.id));
        expect(start.status).to.equal(403);
        expect(start.body.error.message).to.match(/すべてのショップのオーナー/).and.match(/owns every shop/);

        // The owner of both sees the failure as a code and a message in both languages, never the server's text.
        const full = await boss.get(path(d.b.id));
        expect(full.body.scope).to.equal('deployment');
        expect(full.body.last.failure).to.deep.equal({ code: 'no_space', message: 'ディスクの空き容量が足りないため、バックアップを取得できませんでした / not enough disk space for a backup' });
        expect(full.body.lastSuccess).to.include({ ok: true, bytes: 123_456, failure: null });
        expect(full.text).not.to.include(d.dataDir);
        expect(full.body.last).not.to.have.property('error');
      } finally {
        await rm(join(statusOf(d.dataDir), 'status.json'));
      }
    });

    if (kind === 'pglite') {
      it('lets the owner of every shop back up now: 202, then time, success, size and the archive; again within 10 minutes 429 with Retry-After', async () => {
        const before = await boss.get(path(d.a.id));
        expect(before.status, before.text).to.equal(200);
        expect(before.body).to.deep.include({ scope: 'deployment', database: 'pglite', canRunNow: true, running: false, last: null, lastSuccess: null });
        expect(before.body.nightly).to.deep.equal({ hour: 3, timeZone: 'Asia/Tokyo', keepDaily: 7, keepWeekly: 4 });

        const started = await boss.post(path(d.a.id));
        expect(started.status, started.text).to.equal(202);
        expect(started.body.running).to.equal(true);
        await d.server.service.backups!.idle();

        const after = await boss.get(path(d.a.id));
        expect(after.body.running).to.equal(false);
        expect(after.body.last).to.include({ trigger: 'manual', ok: true, failure: null });
        expect(after.body.last.bytes).to.be.greaterThan(0);
        expect(after.body.lastSuccess).to.deep.equal(after.body.last);
        expect(existsSync(join(statusOf(d.dataDir), after.body.last.file))).to.equal(true);

        const again = await boss.post(path(d.a.id));
        expect(again.status).to.equal(429);
        expect(again.body.error.code).to.equal('rate_limited');
        expect(again.body.error.message).to.match(/10 分に 1 回/).and.match(/once every 10 minutes/);
        expect(Number(again.headers.get('retry-after'))).to.be.within(1, 600);
      });
    } else {
      it('on PostgreSQL says backups are the operator’s (no nightly, no "back up now": 409)', async () => {
        const r = await boss.get(path(d.a.id));
        expect(r.status, r.text).to.equal(200);
        expect(r.body).to.deep.include({ scope: 'deployment', database: 'postgres', nightly: null, canRunNow: false, running: false });
        const now = await boss.post(path(d.a.id));
        expect(now.status).to.equal(409);
        expect(now.body.error.message).to.match(/npm run backup/);
      });
    }
  });
}

describe('"back up now" while a backup runs', function () {
  this.timeout(120_000);
  let d: Awaited<ReturnType<typeof deployment>>;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));

  before(async () => {
    // The runner's first step, the free-space look-up, waits for the test: the backup is running until then.
    d = await deployment('pglite', {
      backups: (database, config) =>
        createBackupRunner({
          source: () => ({ kind: 'pglite', client: pgliteOf(database.db)! }),
          dataDir: config.DATA_DIR,
          version: 'test',
          keep: { daily: 7, weekly: 4 },
          logger: createLogger('silent'),
          freeBytes: async () => (await held, Number.MAX_SAFE_INTEGER),
        }),
    });
  });
  after(async () => {
    release();
    await d?.server.service.backups?.idle();
    await d?.close();
  });

  it('answers 409 with a message in both languages, and the one running goes on', async () => {
    const boss = await signedIn(d.server.url, d.a.people.owner);
    const first = await boss.post(`/api/shops/${d.a.id}/backups`);
    expect(first.status, first.text).to.equal(202);
    const second = await boss.post(`/api/shops/${d.a.id}/backups`);
    expect(second.status).to.equal(409);
    expect(second.body.error.message).to.equal('バックアップはすでに実行中です。終わるまでお待ちください / a backup is already running; wait for it to finish');
    release();
    await d.server.service.backups!.idle();
    const state = await boss.get(`/api/shops/${d.a.id}/backups`);
    expect(state.body.last).to.include({ trigger: 'manual', ok: true });
  });
});

describe('a failed backup is recorded with its error', () => {
  it('records ok: false and the error in status.json, and leaves no archive or work folder behind', async function () {
    this.timeout(60_000);
    const dataDir = await tempDir('fail');
    const gone = await PGlite.create();
    await gone.close(); // a database that cannot be dumped
    const runner = createBackupRunner({ source: () => ({ kind: 'pglite', client: gone }), dataDir, version: 'test', keep: { daily: 7, weekly: 4 }, logger: createLogger('silent') });
    const run = await runner.run('nightly');
    expect(run).to.include({ trigger: 'nightly', ok: false, file: null, bytes: null });
    expect(run.error).to.be.a('string').and.not.equal('');
    const status = await readBackupStatus(join(dataDir, 'backups'));
    expect(status.last).to.deep.equal(run);
    expect(status.lastSuccess).to.equal(null);
    expect(await readdir(join(dataDir, 'backups'))).to.deep.equal(['status.json']);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('backups are readable by the server’s user only', () => {
  const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
  let dataDir: string;
  let client: PGlite;
  before(async () => {
    client = await PGlite.create();
    await client.exec('create table customers (name text); insert into customers values (\'山田\')');
  });
  after(() => client.close());
  beforeEach(async () => (dataDir = await tempDir('modes')));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('tightens an existing DATA_DIR/backups to 0700 and writes the archive and status.json 0600', async function () {
    this.timeout(60_000);
    const dir = join(dataDir, 'backups');
    await mkdir(dir);
    await chmod(dir, 0o755);
    const runner = createBackupRunner({ source: () => ({ kind: 'pglite', client }), dataDir, version: 'test', keep: { daily: 7, weekly: 4 }, logger: createLogger('silent') });
    const run = await runner.run('manual');
    expect(run.ok, run.error ?? '').to.equal(true);
    expect((await modeOf(dir)).toString(8)).to.equal('700');
    expect((await modeOf(join(dir, run.file!))).toString(8)).to.equal('600');
    expect((await modeOf(join(dir, 'status.json'))).toString(8)).to.equal('600');
  });

  it('makes a new folder 0700 and the archive 0600 when backing up elsewhere (--out)', async function () {
    this.timeout(60_000);
    const outDir = join(dataDir, 'elsewhere', 'backups');
    const made = await createBackup({ source: { kind: 'pglite', client }, dataDir, outDir, version: 'test' });
    expect((await modeOf(outDir)).toString(8)).to.equal('700');
    expect((await modeOf(made.file)).toString(8)).to.equal('600');
  });
});

describe('a backup the disk could not hold', () => {
  let dataDir: string;
  let client: PGlite;
  const keep = { daily: 7, weekly: 4 };
  before(async () => {
    dataDir = await tempDir('space');
    client = await PGlite.create(join(dataDir, 'pg'));
    await client.exec('create table customers (name text)');
    await mkdir(join(dataDir, 'files', 'shop'), { recursive: true });
    await writeFile(join(dataDir, 'files', 'shop', 'photo'), Buffer.alloc(100_000, 1));
  });
  after(async () => {
    await client.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is refused before anything is written and recorded as no_space: twice the database folder, the files and 256 MiB to spare', async function () {
    this.timeout(60_000);
    const need = spaceNeeded({ kind: 'pglite', databaseBytes: await folderBytes(join(dataDir, 'pg')), filesBytes: 100_000, filesCopied: false });
    expect(need).to.be.greaterThan(2 * (await folderBytes(join(dataDir, 'pg'))) + 256 * 2 ** 20);
    const asked: string[] = [];
    const runner = createBackupRunner({ source: () => ({ kind: 'pglite', client }), dataDir, version: 'test', keep, logger: createLogger('silent'), freeBytes: async (dir) => (asked.push(dir), need - 1) });
    const run = await runner.run('manual');
    expect(run).to.include({ ok: false, code: 'no_space', file: null });
    expect(run.error).to.match(/^not enough disk space for a backup in .*: it needs about \d+ MiB .* is free; nothing was written/);
    expect(asked).to.deep.equal([join(dataDir, 'backups')]);
    expect(await readdir(join(dataDir, 'backups'))).to.deep.equal(['status.json']);
    expect((await readBackupStatus(join(dataDir, 'backups'))).last).to.deep.equal(run);

    const enough = createBackupRunner({ source: () => ({ kind: 'pglite', client }), dataDir, version: 'test', keep, logger: createLogger('silent'), freeBytes: async () => need });
    expect(await enough.run('manual')).to.include({ ok: true, code: null });
  });

  it('leaves a folder it would have made unmade', async function () {
    this.timeout(60_000);
    const outDir = join(dataDir, 'elsewhere');
    const err = await createBackup({ source: { kind: 'pglite', client }, dataDir, outDir, version: 'test', freeBytes: async () => 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NoSpaceError);
    expect(existsSync(outDir)).to.equal(false);
  });
});
