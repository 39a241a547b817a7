import { Histogram, type Registry } from 'prom-client';
import type { WriterBatch } from './conversations.writer.ts';

const SECONDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/**
 * The chat's group commit at /metrics (the API process's writer), to tell a slow message's
 * cause apart:
 * - `chat_write_queued_seconds`, per message: waiting for a batch while one was in flight, or
 *   under load for the gathering window (up to GATHER_MS, CHAT_GATHER_MS, in
 *   conversations.writer.ts); beside a batch that takes long, up to the writer's patience
 *   (PATIENCE_MS), or all of it for a message of one of that batch's conversations: values
 *   near the patience and over point at a stuck batch;
 * - `chat_write_written_seconds`, per message: from its send to its answer, everything the
 *   writer did for it;
 * - `chat_write_transaction_seconds{outcome}`, per transaction: `committed`, or `failed` (a lost
 *   connection, or one send's refused file, after which each send is tried alone, each try
 *   counted too);
 * - `chat_write_batch_messages`: messages per batch.
 * Numbers only: nothing of a message reaches these.
 */
export function writerMetrics(registry: Registry): (batch: WriterBatch) => void {
  const size = new Histogram({ name: 'chat_write_batch_messages', help: 'Chat messages written together in one group-commit batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
  const queued = new Histogram({ name: 'chat_write_queued_seconds', help: 'A chat message waiting for its group-commit batch to start', buckets: SECONDS, registers: [registry] });
  const written = new Histogram({ name: 'chat_write_written_seconds', help: 'A chat message from its send to its answer in the group commit, retries included', buckets: SECONDS, registers: [registry] });
  const transaction = new Histogram({ name: 'chat_write_transaction_seconds', help: 'A group-commit transaction, committed or failed as a whole', labelNames: ['outcome'] as const, buckets: SECONDS, registers: [registry] });
  const committed = transaction.labels('committed');
  const failed = transaction.labels('failed');
  return (b) => {
    size.observe(b.size);
    for (const ms of b.waitedMs) queued.observe(ms / 1000);
    for (const ms of b.writtenMs) written.observe(ms / 1000);
    for (const t of b.transactions) (t.ok ? committed : failed).observe(t.ms / 1000);
  };
}
