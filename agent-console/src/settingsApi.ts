import { request } from './api.ts';
import type { ShopView } from './types.ts';

/** An API key as the list shows it; the secret itself is only in the answer that created it. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;

/** The settings page: the shop's widget origins (PATCH /api/shops/:shopId) and its API keys (owner). */
export const settingsApi = {
  saveOrigins: (shopId: string, allowedOrigins: string[]) => request<ShopView>(shop(shopId), { method: 'PATCH', body: { allowedOrigins } }),
  apiKeys: (shopId: string, signal?: AbortSignal) => request<ApiKeyView[]>(`${shop(shopId)}/api-keys`, signal ? { signal } : {}),
  createApiKey: (shopId: string, name: string) => request<ApiKeyView & { key: string }>(`${shop(shopId)}/api-keys`, { method: 'POST', body: { name } }),
  revokeApiKey: (shopId: string, keyId: string) => request<ApiKeyView>(`${shop(shopId)}/api-keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' }),
};
