import { z } from 'zod';
import { platforms, storeStatuses } from '../stores/stores.model.ts';

/** The first-run checklist: each step done or not from the shop's real state. */
export const setupStepIds = ['widget', 'hours', 'terms', 'people', 'platform', 'notices', 'slack'] as const;
export type SetupStepId = (typeof setupStepIds)[number];

const sighting = z.object({ origin: z.string(), allowed: z.boolean(), lastSeenAt: z.string() });

export const setupView = z.object({
  steps: z.array(
    z.object({
      id: z.enum(setupStepIds),
      /** false for capabilities still to come: shown, not counted. */
      available: z.boolean(),
      done: z.boolean(),
    }),
  ),
  /** Required steps done, of how many. */
  progress: z.object({ done: z.number().int(), of: z.number().int() }),
  widget: z.object({
    allowedOrigins: z.array(z.string()),
    /** Where the widget loaded lately (newest first), allowed or not. */
    seen: z.array(sighting),
    anyChat: z.boolean(),
  }),
  hoursSetAt: z.string().nullable(),
  terms: z.object({ version: z.number().int(), publishedAt: z.string() }).nullable(),
  people: z.object({ otherMembers: z.number().int(), openInvitations: z.number().int() }),
  platform: z.object({
    liveApiKeys: z.number().int(),
    /** When a live key last called the API (the sample's dry run counts): the key works. */
    keyLastUsedAt: z.string().nullable(),
    newestOrder: z.object({ orderedAt: z.string(), source: z.string() }).nullable(),
    /** Connected stores (Shopify, BASE): orders arrive from them by themselves. */
    stores: z.array(z.object({ platform: z.enum(platforms), status: z.enum(storeStatuses) })),
  }),
});
export type SetupView = z.infer<typeof setupView>;
