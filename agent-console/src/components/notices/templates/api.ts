import type { z } from 'zod';
import type { templateListView, templateView, savedVersionView, previewView } from '../../../../../server/domains/notices/notices.templates.schema.ts';
import type { noticeTypeList } from '../../../../../server/domains/notices/notices.templates.service.ts';
import type { NoticeText, NoticeType } from '../../../../../server/domains/notices/notices.types.ts';
import { request } from '../../../api.ts';

export type { NoticeText, NoticeType };
export type TemplateList = z.infer<typeof templateListView>;
export type TemplateDetail = z.infer<typeof templateView>;
export type SavedVersion = z.infer<typeof savedVersionView>;
export type Previewed = z.infer<typeof previewView>;
export type NoticeTypeInfo = ReturnType<typeof noticeTypeList>['types'][number];
export type VariableInfo = NoticeTypeInfo['variables'][number];

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
