import { publicUrl, type Config } from '../../../config.ts';
import { StoreApiError, type StoreAdapter, type StoreOrder, type SyncContext, type SyncTrigger } from '../stores.port.ts';
import { BaseClient, type BaseApp } from './base.client.ts';
import { mapBaseOrder, type MapResult } from './base.map.ts';

/**
 * BASE has no webhooks for orders and its order list filters by the time an order was placed,
 * never by the time it changed. So each poll lists the orders placed within a window and fetches
 * the detail of those whose `modified` moved since the last look:
 *
 * - the window starts LOOKBACK_DAYS back (or at the last run's start, if that is earlier: a
 *   connection that was down a while still catches up), never before the backfill's start, and
 *   ends now; a backfill starts backfill_days back. A change to an order placed before the window (a pre-order shipped three
 *   months on) is not seen: a trade-off against BASE's hourly limit of 5,000 calls.
 * - the state keeps `{ since, seen: { unique_key: modified } }` for the orders in the window, so
 *   an unchanged order costs one row of a list page, not a detail call (a shop with 30 orders a
 *   day, polled every 10 minutes, spends ~2 list calls a poll, ~300 an hour).
 */
export const LOOKBACK_DAYS = 60;
/** Overlap with the last run, for orders placed while it was listing. */
const OVERLAP_MS = 10 * 60_000;
const PAGE = 100;
/** Detail calls in flight at once: polite to BASE, and still fast for a backfill of a few hundred. */
const PARALLEL = 2;

export interface BaseState {
  /** When the last good run started. */
  since?: string;
  /** The backfill's start: polls look back to it at most. */
  floor?: string;
  seen?: Record<string, number>;
}

/** The app madoguchi is registered as with BASE Developers, or undefined when the deployment has none. */
export function baseApp(config: Config): BaseApp | undefined {
  if (!config.BASE_CLIENT_ID || !config.BASE_CLIENT_SECRET) return undefined;
  return {
    apiUrl: config.BASE_API_URL.replace(/\/$/, ''),
    clientId: config.BASE_CLIENT_ID,
    clientSecret: config.BASE_CLIENT_SECRET,
    redirectUri: `${publicUrl(config)}/stores/base/callback`,
  };
}

