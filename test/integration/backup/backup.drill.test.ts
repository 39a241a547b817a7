import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { expect } from 'chai';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import pg from 'pg';
import { openPgliteDir, openPostgres, type Database } from '../../../server/core/db/client.ts';
import { createBackup, type BackupResult } from '../../../server/core/backup/backup.create.ts';
import { compareTables } from '../../../server/core/backup/backup.manifest.ts';
import { pgliteOf, readPglite } from '../../../server/core/backup/backup.pglite.ts';
import { readPostgres } from '../../../server/core/backup/backup.postgres.ts';
import { restoreBackup, type RestoreReport } from '../../../server/core/backup/backup.restore.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { bullPrefix, JOBS_QUEUE } from '../../../server/core/queue.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds, redisPrefix, redisUrl } from '../../helpers/env.ts';
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

    const TOPIC = 'test.restore-drill';
    const queuePrefix = `${redisPrefix}drill-${kind}:`;
    const openRestored = async () => (restoredDb ??= kind === 'pglite' ? await openPgliteDir(`${fresh.dataDir}/pg`) : await openPostgres(fresh.url!, { max: 3 }));

    before(async () => {
      source = await serverWithFiles(kind, '1');
      seeded = await seedShop(source);
      // Work at the time of the backup: handed to a queue (another deployment's prefix, so this server leaves it be) and unfinished, done, given up.
      const at = new Date();
      await source.database.db.insert(outbox).values([
        { topic: TOPIC, payload: { n: 'owed' }, dispatchedAt: at, dispatchedTo: 'elsewhere:bull' },
        { topic: TOPIC, payload: {}, dispatchedAt: at, dispatchedTo: 'elsewhere:bull', completedAt: at },
        { topic: TOPIC, payload: { n: 'failed' }, dispatchedAt: at, dispatchedTo: 'elsewhere:bull', failedAt: at, lastError: 'gave up' },
      ]);
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

    it('restores a database whose row counts and checksums equal the manifest, table by table (the outbox by count: its owed rows are reopened)', async () => {
      const db = await openRestored();
      const sums = kind === 'pglite' ? await readPglite(pgliteOf(db.db)!) : await readPostgres(fresh.url!);
      const { 'public.outbox': restoredOutbox, ...rest } = sums.tables;
      const { 'public.outbox': backedUpOutbox, ...expected } = made.manifest.tables;
      expect(compareTables(expected, rest)).to.deep.equal([]);
      expect(restoredOutbox?.rows).to.equal(backedUpOutbox?.rows);
      expect(sums.migrations).to.deep.equal(made.manifest.migrations);
    });

    it('hands the work owed at the backup over again: its unfinished outbox rows are pending, finished ones stay as they were', async () => {
      const db = (await openRestored()).db;
      const mine = await db.select().from(outbox).where(eq(outbox.topic, TOPIC)).orderBy(outbox.id);
      expect(mine.map((r) => [r.payload, r.dispatchedAt === null, r.dispatchedTo, r.completedAt === null, r.failedAt === null])).to.deep.equal([
        [{ n: 'owed' }, true, null, true, true],
        [{}, false, 'elsewhere:bull', false, true],
        [{ n: 'failed' }, false, 'elsewhere:bull', true, false],
      ]);
      const stillHanded = await db.select({ id: outbox.id }).from(outbox).where(and(isNotNull(outbox.dispatchedAt), isNull(outbox.completedAt), isNull(outbox.failedAt)));
      expect(stillHanded).to.deep.equal([]);
      expect(report.reopened).to.be.at.least(1);
    });

    it('serves the shop from the restored copy: the conversation, the return and the attachment’s bytes through the API', async () => {
      restored = await startServer(kind, { database: await openRestored(), config: { DATA_DIR: fresh.dataDir } });
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

    it('with --force replaces it, verified, keeps what was there aside (PGlite folder, stored files), and drops the old jobs: DATA_DIR/redis and the queue', async () => {
      await mkdir(join(fresh.dataDir, 'redis'));
      await writeFile(join(fresh.dataDir, 'redis', 'appendonly.aof'), 'jobs of the database being replaced');
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      const queue = new Queue(JOBS_QUEUE, { connection, prefix: bullPrefix(queuePrefix) });
      try {
        await queue.add('mail.reply', { shopId: null, outboxId: 1 }, { delay: 60_000 });
        await queue.add('mail.reply', { shopId: null, outboxId: 2 });
        const forced = await restoreBackup(made.file, fresh.target, { force: true, queue: { url: redisUrl, keyPrefix: queuePrefix } });
        expect(forced.rows).to.equal(report.rows);
        expect(forced.movedAside.some((p) => /files\.before-restore-/.test(p))).to.equal(true);
        if (kind === 'pglite') expect(forced.movedAside.some((p) => /pg\.before-restore-/.test(p))).to.equal(true);
        expect(existsSync(join(fresh.dataDir, 'redis'))).to.equal(false);
        expect(forced.notes).to.deep.equal([
          `deleted ${join(fresh.dataDir, 'redis')}, the private Redis's data: its jobs belonged to the database that was replaced`,
          `emptied the job queue under ${queuePrefix}bull in Redis (2 job(s) of the database that was replaced)`,
        ]);
        expect(forced.warnings).to.deep.equal([]);
        expect(Object.values(await queue.getJobCounts()).every((n) => n === 0)).to.equal(true);
        expect(await queue.isPaused()).to.equal(false);
      } finally {
        await queue.close();
        connection.disconnect();
      }
    });

    it('with a queue in a Redis it cannot reach, still restores and says which keys to delete by hand', async () => {
      const forced = await restoreBackup(made.file, fresh.target, { force: true, queue: { url: 'redis://127.0.0.1:1', keyPrefix: queuePrefix } });
      expect(forced.rows).to.equal(report.rows);
      expect(forced.warnings).to.have.length(1);
      expect(forced.warnings[0]).to.match(/^the job queue in Redis at redis:\/\/127\.0\.0\.1:1 could not be emptied \(.+\): it may still hold jobs of the database that was replaced/);
      expect(forced.warnings[0]).to.include(`redis-cli -u 'redis://127.0.0.1:1' --scan --pattern '${queuePrefix}bull:jobs:*' | xargs -r redis-cli -u 'redis://127.0.0.1:1' del`);
    });
  });
}
