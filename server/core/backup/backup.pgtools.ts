import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BackupError } from './backup.manifest.ts';

/**
 * pg_dump must be at least as new as the server it dumps, so Debian's versioned folders are
 * searched newest first, then PATH (where Debian's wrapper also picks the newest).
 */
export function findPgTool(tool: 'pg_dump' | 'pg_restore', env: NodeJS.ProcessEnv = process.env): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [...versions.map((v) => join(root, v, 'bin', tool)), ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, tool))];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new BackupError(
      `${tool} was not found (looked in /usr/lib/postgresql/*/bin and PATH); install the PostgreSQL client tools, on Debian or Ubuntu: sudo apt-get install postgresql-client (its major version at least the server's)`,
    );
  }
  return found;
}

/**
 * The connection for a libpq tool: the URL without its password, which goes in PGPASSWORD so
 * it does not show in the process list.
 */
export function libpqTarget(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/** Runs a PostgreSQL client tool; a non-zero exit is a BackupError quoting its last lines of stderr. */
export function runPgTool(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(path, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.once('error', (e) => fail(new BackupError(`could not run ${path}: ${e.message}`)));
    child.once('close', (code) => {
      if (code === 0) return done();
      const tail = stderr.trim().split('\n').slice(-5).join(' | ');
      fail(new BackupError(`${path.split('/').pop()} failed (exit ${code}): ${tail || 'no message'}`));
    });
  });
}
