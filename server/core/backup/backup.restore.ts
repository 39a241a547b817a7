import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { unpackArchive } from './backup.archive.ts';
import { lockPgliteDir } from './backup.lock.ts';
import { assertKnownLevel, BackupError, compareTables, type Manifest } from './backup.manifest.ts';
import { loadPgliteDump, pgliteQuery, type DatabaseSums } from './backup.pglite.ts';
import { clearPostgres, onPostgres, otherSessions, postgresTableCount, readPostgres, restorePostgres } from './backup.postgres.ts';
import { clearByHand, clearJobQueue, removePrivateRedis, reopenOwedWork, type QueueTarget } from './backup.queue.ts';

/** PGlite: DATA_DIR/pg and DATA_DIR/files. PostgreSQL: the database at url, and DATA_DIR/files. */
export type RestoreTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; dataDir: string };

export interface RestoreReport {
  manifest: Manifest;
  tables: number;
  rows: number;
  files: number;
  /** With --force: where the data that was there before now is (PGlite folder, stored files). */
  movedAside: string[];
  /** Unfinished outbox rows made pending again, to be handed to the emptied queue. */
  reopened: number;
  /** What was done about the old job queue (DATA_DIR/redis deleted, the queue emptied). */
  notes: string[];
  /** What the operator must still do (a queue that could not be emptied). */
  warnings: string[];
}

export interface RestoreOptions {
  force?: boolean;
  /** The Redis the servers' job queue is in (REDIS_URL, or the one on 127.0.0.1:6379 they would use), emptied after the restore. */
  queue?: QueueTarget;
}

const isEmptyDir = async (dir: string) => (await readdir(dir).catch(() => [])).length === 0;

function refuseUnlessForced(what: string[], force: boolean): void {
  if (what.length && !force) {
    throw new BackupError(`refusing to restore over existing data (${what.join('; ')}); restore into an empty target, or add --force to replace it (PGlite folders and stored files are kept aside, a PostgreSQL database is emptied)`);
  }
}

/**
 * Dropping schemas and restoring under a running server would break it mid-request and let it
 * write into a half-restored database (PGlite has its folder lock for this; PostgreSQL has none).
 */
async function refuseWhileConnected(url: string): Promise<void> {
  const others = await otherSessions(url);
  if (others.count) {
    throw new BackupError(
      `the database at DATABASE_URL has ${others.count} other open connection(s)${others.applications.length ? ` (${others.applications.join(', ')})` : ''}; stop every madoguchi server and worker that uses it (and close other sessions such as psql), then run the restore again`,
    );
  }
}

function verified(manifest: Manifest, actual: DatabaseSums, where: string): void {
  const diffs = compareTables(manifest.tables, actual.tables);
  if (diffs.length) throw new BackupError(`the restored database does not match the archive's manifest (${diffs.slice(0, 5).join('; ')}); ${where}`);
}

/**
 * The old job queue goes (see backup.queue.ts): the private Redis's data in DATA_DIR/redis is
 * deleted, and the queue in `queue` emptied, or a warning says what to delete by hand.
 */
async function dropOldJobs(dataDir: string, queue: QueueTarget | undefined, report: Pick<RestoreReport, 'notes' | 'warnings'>): Promise<void> {
  if (await removePrivateRedis(dataDir)) report.notes.push(`deleted ${join(dataDir, 'redis')}, the private Redis's data: its jobs belonged to the database that was replaced`);
  if (!queue) return;
  const done = await clearJobQueue(queue);
  if (done.cleared) report.notes.push(`emptied the job queue under ${queue.keyPrefix}bull in Redis (${done.jobs} job(s) of the database that was replaced)`);
  else report.warnings.push(clearByHand(queue, done.reason));
}

/**
 * Restores an archive made by createBackup. Nothing in the target changes until the archive
 * has been unpacked and every part matched its checksum; the database is then checked row
 * for row (counts and digests per table) against the manifest. Then the work the restored
 * database owes is handed over anew: its unfinished outbox rows become pending, and the old
 * job queue goes (dropOldJobs).
 */
