import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { JobProcessor } from '../../core/queue.ts';
import { syncTriggers } from './stores.model.ts';
import { pruneStoreHistory, queueDueSyncs, runSync, runWebhook, STORE_DUE_TOPIC, STORE_PRUNE_TOPIC, STORE_SYNC_TOPIC, STORE_WEBHOOK_TOPIC, type StoreDeps } from './stores.service.ts';

const syncPayload = z.object({ connectionId: z.uuid(), trigger: z.enum(syncTriggers) });
const webhookPayload = z.object({ webhookId: z.number().int().positive() });

/** A payload this version cannot read fails for good (a DomainError), not five times. */
function payloadOf<T extends z.ZodType>(schema: T, data: unknown, topic: string): z.output<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new DomainError('invalid_input', `${topic}: unreadable payload (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** Every way store work runs: a sync run, a stored webhook, the schedule's minute, the daily prune. */
export function registerStoreJobs(register: (topic: string, processor: JobProcessor) => void, deps: StoreDeps): void {
  register(STORE_SYNC_TOPIC, async (data) => {
    const p = payloadOf(syncPayload, data, STORE_SYNC_TOPIC);
    return runSync(deps, p.connectionId, p.trigger);
  });
  register(STORE_WEBHOOK_TOPIC, async (data) => {
    await runWebhook(deps, payloadOf(webhookPayload, data, STORE_WEBHOOK_TOPIC).webhookId);
    return { done: true };
  });
  register(STORE_DUE_TOPIC, async () => {
    const queued = await queueDueSyncs(deps.db);
    if (queued) deps.poke?.();
    return { queued };
  });
  register(STORE_PRUNE_TOPIC, () => pruneStoreHistory(deps.db));
}

/** The schedulers the job processes keep (see server/worker.ts's schedule). */
export const storeSchedules = [
  { id: 'stores-due-minutely', every: 60_000, name: STORE_DUE_TOPIC },
  { id: 'stores-prune-daily', every: 86_400_000, name: STORE_PRUNE_TOPIC },
] as const;
