import { runCleanups } from './cleanup.ts';

/** Removes what the run made: its PostgreSQL database, its PGlite template, its Redis keys. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await runCleanups();
  },
};
