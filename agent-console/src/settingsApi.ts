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

/** Where the widget was loaded (GET /api/shops/:shopId/widget-sightings). */
export interface SightingView {
  origin: string;
  allowed: boolean;
  allowedWhenSeen: boolean;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** The widget's look as the owner edits it (PATCH /api/shops/:shopId); null clears a field. */
export type WidgetLook = Pick<ShopView, 'widgetColor' | 'widgetGreetingJa' | 'widgetGreetingEn' | 'privacyUrl' | 'replyTime'>;

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;

/** The settings page: the shop's widget origins (PATCH /api/shops/:shopId) and its API keys (owner). */
export const settingsApi = {
  saveOrigins: (shopId: string, allowedOrigins: string[]) => request<ShopView>(shop(shopId), { method: 'PATCH', body: { allowedOrigins } }),
  saveLook: (shopId: string, look: Partial<WidgetLook>) => request<ShopView>(shop(shopId), { method: 'PATCH', body: look }),
  sightings: (shopId: string, signal?: AbortSignal) => request<SightingView[]>(`${shop(shopId)}/widget-sightings`, signal ? { signal } : {}),
  apiKeys: (shopId: string, signal?: AbortSignal) => request<ApiKeyView[]>(`${shop(shopId)}/api-keys`, signal ? { signal } : {}),
  createApiKey: (shopId: string, name: string) => request<ApiKeyView & { key: string }>(`${shop(shopId)}/api-keys`, { method: 'POST', body: { name } }),
  revokeApiKey: (shopId: string, keyId: string) => request<ApiKeyView>(`${shop(shopId)}/api-keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' }),
};
