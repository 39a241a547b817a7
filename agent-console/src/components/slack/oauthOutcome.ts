/**
 * What "Add to Slack" came back with: Slack's OAuth redirect lands on the console with
 * `?slack=connected` or `?slack=error&reason=…`, on the settings page of a shop or on
 * /console/settings (no shop: the console moves on to the open shop's settings and hands the
 * outcome over here). Read once, then gone, so a reload does not say it again.
 */
export interface OAuthOutcome {
  ok: boolean;
  reason: string | null;
}

let kept: OAuthOutcome | null = null;

/** Reads `?slack=` from an address's query; null when it has none. */
export function outcomeOf(search: string): OAuthOutcome | null {
  const q = new URLSearchParams(search);
  const said = q.get('slack');
  if (said !== 'connected' && said !== 'error') return null;
  const reason = q.get('reason');
  return { ok: said === 'connected', reason: reason && /^[a-z_]{1,64}$/.test(reason) ? reason : null };
}

/** Kept while the console moves from /console/settings to the shop's settings page. */
export function keepOAuthOutcome(outcome: OAuthOutcome | null): void {
  kept = outcome;
}

/** The outcome kept, or the one in the current address (then taken out of it). */
export function takeOAuthOutcome(): OAuthOutcome | null {
  const here = outcomeOf(window.location.search);
  if (here) {
    const q = new URLSearchParams(window.location.search);
    q.delete('slack');
    q.delete('reason');
    const rest = q.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
  }
  const out = here ?? kept;
  kept = null;
  return out;
}
