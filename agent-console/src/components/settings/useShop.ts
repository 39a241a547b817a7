import { useState } from 'react';
import { api } from '../../api.ts';
import type { ShopView } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';

/**
 * The shop's settings for a page that shows and changes them (the settings page, the first-run
 * checklist): loaded once through useLoad, then the server's answer to each save in its place.
 */
export function useShop(shopId: string): { shop: ShopView | null; failed: boolean; saved: (shop: ShopView) => void } {
  const loaded = useLoad((signal) => api.shop(shopId, signal), shopId);
  const [saved, setSaved] = useState<ShopView | null>(null);
  const shop = saved?.id === shopId ? saved : (loaded.data ?? null);
  return { shop, failed: loaded.state === 'failed' && !shop, saved: setSaved };
}
