import { rm } from 'node:fs/promises';
import { expect } from 'chai';
import pg from 'pg';
import { openPgliteDir, openPostgres, type Database } from '../../../server/core/db/client.ts';
import { createBackup, type BackupResult } from '../../../server/core/backup/backup.create.ts';
import { compareTables } from '../../../server/core/backup/backup.manifest.ts';
import { pgliteOf, readPglite } from '../../../server/core/backup/backup.pglite.ts';
import { readPostgres } from '../../../server/core/backup/backup.postgres.ts';
import { restoreBackup, type RestoreReport } from '../../../server/core/backup/backup.restore.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { signedIn } from '../../fixtures/builders.ts';
import { download, serverWithFiles } from '../attachments/files.ts';
import { freshTarget, seedShop, sourceOf, tempDir, type Seeded } from './backup.fixtures.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] restore drill: back up a shop, restore it into a fresh target, run the app on it`, function () {
    this.timeout(180_000);
    let source: TestServer & { dataDir: string };
    let seeded: Seeded;
    let made: BackupResult;
    let fresh: Awaited<ReturnType<typeof freshTarget>>;
    let report: RestoreReport;
    let restoredDb: Database | undefined;
    let restored: TestServer | undefined;
    let outDir: string | undefined;

    before(async () => {
      source = await serverWithFiles(kind, '1');
      seeded = await seedShop(source);
      outDir = await tempDir('out');
      made = await createBackup({ source: await sourceOf(kind, source), dataDir: source.dataDir, outDir, version: 'test' });
      fresh = await freshTarget(kind, 'drill');
      report = await restoreBackup(made.file, fresh.target);
    });
    after(async () => {
      await restored?.close();
      await restoredDb?.close();
      await source?.close();
      await fresh?.drop();
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it('writes a manifest with the migration level, the seeded rows in its counts, and the stored file with its SHA-256', () => {
      const m = made.manifest;
      expect(m.database.kind).to.equal(kind);
      expect(m.migrations.latest).to.match(/^\d{4}_/);
      for (const table of ['public.shops', 'public.conversations', 'public.messages', 'public.attachments', 'public.return_requests', 'public.audit_events']) {
        expect(m.tables[table]?.rows, table).to.be.greaterThan(0);
      }
      expect(m.files[seeded.storageKey]?.bytes).to.equal(seeded.png.length);
      expect(report.tables).to.equal(Object.keys(m.tables).length);
      expect(report.files).to.equal(Object.keys(m.files).length);
    });

    it('restores a database whose row counts and checksums equal the manifest, table by table', async () => {
      restoredDb = kind === 'pglite' ? await openPgliteDir(`${fresh.dataDir}/pg`) : await openPostgres(fresh.url!, { max: 3 });
      const sums = kind === 'pglite' ? await readPglite(pgliteOf(restoredDb.db)!) : await readPostgres(fresh.url!);
      expect(compareTables(made.manifest.tables, sums.tables)).to.deep.equal([]);
      expect(sums.migrations).to.deep.equal(made.manifest.migrations);
    });

    it('serves the shop from the restored copy: the conversation, the return and the attachment’s bytes through the API', async () => {
      restored = await startServer(kind, { database: restoredDb!, config: { DATA_DIR: fresh.dataDir } });
      const owner = await signedIn(restored.url, seeded.desk.shop.people.owner);
      const conv = await owner.get(`/api/shops/${seeded.desk.shop.id}/conversations/${seeded.conversationId}`);
      expect(conv.status, conv.text).to.equal(200);
      const msgs = await owner.get(`/api/shops/${seeded.desk.shop.id}/conversations/${seeded.conversationId}/messages`);
      expect(msgs.status, msgs.text).to.equal(200);
      expect(JSON.stringify(msgs.body)).to.include('"note"');
      const ret = await owner.get(`/api/shops/${seeded.desk.shop.id}/returns/${seeded.returnId}`);
      expect(ret.status, ret.text).to.equal(200);
      expect(ret.body.id).to.equal(seeded.returnId);
      const file = await download(owner, seeded.attachmentUrl);
      expect(file.status).to.equal(200);
      expect(file.bytes.equals(seeded.png)).to.equal(true);
    });

    it('refuses to restore over the now non-empty target without --force, and leaves it as it was', async () => {
      await restored!.close();
      restored = undefined;
      // What the restored copy holds now (the sign-in above added a session and audit rows).
      const sumsNow = async () => {
        if (kind === 'postgres') return readPostgres(fresh.url!);
        const db = await openPgliteDir(`${fresh.dataDir}/pg`);
        try {
          return await readPglite(pgliteOf(db.db)!);
        } finally {
          await db.close();
        }
      };
      await restoredDb!.close();
      restoredDb = undefined;
      const before = await sumsNow();
      const err = await restoreBackup(made.file, fresh.target).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/refusing to restore over existing data/).and.match(/--force/);
      expect(compareTables(before.tables, (await sumsNow()).tables)).to.deep.equal([]);
    });

    if (kind === 'postgres') {
      it('refuses even with --force while another session is connected to the database, saying to stop the servers, and leaves it as it was', async () => {
        const before = await readPostgres(fresh.url!);
        const open = new pg.Client({ connectionString: fresh.url, application_name: 'madoguchi-test-server' });
        await open.connect();
        try {
          const err = await restoreBackup(made.file, fresh.target, { force: true }).then(
            () => null,
            (e: Error) => e,
          );
          expect(err?.message).to.match(/has 1 other open connection\(s\) \(madoguchi-test-server\); stop every madoguchi server and worker that uses it/);
        } finally {
          await open.end();
        }
        expect(compareTables(before.tables, (await readPostgres(fresh.url!)).tables)).to.deep.equal([]);
      });
    }

    it('with --force replaces it, verified, and keeps what was there aside (PGlite folder, stored files)', async () => {
      const forced = await restoreBackup(made.file, fresh.target, { force: true });
      expect(forced.rows).to.equal(report.rows);
      expect(forced.movedAside.some((p) => /files\.before-restore-/.test(p))).to.equal(true);
      if (kind === 'pglite') expect(forced.movedAside.some((p) => /pg\.before-restore-/.test(p))).to.equal(true);
    });
  });
}
