import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { createBackup } from '../../../server/core/backup/backup.create.ts';
import { createBackupRunner } from '../../../server/core/backup/backup.runner.ts';
import { folderBytes, NoSpaceError, spaceNeeded } from '../../../server/core/backup/backup.space.ts';
import { readBackupStatus } from '../../../server/core/backup/backup.status.ts';
import { createLogger } from '../../../server/core/logger.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { serverWithFiles } from '../attachments/files.ts';
import { tempDir } from './backup.fixtures.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the owner's backup status: GET/POST /api/shops/:shopId/backups`, function () {
    this.timeout(120_000);
    let server: Awaited<ReturnType<typeof serverWithFiles>>;
    let shop: TestShop;
    let owner: TestClient;
    const path = () => `/api/shops/${shop.id}/backups`;

    before(async () => {
      server = await serverWithFiles(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    it('answers 403 to staff, agents and contractors, for reading and for starting one', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        const read = await c.get(path());
        expect(read.status, role).to.equal(403);
        expect(read.body.error.code).to.equal('forbidden');
        expect((await c.post(path())).status, role).to.equal(403);
      }
    });

    it('refuses a malformed shop id with 400, and a shop the owner is not in with 404', async () => {
      expect((await owner.get('/api/shops/not-a-uuid/backups')).status).to.equal(400);
      const other = await makeShop(server.database);
      expect((await owner.get(`/api/shops/${other.id}/backups`)).status).to.equal(404);
    });

    if (kind === 'pglite') {
      it('shows no backup yet, then after "back up now" the run: time, success, size, and the archive in DATA_DIR/backups', async () => {
        const before = await owner.get(path());
        expect(before.status, before.text).to.equal(200);
        expect(before.body).to.deep.include({ database: 'pglite', canRunNow: true, running: false, last: null, lastSuccess: null });
        expect(before.body.nightly).to.deep.equal({ hour: 3, timeZone: 'Asia/Tokyo', keepDaily: 7, keepWeekly: 4 });

        const started = await owner.post(path());
        expect(started.status, started.text).to.equal(202);
        expect(started.body.running).to.equal(true);
        await server.service.backups!.idle();

        const after = await owner.get(path());
        expect(after.body.running).to.equal(false);
        expect(after.body.last).to.include({ trigger: 'manual', ok: true, error: null });
        expect(after.body.last.bytes).to.be.greaterThan(0);
        expect(after.body.lastSuccess).to.deep.equal(after.body.last);
        expect(existsSync(join(server.dataDir, 'backups', after.body.last.file))).to.equal(true);
      });
    } else {
      it('on PostgreSQL says backups are the operator’s (no nightly, no "back up now": 409)', async () => {
        const r = await owner.get(path());
        expect(r.status, r.text).to.equal(200);
        expect(r.body).to.deep.include({ database: 'postgres', nightly: null, canRunNow: false, running: false });
        const now = await owner.post(path());
        expect(now.status).to.equal(409);
        expect(now.body.error.message).to.match(/npm run backup/);
      });
    }
  });
}

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
