import { request } from './api.ts';
import type { BulkBody, BulkResult } from '../../server/domains/conversations/conversations.bulk.ts';
import type { RelatedDto } from '../../server/domains/conversations/conversations.related.ts';
import type { MentionDto } from '../../server/domains/conversations/conversations.dto.ts';

export type { BulkResult, MentionDto, RelatedDto };
export type BulkAction = BulkBody['action'];

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** Working the queue: mentions, bulk actions, the customer's other records. */
export const queueApi = {
  mentions: (shopId: string, unread: boolean, signal?: AbortSignal) => request<MentionDto[]>(`${shop(shopId)}/mentions?unread=${unread}`, opt(signal)),
  markMentionRead: (shopId: string, id: string) => request<void>(`${shop(shopId)}/mentions/${encodeURIComponent(id)}/read`, { method: 'POST' }),
  bulk: (shopId: string, ids: string[], action: BulkAction) => request<{ results: BulkResult[] }>(`${shop(shopId)}/conversations/bulk`, { method: 'POST', body: { ids, action } }),
  related: (shopId: string, conversationId: string, signal?: AbortSignal) =>
    request<RelatedDto>(`${shop(shopId)}/conversations/${encodeURIComponent(conversationId)}/related`, opt(signal)),
};
