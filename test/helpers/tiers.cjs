// The suite's tiers, in the order `npm test` runs them (test/helpers/run-all.mjs); each is one
// mocha run, and `npm run test:<name>` runs one alone.
//
// The process tier holds the integration files that must not share the machine with other
// tests at once: they spawn server processes, stop and restart their own redis-server or cut
// connections through a proxy on a port chosen with freePort() (which another worker could take
// meanwhile), or assert on timing (a crash about a second after Redis went, a timer that fires
// at its time). Every other file under test/integration runs in parallel workers: a new file
// there is picked up by the glob, and joins this list only if it is of that kind.
const processSpecs = [
  'test/integration/startup/main.test.ts',
  'test/integration/jobs/worker.process.test.ts',
  'test/integration/jobs/outbox.rearm.test.ts',
  'test/integration/jobs/jobs.database-outage.test.ts',
  'test/integration/resilience/**/*.test.ts',
  'test/integration/conversations/widget.identity.redis.test.ts',
  'test/integration/conversations/delivery.test.ts',
];

/** Workers for the parallel tier (TEST_JOBS overrides): see the README's testing section. */
const jobs = Number(process.env.TEST_JOBS) || 3;

const tiers = [
  { name: 'unit', spec: ['test/unit/**/*.test.ts'] },
  { name: 'integration', spec: ['test/integration/**/*.test.ts'], ignore: processSpecs, jobs },
  { name: 'process', spec: processSpecs },
  { name: 'e2e', spec: ['test/e2e/**/*.test.ts'] },
];

module.exports = { tiers, processSpecs };
