import { request } from './api.ts';
import type { AgentView, AttachmentDto, CannedReply, ConversationDto, ConversationPatch, InboxFilter, InboxPage, MaskableField, MyQueuePage, OrderView } from './types.ts';

export type { ConversationPatch };

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const conv = (shopId: string, id: string) => `${shop(shopId)}/conversations/${encodeURIComponent(id)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

function query(filter: InboxFilter, before?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
  if (before) q.set('before', before);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The chat's REST calls; live changes come over the socket (socket.ts). */
export const chatApi = {
  inbox: (shopId: string, filter: InboxFilter, before?: string, signal?: AbortSignal) =>
    request<InboxPage>(`${shop(shopId)}/conversations${query(filter, before)}`, opt(signal)),
  /** The person's queue over all their shops, with the same filters and cursor. */
  myInbox: (filter: InboxFilter, before?: string, signal?: AbortSignal) =>
    request<MyQueuePage>(`/api/me/conversations${query(filter, before)}`, opt(signal)),
  conversation: (shopId: string, id: string, signal?: AbortSignal) => request<ConversationDto>(conv(shopId, id), opt(signal)),
  update: (shopId: string, id: string, patch: ConversationPatch) => request<ConversationDto>(conv(shopId, id), { method: 'PATCH', body: patch }),
  /** Moves `sourceId`'s messages into `targetId` and closes the source. */
  merge: (shopId: string, targetId: string, sourceId: string) =>
    request<ConversationDto>(`${conv(shopId, targetId)}/merge`, { method: 'POST', body: { sourceId } }),
  agents: (shopId: string, signal?: AbortSignal) => request<AgentView[]>(`${shop(shopId)}/agents`, opt(signal)),
  canned: (shopId: string, signal?: AbortSignal) => request<CannedReply[]>(`${shop(shopId)}/canned-replies`, opt(signal)),
  /** The reply as the server renders it for this conversation (variables filled, masked for contractors). */
  cannedPreview: (shopId: string, id: string, conversationId: string) =>
    request<{ body: string; locale: 'ja' | 'en' }>(`${shop(shopId)}/canned-replies/${encodeURIComponent(id)}/preview`, { method: 'POST', body: { conversationId } }),
  order: (shopId: string, orderNumber: string, signal?: AbortSignal) =>
    request<OrderView>(`${shop(shopId)}/orders/${encodeURIComponent(orderNumber)}`, opt(signal)),
  reveal: (shopId: string, orderNumber: string, field: MaskableField, reason: string) =>
    request<{ field: MaskableField; value: string }>(`${shop(shopId)}/orders/${encodeURIComponent(orderNumber)}/reveal`, { method: 'POST', body: { field, reason } }),
  /** The file's bytes as the body; the message that names its id later makes it visible. */
  upload: (shopId: string, conversationId: string, file: File) =>
    request<AttachmentDto>(`${conv(shopId, conversationId)}/attachments?filename=${encodeURIComponent(file.name)}`, { method: 'POST', body: file }),
};
