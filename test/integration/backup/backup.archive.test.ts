import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import * as tar from 'tar';
import { lockPgliteDir } from '../../../server/core/backup/backup.lock.ts';
import { knownMigrations, type Manifest } from '../../../server/core/backup/backup.manifest.ts';
import { restoreBackup } from '../../../server/core/backup/backup.restore.ts';
import { openPgliteDir } from '../../../server/core/db/client.ts';
import { tempDir } from './backup.fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An archive laid out like createBackup's, with a stand-in dump: enough for every check before the database. */
async function craft(dir: string, change: (m: Manifest) => void = () => undefined, opts: { manifest?: boolean } = {}): Promise<string> {
  const staging = join(dir, 'staging');
  const dump = randomBytes(2048);
  const photo = randomBytes(512);
  await mkdir(join(staging, 'database'), { recursive: true });
  await mkdir(join(staging, 'files', 'shop'), { recursive: true });
  await writeFile(join(staging, 'database', 'pgdata.tar.gz'), dump);
  await writeFile(join(staging, 'files', 'shop', 'photo'), photo);
  const last = knownMigrations().at(-1)!;
  const manifest: Manifest = {
    format: 'madoguchi-backup/1',
    app: { name: 'madoguchi', version: 'test' },
    createdAt: '2026-12-04T03:00:00.000+09:00',
    database: { kind: 'pglite', dump: 'database/pgdata.tar.gz', dumpSha256: sha(dump), dumpBytes: dump.length },
    migrations: { applied: knownMigrations().length, latest: last.tag, latestAt: last.when },
    tables: {},
    files: { 'shop/photo': { bytes: photo.length, sha256: sha(photo) } },
  };
  change(manifest);
  if (opts.manifest !== false) await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest));
  const file = join(dir, 'madoguchi-backup-20261204-030000.tar.gz');
  await tar.c({ gzip: true, cwd: staging, file }, await readdir(staging));
  await rm(staging, { recursive: true });
  return file;
}

describe('restore refuses a bad archive before touching the target', () => {
  let dir: string;
  let dataDir: string;
  beforeEach(async () => {
    dir = await tempDir('archive');
    dataDir = join(dir, 'data');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const refusal = (archive: string) =>
    restoreBackup(archive, { kind: 'pglite', dataDir }).then(
      () => expect.fail('the restore went through'),
      (e: Error) => e.message,
    );
  /** Nothing but the lock file's folder: no database, no files, no leftovers of the attempt. */
  const untouched = async () => expect((await readdir(dataDir)).filter((n) => !n.endsWith('.lock'))).to.deep.equal([]);

  it('says a truncated archive is damaged or truncated', async () => {
    const file = await craft(dir);
    await truncate(file, Math.floor((await readFile(file)).length / 2));
    expect(await refusal(file)).to.match(/is damaged or truncated and cannot be unpacked/).and.match(/use another backup/);
    await untouched();
  });

  it('says so when a part does not match its checksum, naming the part', async () => {
    const file = await craft(dir, (m) => (m.files['shop/photo']!.sha256 = 'f'.repeat(64)));
    expect(await refusal(file)).to.match(/is damaged: 1 part\(s\) missing or not matching the manifest \(files\/shop\/photo\)/);
    await untouched();
  });

  it('says a file that is not gzip, or a tar without manifest.json, is not a madoguchi backup', async () => {
    const junk = join(dir, 'junk.tar.gz');
    await writeFile(junk, randomBytes(4096));
    expect(await refusal(junk)).to.match(/damaged or truncated/);
    expect(await refusal(await craft(dir, undefined, { manifest: false }))).to.match(/is not a madoguchi backup: it has no manifest\.json/);
    expect(await refusal(join(dir, 'nowhere.tar.gz'))).to.match(/no archive at/);
    await untouched();
  });

  it('refuses an archive from a newer schema than this code knows', async () => {
    const file = await craft(dir, (m) => (m.migrations = { applied: m.migrations.applied + 1, latest: null, latestAt: m.migrations.latestAt! + 1 }));
    expect(await refusal(file)).to.match(/comes from a newer madoguchi/).and.match(new RegExp(`knows up to ${knownMigrations().at(-1)!.tag}`));
    await untouched();
  });

  it('refuses a PostgreSQL archive for the embedded database', async () => {
    const file = await craft(dir, (m) => (m.database.kind = 'postgres'));
    expect(await refusal(file)).to.match(/holds a PostgreSQL database and the target is the embedded PGlite/);
    await untouched();
  });

  it('refuses a manifest naming a file outside files/', async () => {
    const file = await craft(dir, (m) => (m.files['../../outside'] = m.files['shop/photo']!));
    expect(await refusal(file)).to.match(/is not a madoguchi backup: its manifest\.json is not readable/);
    await untouched();
  });

  it('refuses a restore, and a backup from the command line, while a server holds the embedded database', async function () {
    this.timeout(60_000);
    const running = await openPgliteDir(join(dataDir, 'pg'));
    try {
      expect(await refusal(await craft(dir))).to.match(/in use by the running madoguchi server; stop the server first/);
      const backup = await lockPgliteDir(join(dataDir, 'pg'), 'back up').then(
        () => expect.fail('locked a folder the server holds'),
        (e: Error) => e.message,
      );
      expect(backup).to.match(/The server backs itself up every night into DATA_DIR\/backups/).and.match(/今すぐバックアップ \/ Back up now/);
    } finally {
      await running.close();
    }
  });
});
