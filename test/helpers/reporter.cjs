// Mocha's spec reporter, plus the closing line CI reads: "N passed, N failed".
// Under test/helpers/run-all.mjs (npm test), which runs several tiers and prints that line once
// for all of them, it writes the tier's counts to the file MADOGUCHI_TEST_TOTALS names instead.
// TEST_TIMINGS=<file> also appends each test file's wall time (its hooks included) as JSON
// lines, to find where the suite's time goes (serial runs: a parallel run replays a file's events at its end).
// Each failure's file, title and first line of its error also go to the totals file, so that the
// end of `npm test` (all CI keeps of a long run) names what failed.
const fs = require('node:fs');
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SpecWithTotals extends Spec {
  constructor(runner, options) {
    super(runner, options);
    if (process.env.TEST_TIMINGS) recordTimings(runner, process.env.TEST_TIMINGS);
    const failed = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const first = String(err?.message ?? err).split('\n')[0].slice(0, 300);
      failed.push(`${test.file ? require('node:path').relative(process.cwd(), test.file) : '?'}: ${test.fullTitle()}: ${first}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      if (process.env.MADOGUCHI_TEST_TOTALS) {
        fs.writeFileSync(process.env.MADOGUCHI_TEST_TOTALS, JSON.stringify({ passes: s.passes, failures: s.failures, pending: s.pending, failed }));
        return;
      }
      const skipped = s.pending ? `, ${s.pending} skipped` : '';
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${skipped}\n`);
    });
  }
}

/** Each file's time from its first suite's start to its last top-level suite's end. */
function recordTimings(runner, path) {
  const started = new Map();
  runner.on(EVENT_SUITE_BEGIN, (s) => {
    if (s.file && !started.has(s.file)) started.set(s.file, Date.now());
  });
  runner.on(EVENT_SUITE_END, (s) => {
    if (!s.file || !started.has(s.file) || (s.parent && !s.parent.root)) return;
    fs.appendFileSync(path, JSON.stringify({ file: s.file, suite: s.title, ms: Date.now() - started.get(s.file) }) + '\n');
  });
}
module.exports = SpecWithTotals;
