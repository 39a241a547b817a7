import type { z } from 'zod';
import type { templateListView, templateView, savedVersionView, previewView } from '../../../../../server/domains/notices/notices.templates.schema.ts';
import type { NoticeText, NoticeType, VariableKind } from '../../../../../server/domains/notices/notices.types.ts';
import { request } from '../../../api.ts';

export type { NoticeText, NoticeType, VariableKind };
export type TemplateList = z.infer<typeof templateListView>;
export type TemplateDetail = z.infer<typeof templateView>;
export type SavedVersion = z.infer<typeof savedVersionView>;
export type Previewed = z.infer<typeof previewView>;
type Bilingual = { ja: string; en: string };

export interface VariableInfo {
  name: string;
  kind: VariableKind;
  required: boolean;
  label: Bilingual;
  choices?: { value: string; label: Bilingual }[];
  lines?: boolean;
}
export interface NoticeTypeInfo {
  type: NoticeType;
  name: Bilingual;
  variables: VariableInfo[];
  sample: Record<string, unknown>;
  wording: NoticeText;
}

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

export interface PreviewBody {
  type: NoticeType;
  wording: NoticeText;
  variables: Record<string, unknown>;
  orderNumber?: string;
  asOf?: string;
}

/** The notice templates API (server/domains/notices/notices.templates.routes.ts). */
export const noticeTemplatesApi = {
  types: (signal?: AbortSignal) => request<{ types: NoticeTypeInfo[]; sampleAsOf: string }>('/api/notice-types', opt(signal)),
  list: (shopId: string, signal?: AbortSignal) => request<TemplateList>(`${shop(shopId)}/notice-templates`, opt(signal)),
  get: (shopId: string, id: string, signal?: AbortSignal) => request<TemplateDetail>(`${shop(shopId)}/notice-templates/${encodeURIComponent(id)}`, opt(signal)),
  create: (shopId: string, body: { type: NoticeType; name: string; copyOf?: string }) => request<TemplateDetail>(`${shop(shopId)}/notice-templates`, { method: 'POST', body }),
  saveVersion: (shopId: string, id: string, body: { wording: NoticeText; baseVersion: number }) =>
    request<SavedVersion>(`${shop(shopId)}/notice-templates/${encodeURIComponent(id)}/versions`, { method: 'POST', body }),
  preview: (shopId: string, body: PreviewBody, signal?: AbortSignal) => request<Previewed>(`${shop(shopId)}/notice-preview`, { method: 'POST', body, ...opt(signal) }),
};
