import type { Platform } from '../../storesApi.ts';

/**
 * What a store's OAuth install came back with: the server's callback lands on
 * /console/settings/stores?connected=<platform> or ?error=<code> (no shop in the address: the
 * console moves on to the open shop's store connections and hands the outcome over here), or on
 * the shop's own page with the same query. Read once, then gone, so a reload does not say it again.
 */
export type StoresOutcome = { ok: true; platform: Platform } | { ok: false; code: string };

let kept: StoresOutcome | null = null;

/**
 * Reads `?connected=<platform>` / `?error=<code>` (the contract's form), or
 * `?store=connected|error&platform=…&reason=…` (the form a callback may also use); null when
 * the address has neither.
 */
export function storesOutcomeOf(search: string): StoresOutcome | null {
  const q = new URLSearchParams(search);
  const platform = q.get('connected') ?? (q.get('store') === 'connected' ? q.get('platform') : null);
  if (platform === 'shopify' || platform === 'base') return { ok: true, platform };
  const error = q.get('error') ?? (q.get('store') === 'error' ? (q.get('reason') ?? 'unknown') : null);
  // Only a code is shown, never free text from an address someone else may have written.
  if (error) return { ok: false, code: /^[a-z0-9_]{1,64}$/.test(error) ? error : 'unknown' };
  return null;
}

/** Kept while the console moves from /console/settings/stores to the shop's page. */
export function keepStoresOutcome(outcome: StoresOutcome | null): void {
  kept = outcome;
}

/** The outcome kept, or the one in the current address (then taken out of it). */
export function takeStoresOutcome(): StoresOutcome | null {
  const here = storesOutcomeOf(window.location.search);
  if (here) {
    const q = new URLSearchParams(window.location.search);
    for (const k of ['connected', 'error', 'store', 'platform', 'reason']) q.delete(k);
    const rest = q.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
  }
  const out = here ?? kept;
  kept = null;
  return out;
}
