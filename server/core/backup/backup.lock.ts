import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { BackupError } from './backup.manifest.ts';

/**
 * Takes the lock the server takes on the embedded database folder (same lock file and
 * settings as openPgliteDir in core/db/client.ts), so a backup or restore from the command
 * line never runs beside a server using the folder.
 */
export async function lockPgliteDir(dir: string, doing: 'back up' | 'restore'): Promise<() => Promise<void>> {
  const abs = resolve(dir);
  mkdirSync(resolve(abs, '..'), { recursive: true });
  try {
    return await lockfile.lock(abs, { stale: 15_000, update: 5_000, realpath: false, lockfilePath: `${abs}.lock` });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    throw new BackupError(
      doing === 'back up'
        ? `the embedded database ${dir} is in use by the running madoguchi server, and only one process may open it. The server backs itself up every night into DATA_DIR/backups; to take a backup now, press "今すぐバックアップ / Back up now" in the console's side navigation as an owner (or POST /api/shops/<shopId>/backups), or stop the server and run this again`
        : `the embedded database ${dir} is in use by the running madoguchi server; stop the server first, then run the restore again`,
    );
  }
}
