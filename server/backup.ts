/**
 * Backup and restore from the command line (see README, "Backup and restore"):
 *
 *   npm run backup [-- --out <folder>]
 *   npm run restore -- <archive> [--force]
 */

import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { usualRedisUrl } from './core/redis.ts';
import { privateDir } from './core/backup/backup.archive.ts';
import { createBackup, type BackupResult, type BackupSource } from './core/backup/backup.create.ts';
import { lockPgliteDir } from './core/backup/backup.lock.ts';
import { BackupError } from './core/backup/backup.manifest.ts';
import { restoreBackup } from './core/backup/backup.restore.ts';
import { backupsDir, failureCode, pruneBackups } from './core/backup/backup.runner.ts';
import { recordBackupRun, type BackupRun } from './core/backup/backup.status.ts';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const usage = 'usage: npm run backup [-- --out <folder>]   |   npm run restore -- <archive> [--force]';

function fail(message: string): never {
  process.stderr.write(`madoguchi: ${message}\n`);
  process.exit(1);
}

const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

async function backup(config: Config, out: string | undefined): Promise<void> {
  const defaultDir = backupsDir(config.DATA_DIR);
  const outDir = out ?? defaultDir;
  // Into the server's own folder: private, and the same retention and status as its nightly runs.
  const own = resolve(outDir) === resolve(defaultDir);
  if (own) await privateDir(outDir);
  const startedAt = new Date().toISOString();
  const record = (run: Pick<BackupRun, 'ok' | 'file' | 'bytes' | 'error' | 'code'>) =>
    own ? recordBackupRun(outDir, { trigger: 'command', startedAt, finishedAt: new Date().toISOString(), ...run }) : undefined;
  // A failure of the backup itself is recorded (the console shows it); a refusal to start is only printed.
  const take = async (source: BackupSource) => {
    try {
      return await createBackup({ source, dataDir: config.DATA_DIR, outDir, version });
    } catch (e) {
      await record({ ok: false, file: null, bytes: null, error: (e as Error).message.slice(0, 500), code: failureCode(e) });
      throw e;
    }
  };
  let made: BackupResult;
  if (config.DATABASE_URL) {
    made = await take({ kind: 'postgres', url: config.DATABASE_URL });
  } else {
    const dir = join(config.DATA_DIR, 'pg');
    const release = await lockPgliteDir(dir, 'back up');
    try {
      if ((await readdir(dir).catch(() => [])).length === 0) throw new BackupError(`there is no database in ${dir} to back up (has madoguchi been started with this DATA_DIR?)`);
      // Opened as it is, not migrated: a backup must not change what it saves.
      const client = await PGlite.create(resolve(dir));
      try {
        made = await take({ kind: 'pglite', client });
      } finally {
        await client.close();
      }
    } finally {
      await release();
    }
  }
  const pruned = own ? await pruneBackups(outDir, { daily: config.BACKUP_KEEP_DAILY, weekly: config.BACKUP_KEEP_WEEKLY }) : [];
  await record({ ok: true, file: made.file.split('/').pop()!, bytes: made.bytes, error: null, code: null });
  const tables = Object.values(made.manifest.tables);
  process.stdout.write(
    `backup written: ${made.file} (${size(made.bytes)}; ${made.manifest.database.kind}, ${tables.length} tables, ${tables.reduce((n, t) => n + t.rows, 0)} rows, ${Object.keys(made.manifest.files).length} stored files)${pruned.length ? `; ${pruned.length} older backup(s) removed by the retention rule` : ''}\n`,
  );
}

async function restore(config: Config, archive: string, force: boolean): Promise<void> {
  const target = config.DATABASE_URL ? { kind: 'postgres' as const, url: config.DATABASE_URL, dataDir: config.DATA_DIR } : { kind: 'pglite' as const, dataDir: config.DATA_DIR };
  // The Redis the servers would use (see resolveRedis); a private one's data is in DATA_DIR/redis, which the restore deletes.
  const redisUrl = config.REDIS_URL ?? (await usualRedisUrl());
  const r = await restoreBackup(resolve(archive), target, { force, queue: redisUrl ? { url: redisUrl, keyPrefix: config.REDIS_KEY_PREFIX } : undefined });
  const m = r.manifest;
  process.stdout.write(
    [
      `restored ${archive} (taken ${m.createdAt} by madoguchi ${m.app.version}, schema ${m.migrations.latest ?? 'empty'})`,
      `verified: ${r.tables} tables and ${r.rows} rows match the manifest's counts and checksums; ${r.files} stored files match their SHA-256`,
      ...r.movedAside.map((p) => `the data that was there before is kept in ${p}; delete it once you are satisfied`),
      ...r.notes,
      `${r.reopened} unfinished outbox row(s) (work owed at the time of the backup) will be handed to the job queue again when madoguchi starts`,
      'start madoguchi as usual; it applies any newer schema migrations itself',
      '',
    ].join('\n'),
  );
  for (const w of r.warnings) process.stderr.write(`madoguchi: warning: ${w}\n`);
}

const [command, ...args] = process.argv.slice(2);
let config: Config;
try {
  config = loadConfig();
} catch (e) {
  fail(e instanceof ConfigError ? e.message : String(e));
}
try {
  if (command === 'backup') {
    const outAt = args.indexOf('--out');
    if (outAt >= 0 && !args[outAt + 1]) fail(usage);
    if (args.some((a, i) => a !== '--out' && i !== outAt + 1)) fail(usage);
    await backup(config, outAt >= 0 ? args[outAt + 1] : undefined);
  } else if (command === 'restore') {
    const force = args.includes('--force');
    const rest = args.filter((a) => a !== '--force');
    if (rest.length !== 1 || rest[0]!.startsWith('-')) fail(usage);
    await restore(config, rest[0]!, force);
  } else {
    fail(usage);
  }
} catch (e) {
  if (e instanceof BackupError) fail(e.message);
  throw e;
}