/** `yyyy-mm-dd hh:mm:ss` in Japan time, as BASE's start_ordered / end_ordered take it. */
export function baseTime(ms: number): string {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const asState = (s: unknown): BaseState => {
  const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
  const seen = o.seen && typeof o.seen === 'object' ? (o.seen as Record<string, number>) : {};
  return { ...(typeof o.since === 'string' ? { since: o.since } : {}), ...(typeof o.floor === 'string' ? { floor: o.floor } : {}), seen };
};

/** Runs `work` over `items`, `n` at a time, in order of the items' results. */
async function inTurns<T, R>(items: T[], n: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

type ListRow = { unique_key?: unknown; ordered?: unknown; modified?: unknown };

/**
 * One run: list the window page by page, fetch what changed, map it, ctx.save each page.
 * Orders BASE sends that do not add up are kept out and named in the run (ctx.reject).
 */
export async function syncBase(ctx: SyncContext, trigger: SyncTrigger, app: BaseApp, now = Date.now()): Promise<void> {
  const secrets = ctx.secrets();
  const client = new BaseClient({
    app,
    fetch: ctx.fetch,
    signal: ctx.signal,
    tokens: { access: secrets.access, refresh: secrets.refresh, expiresAt: ctx.connection.tokenExpiresAt ?? null },
    saveTokens: (t) => ctx.saveTokens(t),
  });
  const state = asState(ctx.connection.state);
  const backfill = trigger === 'backfill' || !state.since;
  // A poll never reaches before the backfill's start (`floor`): the shop asked for backfill_days of history, no more.
  const floor = backfill ? now - ctx.connection.backfillDays * 86_400_000 : (state.floor ? Date.parse(state.floor) : 0);
  const from = backfill ? floor : Math.max(floor, Math.min(Date.parse(state.since!) - OVERLAP_MS, now - LOOKBACK_DAYS * 86_400_000));
  const carriers = await deliveryCompanies(client);
  const seen: Record<string, number> = {};
  const before = state.seen ?? {};

  for (let offset = 0; ; offset += PAGE) {
    const page = await client.get<{ orders?: ListRow[] }>('/1/orders', { start_ordered: baseTime(from), end_ordered: baseTime(now), limit: PAGE, offset });
    if (!Array.isArray(page.orders)) throw new StoreApiError('bad_response', 'BASE answered the order list without orders', 'BASE の注文一覧を読み取れませんでした。');
    const changed: Array<{ key: string; modified: number }> = [];
    for (const row of page.orders) {
      const key = typeof row.unique_key === 'string' ? row.unique_key : '';
      if (!key) continue;
      const modified = Number(row.modified ?? row.ordered ?? 0);
      seen[key] = Math.max(modified, seen[key] ?? 0);
      if (before[key] === undefined || modified > before[key]) changed.push({ key, modified });
    }
    const mapped = await inTurns(changed, PARALLEL, async ({ key }): Promise<MapResult> => {
      try {
        const detail = await client.get<{ order?: unknown }>(`/1/orders/detail/${encodeURIComponent(key)}`);
        return mapBaseOrder(detail.order, carriers);
      } catch (e) {
        // Listed but gone by the time we asked (deleted in BASE's admin): that order is refused, the run goes on.
        if (e instanceof StoreApiError && e.kind === 'not_found') return { ok: false, refusal: { orderNumber: key, reason: 'BASE lists this order but has no detail for it (deleted?)', ja: 'BASE の注文一覧にあるのに詳細を取得できませんでした（削除された可能性があります）。' } };
        throw e;
      }
    });
    const good: StoreOrder[] = [];
    for (const r of mapped) {
      if (r.ok) good.push(r.order);
      else ctx.reject(r.refusal.orderNumber, r.refusal.reason, r.refusal.ja);
    }
    if (good.length > 0) await ctx.save(good);
    if (page.orders.length < PAGE) break;
  }
  ctx.setState({ since: new Date(now).toISOString(), floor: new Date(floor).toISOString(), seen } satisfies BaseState);
}

/** BASE's carriers (id → name) for the orders' carrier; an empty list when BASE does not say (the orders come without a carrier name, not at all). */
async function deliveryCompanies(client: BaseClient): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const body = await client.get<{ delivery_companies?: Array<{ delivery_company_id?: unknown; name?: unknown }> }>('/1/delivery_companies').catch((e: unknown) => {
    if (e instanceof StoreApiError && (e.kind === 'bad_response' || e.kind === 'not_found')) return {} as { delivery_companies?: undefined };
    throw e;
  });
  for (const c of body.delivery_companies ?? []) if (typeof c.delivery_company_id === 'number' && typeof c.name === 'string') out.set(c.delivery_company_id, c.name);
  return out;
}

/** The BASE adapter of core's port (registered in stores.adapters.ts). */
export const baseAdapter: StoreAdapter = {
  platform: 'base',
  async sync(ctx, trigger) {
    const app = baseApp(ctx.config);
    if (!app) throw new StoreApiError('auth', 'this deployment has no BASE app (BASE_CLIENT_ID / BASE_CLIENT_SECRET unset)', 'この環境には BASE アプリが設定されていません（BASE_CLIENT_ID・BASE_CLIENT_SECRET）。', { code: 'not_configured' });
    await syncBase(ctx, trigger, app);
  },
  nextSyncAfterMs: (config) => config.STORE_POLL_MINUTES * 60_000,
  // BASE's API has no call to revoke a token or remove an app: the shop removes madoguchi in BASE's admin (Apps) if it wants to.
};
