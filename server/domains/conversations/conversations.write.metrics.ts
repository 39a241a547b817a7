import { Histogram, type Registry } from 'prom-client';
import type { createMessageWriter } from './conversations.write.ts';

type Observe = NonNullable<Parameters<typeof createMessageWriter>[0]['observe']>;

/**
 * The chat's group commit at /metrics, to tell a slow message's cause apart: waiting for a
 * batch (`chat_write_seconds{stage="queued"}`, per message: two batches were already in
 * flight), or the batch's transaction (`stage="transaction"`, per batch; `"failed"` for one
 * whose sends were then tried alone), and how many messages a batch holds.
 */
export function writerMetrics(registry: Registry): Observe {
  const size = new Histogram({
    name: 'chat_write_batch_messages',
    help: 'Chat messages written together in one group-commit transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'chat_write_seconds',
    help: 'A chat message waiting for its batch (stage=queued, per message), and a batch transaction (stage=transaction or failed, per batch)',
    labelNames: ['stage'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  return ({ size: n, waitedMs, transactionMs, ok }) => {
    size.observe(n);
    for (const w of waitedMs) seconds.observe({ stage: 'queued' }, w / 1000);
    seconds.observe({ stage: ok ? 'transaction' : 'failed' }, transactionMs / 1000);
  };
}
