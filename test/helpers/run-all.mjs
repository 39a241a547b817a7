#!/usr/bin/env node
// `npm test`: runs the tiers of tiers.cjs one after another, each as its own mocha run, and
// ends with the one line CI reads, "N passed, N failed", summed over all of them. Exits
// non-zero when a test failed or a tier did not finish (a file that does not load, a crash).
// `node test/helpers/run-all.mjs integration process` runs only the tiers named.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { tiers } = require('./tiers.cjs');
const mochaBin = require.resolve('mocha/bin/mocha.js');

const wanted = process.argv.slice(2);
for (const w of wanted) if (!tiers.some((t) => t.name === w)) {
  console.error(`no test tier named ${w}: ${tiers.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const run = wanted.length ? tiers.filter((t) => wanted.includes(t.name)) : tiers;
const dir = mkdtempSync(join(tmpdir(), 'mdg-tiers-'));

function mocha(tier) {
  const args = [mochaBin, '--config', 'test/helpers/tier.mocharc.yml'];
  // Mocha's parallel mode with one job does not load our TypeScript files: one job is a serial run.
  if (tier.jobs > 1) args.push('--parallel', '--jobs', String(tier.jobs));
  for (const i of tier.ignore ?? []) args.push('--ignore', i);
  args.push(...tier.spec);
  const totals = join(dir, `${tier.name}.json`);
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, MADOGUCHI_TEST_TOTALS: totals } });
    child.once('exit', (code, signal) => {
      let counts;
      try {
        counts = JSON.parse(readFileSync(totals, 'utf8'));
      } catch {
        // The reporter never reached the end of the run: count the tier as one failure.
      }
      done({ tier: tier.name, code: code ?? signal, counts, seconds: Math.round((Date.now() - t0) / 1000) });
    });
  });
}

const results = [];
for (const tier of run) {
  process.stdout.write(`\n=== ${tier.name} tier${tier.jobs > 1 ? ` (${tier.jobs} workers)` : ''} ===\n`);
  results.push(await mocha(tier));
}
rmSync(dir, { recursive: true, force: true });

const sum = { passes: 0, failures: 0, pending: 0 };
process.stdout.write('\n');
for (const r of results) {
  const c = r.counts ?? { passes: 0, failures: 1, pending: 0 };
  if (!r.counts) process.stdout.write(`${r.tier} tier did not finish (exit ${r.code}): counted as one failure\n`);
  else process.stdout.write(`${r.tier} tier: ${c.passes + c.failures} tests, ${c.failures} failing, ${r.seconds} s\n`);
  sum.passes += c.passes;
  sum.failures += c.failures;
  sum.pending += c.pending;
}
const skipped = sum.pending ? `, ${sum.pending} skipped` : '';
process.stdout.write(`\n${sum.passes} passed, ${sum.failures} failed${skipped}\n`);
process.exit(sum.failures || results.some((r) => r.code !== 0) ? 1 : 0);
