/** Plain data about store connections that the console imports as values (no zod, no server code). */

/** The shop platforms madoguchi takes orders from by itself. */
export const platforms = ['shopify', 'base'] as const;
export type Platform = (typeof platforms)[number];

/** What started a sync run: the first pull at connect, a webhook, the schedule (poll or reconcile), or a person. */
export const syncTriggers = ['backfill', 'webhook', 'poll', 'reconcile', 'manual'] as const;
export type SyncTrigger = (typeof syncTriggers)[number];

export const storeStatuses = ['ok', 'broken'] as const;
export type StoreStatus = (typeof storeStatuses)[number];

export const storeVias = ['token', 'oauth'] as const;
export type StoreVia = (typeof storeVias)[number];

/** Why a platform call failed, which decides what happens next (see stores.service.ts). */
export const storeErrorKinds = ['auth', 'rate_limited', 'unavailable', 'bad_response', 'not_found'] as const;
export type StoreErrorKind = (typeof storeErrorKinds)[number];

/** The error a connection last met, in both languages. */
export interface StoreError {
  code: string;
  message: string;
  ja: string;
  at: string;
}

/** One order of a run that was not stored, and why. */
export interface RejectedOrder {
  orderNumber: string;
  reason: string;
  ja: string;
}
