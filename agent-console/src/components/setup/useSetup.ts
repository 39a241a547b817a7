import { useEffect } from 'react';
import { setupApi } from '../../setupApi.ts';
import { useLoad } from '../metrics/useLoad.ts';

/** How often an open checklist asks again while a step is still open ("the widget was seen…"). */
const EVERY_MS = 5_000;

/**
 * The checklist of a shop, asked again every few seconds while the page is in view and a step
 * is still open, so "the widget was seen on …" appears while the merchant watches. A hidden tab
 * does not ask; it asks at once when it comes back.
 */
export function useSetup(shopId: string, live: boolean) {
  const loaded = useLoad((signal) => setupApi.setup(shopId, signal), shopId);
  const open = !loaded.data || loaded.data.progress.done < loaded.data.progress.of;
  const { retry } = loaded;
  useEffect(() => {
    if (!live || !open) return;
    const tick = () => {
      if (document.visibilityState === 'visible') retry();
    };
    const timer = window.setInterval(tick, EVERY_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [live, open, retry]);
  return loaded;
}
