/**
 * The values of the group commit's two calls (chat_lock_and_read, chat_write_batch) for a
 * batch of customer messages, one to each conversation given, as
 * conversations.write.repository.ts sends them: for the benches that send those calls
 * themselves (roundtrips.ts, batch.ts).
 */
import { randomUUID } from 'node:crypto';

type Row = Record<string, unknown>;

/** `lockRead`: the first call's values; `write(read)`: the second's, from the first's rows. */
export function batchCalls(conv: Array<{ shopId: string; id: string; customerId: string }>) {
  const clientIds = conv.map(() => randomUUID());
  const lockRead = [conv.map((c) => c.shopId), conv.map((c) => c.id), clientIds];
  const write = (read: Row[]) => {
    const byId = new Map(read.filter((r) => r.part === 'conversation').map((r) => [(r.row as Row).id as string, r.row as Row]));
    const now = new Date().toISOString();
    const rows = conv.map((c, i) => ({ c, seq: Number(byId.get(c.id)!.last_seq) + 1, clientId: clientIds[i]! }));
    return [
      rows.map(() => randomUUID()), rows.map((r) => r.c.shopId), rows.map((r) => r.c.id), rows.map((r) => r.seq), rows.map((r) => r.clientId),
      rows.map(() => 'customer'), rows.map((r) => r.c.customerId), rows.map(() => '顧客'), rows.map(() => 'text'), rows.map(() => 'まだ届きません。いつ発送されますか？'),
      rows.map((r) => r.c.shopId), rows.map((r) => r.c.id), rows.map((r) => r.seq), rows.map((r) => r.seq), rows.map(() => 0), rows.map(() => 'open'),
      rows.map(() => null), rows.map(() => now), rows.map(() => now), rows.map(() => null), rows.map(() => null),
      rows.map(() => null), rows.map(() => false), now,
    ];
  };
  return { lockRead, write };
}
