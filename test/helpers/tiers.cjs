// The suite's tiers, in the order `npm test` runs them (test/helpers/run-all.mjs); each is one
// mocha run, and `npm run test:<name>` runs one alone.
//
// The process tier holds the integration files that must not run in the parallel workers: they
// spawn server processes (several at once on two cores starve one another's start-up), stop and
// restart their own redis-server or cut connections through a proxy on a port chosen with
// freePort(), or watch behaviour over seconds (a crash about a second after Redis went, a timer
// that fires at its time). They run one after another, beside the browser tier (see below).
// Every other file under test/integration runs in parallel workers: a new file there is picked
// up by the glob, and joins this list only if it is of that kind.
const processSpecs = [
  'test/integration/startup/main.test.ts',
  'test/integration/jobs/worker.process.test.ts',
  'test/integration/jobs/outbox.rearm.test.ts',
  'test/integration/jobs/jobs.database-outage.test.ts',
  'test/integration/resilience/**/*.test.ts',
  'test/integration/conversations/widget.identity.redis.test.ts',
  'test/integration/conversations/delivery.test.ts',
  'test/integration/notices/notices.kill.test.ts',
];

/** Workers for the parallel tier (TEST_JOBS overrides): see the README's testing section. */
const jobs = Number(process.env.TEST_JOBS) || 3;

const tiers = [
  { name: 'unit', spec: ['test/unit/**/*.test.ts'] },
  { name: 'integration', spec: ['test/integration/**/*.test.ts'], ignore: processSpecs, jobs },
  // The process-spawning tests and the browser tests both spend most of their time waiting (for
  // a process to start, a retry, a page to settle), each about a core's worth at most: they run
  // at the same time. Neither shares anything with the other (own databases, key prefixes,
  // servers on port 0, and freePort() chooses below the range port 0 is given from).
  { name: 'process', spec: processSpecs, group: 'waiting' },
  { name: 'e2e', spec: ['test/e2e/**/*.test.ts'], group: 'waiting' },
];

module.exports = { tiers, processSpecs };