export async function restoreBackup(archive: string, target: RestoreTarget, opts: RestoreOptions = {}): Promise<RestoreReport> {
  const dataDir = resolve(target.dataDir);
  await mkdir(dataDir, { recursive: true });
  const release = target.kind === 'pglite' ? await lockPgliteDir(join(dataDir, 'pg'), 'restore') : undefined;
  const stamp = DateTime.now().setZone('Asia/Tokyo').toFormat('yyyyLLdd-HHmmss');
  const work = join(dataDir, `.restore-${stamp}-${randomBytes(3).toString('hex')}`);
  try {
    if (target.kind === 'postgres') await refuseWhileConnected(target.url);
    const existing: string[] = [];
    if (target.kind === 'pglite' && !(await isEmptyDir(join(dataDir, 'pg')))) existing.push(`${join(dataDir, 'pg')} holds a database`);
    if (target.kind === 'postgres' && (await postgresTableCount(target.url)) > 0) existing.push('the database at DATABASE_URL has tables');
    if (!(await isEmptyDir(join(dataDir, 'files')))) existing.push(`${join(dataDir, 'files')} holds stored files`);
    refuseUnlessForced(existing, opts.force ?? false);

    const unpacked = join(work, 'archive');
    const manifest = await unpackArchive(archive, unpacked);
    if (manifest.database.kind !== target.kind) {
      throw new BackupError(
        `the archive holds a ${manifest.database.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL'} database and the target is ${target.kind === 'pglite' ? 'the embedded PGlite (DATABASE_URL is unset)' : 'PostgreSQL (DATABASE_URL)'}; restore it into the same kind`,
      );
    }
    assertKnownLevel(manifest.migrations);
    const dump = join(unpacked, manifest.database.dump);
    const movedAside: string[] = [];
    let reopened = 0;
    const setAside = async (name: string) => {
      const from = join(dataDir, name);
      if (await isEmptyDir(from)) return rm(from, { recursive: true, force: true });
      let to = join(dataDir, `${name}.before-restore-${stamp}`);
      for (let n = 2; existsSync(to); n++) to = join(dataDir, `${name}.before-restore-${stamp}-${n}`);
      await rename(from, to);
      movedAside.push(to);
    };

    if (target.kind === 'pglite') {
      // Built beside the live folder and checked there; only a verified copy is swapped in.
      const fresh = join(work, 'pg');
      await loadPgliteDump(dump, fresh, async (client, sums) => {
        verified(manifest, sums, 'nothing in the data directory was changed');
        reopened = await reopenOwedWork(pgliteQuery(client), manifest.migrations);
      });
      await setAside('pg');
      await rename(fresh, join(dataDir, 'pg'));
    } else {
      await refuseWhileConnected(target.url); // again: one may have connected while the archive was checked
      if (existing.length) await clearPostgres(target.url);
      try {
        await restorePostgres(target.url, dump);
      } catch (e) {
        throw new BackupError(`${(e as Error).message}. pg_restore ran in one transaction, so the database is left empty; fix the cause and run the restore again`);
      }
      verified(manifest, await readPostgres(target.url), 'do not start madoguchi on this database; empty it and restore another backup');
      reopened = await onPostgres(target.url, (query) => reopenOwedWork(query, manifest.migrations));
    }
    await setAside('files');
    await mkdir(join(unpacked, 'files'), { recursive: true });
    await rename(join(unpacked, 'files'), join(dataDir, 'files'));
    const report: RestoreReport = { manifest, tables: 0, rows: 0, files: Object.keys(manifest.files).length, movedAside, reopened, notes: [], warnings: [] };
    await dropOldJobs(dataDir, opts.queue, report);
    const counts = Object.values(manifest.tables);
    return { ...report, tables: counts.length, rows: counts.reduce((n, t) => n + t.rows, 0) };
  } finally {
    // Retried: after a failed unpack, node-tar may still be finishing writes into it.
    await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
    await release?.();
  }
}
