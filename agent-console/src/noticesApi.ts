import { request } from './api.ts';

/*
 * The notice pages' shapes, as CONTRACT13 fixes them. The server's schemas for them
 * (server/domains/notices/, built on the `templates` and `campaigns` branches) were not yet in
 * this tree when these pages were written; once merged, these become type imports from there.
 */

export type NoticeType = 'seasonal' | 'weather' | 'lead_time' | 'shop_delay' | 'shipment_exception' | 'returned_to_sender';
export type NoticeLang = 'ja' | 'en';
export type VariableKind = 'text' | 'date' | 'datetime' | 'number' | 'list' | 'url';
export interface Words {
  ja: string;
  en: string;
}

export interface NoticeVariable {
  name: string;
  kind: VariableKind;
  required: boolean;
  label: Words;
  /** A closed set of values (a text picks one, a list any), each shown in the reader's language. */
  choices?: { value: string; label: Words }[];
}
export interface NoticeTypeInfo {
  type: NoticeType;
  name: Words;
  variables: NoticeVariable[];
  sample: Record<string, unknown>;
}

export interface NoticeTemplate {
  id: string;
  type: NoticeType;
  name: string;
  latestVersion: { id: string; version: number; createdAt: string };
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
  chat: string;
}
export type NoticePreview = Record<NoticeLang, RenderedNotice>;

export type ShipmentTarget = 'any' | 'shipped_not_delivered' | 'not_shipped';
export interface Target {
  orderedFrom?: string;
  orderedTo?: string;
  carriers?: string[];
  prefectures?: string[];
  postcodePrefixes?: string[];
  routes?: { from: string; to: string }[];
  shipment?: ShipmentTarget;
  orderNumbers?: string[];
}

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled';
export interface Channels {
  banner: boolean;
  mail: boolean;
  chat: boolean;
}
export interface Counts {
  total: number;
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Not sent because the campaign was cancelled first. */
  cancelled: number;
}
export interface Campaign {
  id: string;
  shopId: string;
  name: string;
  type: NoticeType;
  templateVersionId: string | null;
  variables: Record<string, unknown>;
  startsAt: string;
  endsAt: string | null;
  channels: Channels;
  target: Target;
  status: CampaignStatus;
  counts: Counts;
  /** The optimistic lock: every write sends the version it read. */
  version: number;
  publishedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
/** What a draft is made of: everything a person edits. */
export type CampaignDraft = Pick<Campaign, 'name' | 'type' | 'templateVersionId' | 'variables' | 'startsAt' | 'endsAt' | 'channels' | 'target'>;

export interface Audience {
  orders: number;
  customers: number;
  byPrefecture: { prefecture: string | null; orders: number }[];
  byCarrier: { carrier: string | null; orders: number }[];
  /** Contact fields masked for contractors. */
  sample: { orderNumber: string; orderedAt: string; customerName: string; email: string; prefecture: string | null; carrier: string | null }[];
  /** Pasted or uploaded numbers the shop has no order for, by their line. */
  unknownOrderNumbers: { line: number; value: string }[];
}

export type RecipientStatus = 'queued' | 'sent' | 'failed' | 'suppressed' | 'cancelled';
export interface Recipient {
  id: string;
  email: string;
  customerName: string;
  orderNumbers: string[];
  status: RecipientStatus;
  reason: string | null;
  sentAt: string | null;
}

export type Season = 'ochugen' | 'oseibo' | 'nenmatsu';
export interface SeasonOffer {
  season: Season;
  name: Words;
  from: string;
  to: string;
  draft: Partial<CampaignDraft>;
}

/** The steps after publishing, each `{ version }` → the campaign as it now is. */
export type CampaignAction = 'publish' | 'pause' | 'resume' | 'cancel' | 'retry-failed';

/** What the server pushes while a campaign sends (throttled to a few a second). */
export interface NoticeProgress {
  campaignId: string;
  status: CampaignStatus;
  counts: Counts;
}

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const campaign = (shopId: string, id: string) => `${shop(shopId)}/notice-campaigns/${encodeURIComponent(id)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** The notice pages' REST calls. */
export const noticesApi = {
  types: (signal?: AbortSignal) => request<{ types: NoticeTypeInfo[] }>('/api/notice-types', opt(signal)),
  templates: (shopId: string, signal?: AbortSignal) => request<{ templates: NoticeTemplate[] }>(`${shop(shopId)}/notice-templates`, opt(signal)),
  /** Both languages at once; 400 with details per field (`variables.<name>`, `wording.…`). */
  preview: (shopId: string, body: { type: NoticeType; templateVersionId: string | null; variables: Record<string, unknown>; orderNumber?: string }, signal?: AbortSignal) =>
    request<NoticePreview>(`${shop(shopId)}/notice-preview`, { method: 'POST', body, ...opt(signal) }),
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
  seasons: (shopId: string, signal?: AbortSignal) => request<{ seasons: SeasonOffer[] }>(`${shop(shopId)}/notice-seasons`, opt(signal)),
};
