/** Plain data about notice campaigns that the console imports as values (no zod, no server code). */

/**
 * draft → scheduled (published, its start ahead) → sending → sent; a sending campaign may be
 * paused and resumed; anything not yet sent may be cancelled. A banner-only campaign goes from
 * scheduled (or its publication) straight to sent: it has nobody to send to.
 */
export const campaignStatuses = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** A recipient: one customer (one address) of one campaign. `cancelled`: the campaign stopped before their mail went. */
export const recipientStatuses = ['queued', 'sent', 'failed', 'suppressed', 'cancelled'] as const;
export type RecipientStatus = (typeof recipientStatuses)[number];

export interface CampaignChannels {
  banner: boolean;
  mail: boolean;
  chat: boolean;
}

/** Which orders a campaign concerns; every condition given must hold (an empty list is no condition). */
export interface CampaignTarget {
  orderedFrom?: string;
  orderedTo?: string;
  carriers?: string[];
  prefectures?: string[];
  postcodePrefixes?: string[];
  routes?: { from: string; to: string }[];
  shipment?: 'any' | 'shipped_not_delivered' | 'not_shipped';
  orderNumbers?: string[];
}

/** Why a scheduled notice went back to draft at its start: when, and the problems at their fields, in both languages. */
export interface StartFailure {
  at: string;
  details: { path: string; message: string; ja: string }[];
}

export interface CampaignCounts {
  total: number;
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  cancelled: number;
}
