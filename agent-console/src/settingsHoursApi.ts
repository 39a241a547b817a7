import type { z } from 'zod';
import type { businessHoursBody, businessHoursView, createPolicyBody, policyView, updatePolicyBody } from '../../server/domains/sla/sla.schema.ts';
import type { createCannedBody, updateCannedBody } from '../../server/domains/canned/canned.schema.ts';
import { request } from './api.ts';
import type { CannedReply } from './types.ts';

export type BusinessHours = z.infer<typeof businessHoursView>;
export type BusinessHoursInput = z.input<typeof businessHoursBody>;
export type SlaPolicy = z.infer<typeof policyView>;
export type SlaPolicyInput = z.input<typeof createPolicyBody>;
export type SlaPolicyPatch = z.input<typeof updatePolicyBody>;
export type CannedInput = z.input<typeof createCannedBody>;
export type CannedPatch = z.input<typeof updateCannedBody>;

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** Settings: business hours and holidays, SLA policies (owner) and canned replies. */
export const settingsHoursApi = {
  hours: (shopId: string, signal?: AbortSignal) => request<BusinessHours>(`${shop(shopId)}/business-hours`, opt(signal)),
  saveHours: (shopId: string, body: BusinessHoursInput) => request<BusinessHours>(`${shop(shopId)}/business-hours`, { method: 'PUT', body }),

  policies: (shopId: string, signal?: AbortSignal) => request<SlaPolicy[]>(`${shop(shopId)}/sla-policies`, opt(signal)),
  createPolicy: (shopId: string, body: SlaPolicyInput) => request<SlaPolicy>(`${shop(shopId)}/sla-policies`, { method: 'POST', body }),
  updatePolicy: (shopId: string, id: string, body: SlaPolicyPatch) =>
    request<SlaPolicy>(`${shop(shopId)}/sla-policies/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  deletePolicy: (shopId: string, id: string) => request<void>(`${shop(shopId)}/sla-policies/${encodeURIComponent(id)}`, { method: 'DELETE' }),

  canned: (shopId: string, signal?: AbortSignal) => request<CannedReply[]>(`${shop(shopId)}/canned-replies`, opt(signal)),
  createCanned: (shopId: string, body: CannedInput) => request<CannedReply>(`${shop(shopId)}/canned-replies`, { method: 'POST', body }),
  updateCanned: (shopId: string, id: string, body: CannedPatch) =>
    request<CannedReply>(`${shop(shopId)}/canned-replies/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  deleteCanned: (shopId: string, id: string) => request<void>(`${shop(shopId)}/canned-replies/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** The saved reply rendered as this person would send it, without a conversation (its variables render empty). */
  previewCanned: (shopId: string, id: string, locale: 'ja' | 'en', signal?: AbortSignal) =>
    request<{ body: string; locale: 'ja' | 'en' }>(`${shop(shopId)}/canned-replies/${encodeURIComponent(id)}/preview`, { method: 'POST', body: { locale }, ...opt(signal) }),
  /** An unsaved draft rendered the same way: the editor's live preview. */
  previewDraft: (shopId: string, draft: { bodyJa: string; bodyEn: string }, locale: 'ja' | 'en', signal?: AbortSignal) =>
    request<{ body: string; locale: 'ja' | 'en' }>(`${shop(shopId)}/canned-replies/preview`, { method: 'POST', body: { ...draft, locale }, ...opt(signal) }),
};
