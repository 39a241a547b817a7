import { request } from './api.ts';
import type { SetupView } from '../../server/domains/setup/setup.schema.ts';

export type { SetupView };

/** The first-run checklist, judged by the server from the shop's real state. */
export const setupApi = {
  setup: (shopId: string, signal?: AbortSignal) => request<SetupView>(`/api/shops/${encodeURIComponent(shopId)}/setup`, signal ? { signal } : {}),
};
