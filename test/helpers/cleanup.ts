/**
 * Cleanups registered by helpers and run by the root hook. Kept on globalThis because mocha
 * may load the root-hook file as a separate module instance from the tests' imports.
 *
 * A cleanup is for the file that made the thing (a socket, a server, a private redis-server)
 * unless it is registered for the process: the run's database, its PGlite template and its
 * Redis connection. In a serial run both kinds run once, at the end; in a worker of a parallel
 * run the root hook runs after every file, so only the file's own cleanups run there, the
 * worker keeps its process-wide things for its next file, and the sweep at the end of the run
 * (root-hooks.ts) removes what they left on the servers.
 */
type Cleanup = () => Promise<void>;
export type CleanupScope = 'file' | 'process';
const KEY = Symbol.for('madoguchi.test.cleanups');
const store = globalThis as unknown as Record<symbol, Map<string, { fn: Cleanup; scope: CleanupScope }> | undefined>;

export function onRunEnd(name: string, fn: Cleanup, scope: CleanupScope = 'file'): void {
  (store[KEY] ??= new Map()).set(name, { fn, scope });
}

/** Runs the file's cleanups, and the process-wide ones too unless `fileOnly`. */
export async function runCleanups(opts: { fileOnly?: boolean } = {}): Promise<void> {
  const all = store[KEY];
  if (!all) return;
  for (const [name, { fn, scope }] of [...all]) {
    if (opts.fileOnly && scope === 'process') continue;
    all.delete(name);
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`test cleanup "${name}" failed: ${(e as Error).message}\n`);
    }
  }
}

/**
 * One value per process under `key`, whichever module instance asks: a parallel worker may
 * load a helper twice (the root-hook file through require, the tests through import), and two
 * copies of the run's database or SMTP sink would collide or be left open.
 */
export function perProcess<T extends object>(key: string, make: () => T): T {
  const all = ((globalThis as unknown as Record<symbol, Map<string, object> | undefined>)[Symbol.for('madoguchi.test.perProcess')] ??= new Map());
  if (!all.has(key)) all.set(key, make());
  return all.get(key) as T;
}
