import { runCleanups } from './cleanup.ts';
import { dropRunDatabases, ensurePgliteTemplate } from './db.ts';
import { inWorker, runBase } from './env.ts';
import { deleteRunKeys } from './redis.ts';

/**
 * Removes what the run made: its PostgreSQL database, its PGlite template, its Redis keys.
 * In a worker of a parallel run this hook runs after each file, so it ends only the file's
 * own things there (see cleanup.ts); the global teardown sweeps the rest.

 */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await runCleanups({ fileOnly: inWorker });
  },
};

/** Runs once in the main process, before any test or worker: see ensurePgliteTemplate. */
export async function mochaGlobalSetup(): Promise<void> {
  await ensurePgliteTemplate();
}

/**
 * Runs once in the main process, after every worker: drops the databases and Redis keys the
 * workers made under the run's id. Nothing to find after a serial run, which cleaned up above;
 * a tier that never needed PostgreSQL or Redis (the unit tests) is not held up by their absence.
 */
export async function mochaGlobalTeardown(): Promise<void> {
  const swept = await Promise.allSettled([dropRunDatabases(runBase), deleteRunKeys(runBase)]);
  for (const s of swept) {
    const e = s.status === 'rejected' ? (s.reason as NodeJS.ErrnoException) : undefined;
    if (e && e.code !== 'ECONNREFUSED') process.stderr.write(`test sweep failed: ${e.message}\n`);
  }
}
