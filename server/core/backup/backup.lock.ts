import { DatabaseLockedError, lockPgliteFolder } from '../db/client.ts';
import { BackupError } from './backup.manifest.ts';

/**
 * Takes the server's own lock on the embedded database folder (lockPgliteFolder), so a backup
 * or restore from the command line never runs beside a server using the folder, and says
 * what to do instead.
 */
export async function lockPgliteDir(dir: string, doing: 'back up' | 'restore'): Promise<() => Promise<void>> {
  try {
    return await lockPgliteFolder(dir);
  } catch (e) {
    if (!(e instanceof DatabaseLockedError)) throw e;
    throw new BackupError(
      doing === 'back up'
        ? `the embedded database ${dir} is in use by the running madoguchi server, and only one process may open it. The server backs itself up every night into DATA_DIR/backups; to take a backup now, press "今すぐバックアップ / Back up now" in the console's side navigation as the owner of every shop (or POST /api/shops/<shopId>/backups), or stop the server and run this again`
        : `the embedded database ${dir} is in use by the running madoguchi server; stop the server first, then run the restore again`,
    );
  }
}
