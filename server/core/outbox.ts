import type { Db } from './db/client.ts';
import { outbox } from './outbox.tables.ts';

export interface OutboxItem {
  shopId?: string | null;
  /** What the worker does with it, e.g. `mail.invitation`, `sla.check`. */
  topic: string;
  payload: Record<string, unknown>;
  /** Run no earlier than this (a timer); omitted means as soon as dispatched. */
  runAt?: Date;
  /** Dispatching twice still adds one job: the dedupe key becomes the BullMQ job id. */
  dedupeKey?: string;
}

/**
 * Records work to do after the surrounding transaction commits. Call it with the
 * transaction of the change that causes the work, never with a bare connection.
 */
export async function enqueue(tx: Db, items: OutboxItem | OutboxItem[]): Promise<void> {
  const rows = (Array.isArray(items) ? items : [items]).map((i) => ({
    shopId: i.shopId ?? null,
    topic: i.topic,
    payload: i.payload,
    runAt: i.runAt ?? null,
    dedupeKey: i.dedupeKey ?? null,
  }));
  if (rows.length) await tx.insert(outbox).values(rows);
}
