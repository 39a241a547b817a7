import type { z } from 'zod';
import type { audienceView, campaignActions, campaignView, recipientView } from '../../server/domains/notices/notices.campaigns.schema.ts';
import type { CampaignCounts, CampaignStatus, CampaignTarget, RecipientStatus } from '../../server/domains/notices/notices.campaigns.model.ts';
import type { seasonsView } from '../../server/domains/notices/notices.campaigns.seasons.ts';
import type { NoticeProgress } from '../../server/domains/notices/notices.send.progress.ts';
import type { NoticeType } from '../../server/domains/notices/notices.types.ts';
import { request } from './api.ts';
import type { NoticeTypeInfo, Previewed } from './components/notices/templates/api.ts';

/* The notice pages' shapes, from the server's own schemas (type-only imports: nothing of the server ends up in the bundle). */

export type { CampaignStatus, NoticeProgress, NoticeType, RecipientStatus };
/* The types, the shop's copies and the preview's answer are the template pages' (components/notices/templates/api.ts). */
export type { NoticeTypeInfo };
export type Target = CampaignTarget;
export type ShipmentTarget = NonNullable<Target['shipment']>;
export type Counts = CampaignCounts;
/** A campaign as the API answers it; its target read as the schema wrote it. */
export type Campaign = Omit<z.infer<typeof campaignView>, 'target'> & { target: Target };
export type Channels = Campaign['channels'];
/** What a draft is made of: everything a person edits. */
export type CampaignDraft = Pick<Campaign, 'name' | 'type' | 'templateVersionId' | 'variables' | 'startsAt' | 'endsAt' | 'channels' | 'target'>;
export type Audience = z.infer<typeof audienceView>;
export type Recipient = z.infer<typeof recipientView>;
export type SeasonOffer = z.infer<typeof seasonsView>['seasons'][number];
/** The steps after publishing, each `{ version }` → the campaign as it now is. */
export type CampaignAction = (typeof campaignActions)[number];

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const campaign = (shopId: string, id: string) => `${shop(shopId)}/notice-campaigns/${encodeURIComponent(id)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** The campaign pages' REST calls. */
export const noticesApi = {
  /** A campaign's wording (a saved version, or the built-in) in both languages; 400 with details per field (`variables.<name>`, `orderNumber`). */
  preview: (shopId: string, body: { type: NoticeType; templateVersionId: string | null; variables: Record<string, unknown>; orderNumber?: string }, signal?: AbortSignal) =>
    request<Previewed>(`${shop(shopId)}/notice-preview`, { method: 'POST', body, ...opt(signal) }),
  audience: (shopId: string, target: Target, signal?: AbortSignal) => request<Audience>(`${shop(shopId)}/notice-audience`, { method: 'POST', body: { target }, ...opt(signal) }),
  list: (shopId: string, signal?: AbortSignal) => request<{ campaigns: Campaign[] }>(`${shop(shopId)}/notice-campaigns`, opt(signal)),
  get: (shopId: string, id: string, signal?: AbortSignal) => request<Campaign>(campaign(shopId, id), opt(signal)),
  create: (shopId: string, body: Partial<CampaignDraft>) => request<Campaign>(`${shop(shopId)}/notice-campaigns`, { method: 'POST', body }),
  /** 409 when the version is stale or the campaign is sending, sent or cancelled. */
  save: (shopId: string, id: string, version: number, patch: Partial<CampaignDraft>) =>
    request<Campaign>(campaign(shopId, id), { method: 'PATCH', body: { version, ...patch } }),
  act: (shopId: string, id: string, action: CampaignAction, version: number) => request<Campaign>(`${campaign(shopId, id)}/${action}`, { method: 'POST', body: { version } }),
  /** A page of recipients (contact fields masked for contractors); `next` is the cursor for the one after. */
  recipients: (shopId: string, id: string, status: RecipientStatus, after: string | null, signal?: AbortSignal) => {
    const params = new URLSearchParams({ status });
    if (after) params.set('after', after);
    return request<{ recipients: Recipient[]; next: string | null }>(`${campaign(shopId, id)}/recipients?${params}`, opt(signal));
  },
  /** The numbers read from a file (text/csv, first cell of each row, UTF-8 or Shift_JIS: the server reads it), with who they reach. */
  uploadOrderNumbers: (shopId: string, file: Blob) =>
    request<Audience & { orderNumbers: string[] }>(`${shop(shopId)}/notice-audience/upload`, { method: 'POST', body: new Blob([file], { type: 'text/csv' }) }),
  seasons: (shopId: string, signal?: AbortSignal) => request<{ seasons: SeasonOffer[] }>(`${shop(shopId)}/notice-seasons`, opt(signal)),
};
