#!/usr/bin/env node
// `npm test`: runs the tiers of tiers.cjs, each as its own mocha run, and ends with the one line
// CI reads, "N passed, N failed", summed over all of them. Tiers run one after another, except
// those that share a `group`: they run at once (the first one's output shows as it comes, the
// others' once they end). Exits non-zero when a test failed or a tier did not finish (a file
// that does not load, a crash). `node test/helpers/run-all.mjs integration process` runs only
// the tiers named.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** One mocha run; `quiet` sends its output to a file, printed by the caller once it ends. */
function mocha(tier, quiet) {
  const args = [mochaBin, '--config', 'test/helpers/tier.mocharc.yml'];
  // Mocha's parallel mode with one job does not load our TypeScript files: one job is a serial run.
  if (tier.jobs > 1) args.push('--parallel', '--jobs', String(tier.jobs));
  for (const i of tier.ignore ?? []) args.push('--ignore', i);
  args.push(...tier.spec);
  const totals = join(dir, `${tier.name}.json`);
  const output = join(dir, `${tier.name}.out`);
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, MADOGUCHI_TEST_TOTALS: totals } });
    let written = Promise.resolve();
    if (quiet) {
      const file = createWriteStream(output);
      child.stdout.pipe(file, { end: false });
      child.stderr.pipe(file, { end: false });
      written = new Promise((ended) => child.once('close', () => file.end(ended)));
    }
    child.once('exit', async (code, signal) => {
      await written;
      let counts;
      try {
        counts = JSON.parse(readFileSync(totals, 'utf8'));
      } catch {
        // The reporter never reached the end of the run: count the tier as one failure.
      }
      done({ tier: tier.name, code: code ?? signal, counts, seconds: Math.round((Date.now() - t0) / 1000), output: quiet ? output : undefined });
    });
  });
}

const title = (tier) => `${tier.name} tier${tier.jobs > 1 ? ` (${tier.jobs} workers)` : ''}`;
const results = [];
for (let i = 0; i < run.length; ) {
  let j = i + 1;
  while (j < run.length && run[i].group && run[j].group === run[i].group) j++;
  const group = run.slice(i, j);
  i = j;
  const [shown, ...rest] = group;
  process.stdout.write(`\n=== ${title(shown)}${rest.length ? `, with ${rest.map(title).join(', ')} at the same time` : ''} ===\n`);
  const ended = await Promise.all(group.map((t) => mocha(t, t !== shown)));
  for (const r of ended.slice(1)) {
    process.stdout.write(`\n=== ${r.tier} tier (ran with ${shown.name}) ===\n`);
    process.stdout.write(readFileSync(r.output, 'utf8'));
  }
  results.push(...ended);
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
const failed = results.flatMap((r) => (r.counts?.failed ?? []).map((f) => `  ${r.tier}: ${f}`));
if (failed.length) process.stdout.write(`\nfailed:\n${failed.join('\n')}\n`);
const skipped = sum.pending ? `, ${sum.pending} skipped` : '';
process.stdout.write(`\n${sum.passes} passed, ${sum.failures} failed${skipped}\n`);
process.exit(sum.failures || results.some((r) => r.code !== 0) ? 1 : 0);
