import type { StoreAdapter, StoreApiError, StoreOrder } from '../../../server/domains/stores/stores.port.ts';
import { anOrder } from '../../fixtures/builders.ts';

/**
 * A platform for the stores core's own tests: a list of orders served page by page through the
 * port (the adapters of Shopify and BASE have their own tests against their APIs' stand-ins).
 */
export interface ListPlatform {
  pages: StoreOrder[][];
  failWith?: StoreApiError | Error;
  /** Called during the run, before the pages are served. */
  during?: () => Promise<void>;
  /** The cursor a good run leaves (a fixed one by default). */
  state?: Record<string, unknown>;
  /** The webhooks worked, when a test counts them. */
  hooks?: { topic: string; payload: unknown }[];
}

export function listAdapter(p: ListPlatform): StoreAdapter {
  return {
    platform: 'shopify',
    async sync(ctx) {
      await p.during?.();
      for (const page of p.pages) await ctx.save(page);
      if (p.failWith) throw p.failWith;
      ctx.setState(p.state ?? { since: '2026-11-30T00:00:00Z' });
    },
    nextSyncAfterMs: () => 3_600_000,
    async handleWebhook(ctx, hook) {
      p.hooks?.push(hook);
      if (p.failWith) throw p.failWith;
      await ctx.save([hook.payload as StoreOrder].map((o) => ({ ...o, updatedAt: new Date(o.updatedAt) })));
    },
  };
}

/** One order as a platform sends it, at its updated time. */
export const snapshot = (orderNumber: string, updatedAt: string, over: Parameters<typeof anOrder>[0] = {}): StoreOrder => ({
  orderNumber,
  externalId: `gid-${orderNumber}`,
  updatedAt: new Date(updatedAt),
  input: anOrder(over),
});
