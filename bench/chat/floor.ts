/**
 * The floor under a persisted message's latency on this machine: the smallest durable
 * transaction PostgreSQL can acknowledge (one row inserted into a logged table, committed with
 * the server's own synchronous_commit, so its WAL is flushed to disk), sent at a fixed rate on
 * one connection of its own, with nothing else of the bench running. The chat's writer
 * acknowledges a message only after its batch's COMMIT, so no persisted message can come back
 * sooner than this; a target tighter than it cannot be met on this disk, whatever the server
 * does. Each commit's time is taken from when it was sent to when it came back (so a timer
 * that fires late adds nothing), one at a time, at the rate's pace; a CHECKPOINT first where
 * the role may, so the persisted run's WAL is not written out during the probe.
 */
import pg from 'pg';

export interface CommitFloor {
  rate: number;
  /** Milliseconds from when each commit was sent to when it came back, sorted. */
  latency: Float64Array;
  synchronousCommit: string;
  /** Whether the CHECKPOINT before it could be taken (it needs a superuser or pg_checkpoint). */
  checkpointed: boolean;
}

export async function commitFloor(url: string, rate: number, seconds: number): Promise<CommitFloor> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-commit-floor' });
  // A database dropped under it (the bench interrupted) ends its connection between two commits.
  client.on('error', () => undefined);
  await client.connect();
  const table = `bench_commit_floor_${process.pid}`;
  try {
    const synchronousCommit = String((await client.query('show synchronous_commit')).rows[0]?.synchronous_commit);
    await client.query(`create table ${table} (n int not null)`);
    // CHECKPOINT needs a superuser or pg_checkpoint: without, the probe runs all the same.
    const checkpointed = await client.query('checkpoint').then(() => true, () => false);
    // Warm-up: the connection, the table's first pages.
    for (let i = 0; i < 200; i++) await client.query(`insert into ${table} values ($1)`, [i]);
    const total = Math.round(rate * seconds);
    const out = new Float64Array(total);
    const t0 = performance.now();
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.now();
      await client.query(`insert into ${table} values ($1)`, [k]);
      out[k] = performance.now() - sent;
    }
    return { rate, latency: out.sort(), synchronousCommit, checkpointed };
  } finally {
    await client.query(`drop table if exists ${table}`).catch(() => undefined);
    await client.end();
  }
}
