/**
 * Cleanups registered by helpers and run by the root hook. Kept on globalThis because mocha
 * may load the root-hook file as a separate module instance from the tests' imports.
 */
type Cleanup = () => Promise<void>;
const KEY = Symbol.for('madoguchi.test.cleanups');
const store = globalThis as unknown as Record<symbol, Map<string, Cleanup> | undefined>;

export function onRunEnd(name: string, fn: Cleanup): void {
  (store[KEY] ??= new Map()).set(name, fn);
}

export async function runCleanups(): Promise<void> {
  const all = store[KEY];
  if (!all) return;
  for (const [name, fn] of all) {
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`test cleanup "${name}" failed: ${(e as Error).message}\n`);
    }
  }
  all.clear();
}
