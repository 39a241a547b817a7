import type { Logger } from '../../../core/logger.ts';
import { StoreApiError } from '../stores.port.ts';

/**
 * The Admin GraphQL API of one shop, within Shopify's cost-based limit. Every answer says what
 * the bucket holds (`extensions.cost.throttleStatus`); before a query that would not fit, the
 * client waits until it would ((cost − available) ÷ restoreRate seconds) instead of being
 * refused, and a `THROTTLED` answer all the same is waited out and sent again. Shopify's other
 * answers become a StoreApiError whose kind tells core what to do: 401/403 `auth` (the
 * connection is broken until reconnected), 429 `rate_limited` with its Retry-After, 5xx or no
 * answer `unavailable`, anything unreadable `bad_response`.
 */
export interface ShopifyApiOptions {
  /** SHOPIFY_API_URL: `https://{shop}` (or a stand-in's `http://127.0.0.1:PORT/{shop}`). */
  apiUrl: string;
  /** SHOPIFY_API_VERSION, e.g. 2025-10. */
  version: string;
}

export interface ClientOptions extends ShopifyApiOptions {
  shop: string;
  token: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  logger?: Logger;
  /** Longest wait for the bucket or a Retry-After before giving up on this run (core backs off). */
  maxWaitMs?: number;
}

interface Throttle {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Answer<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }> | string | Record<string, unknown>;
  extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: Throttle } };
}

const THROTTLE_RETRIES = 5;
const RATE_RETRIES = 2;
const TIMEOUT_MS = 20_000;

/** `https://{shop}` + the path of the GraphQL endpoint. */
export const graphqlUrl = (o: ShopifyApiOptions, shop: string) => `${o.apiUrl.replace('{shop}', shop).replace(/\/+$/, '')}/admin/api/${o.version}/graphql.json`;
/** The shop's root (OAuth pages), `https://{shop}`. */
export const shopUrl = (o: ShopifyApiOptions, shop: string) => o.apiUrl.replace('{shop}', shop).replace(/\/+$/, '');

/** Waits `ms`, or less if the run's deadline comes first (then throws what aborted it). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const unavailable = (why: string, status?: number) =>
  new StoreApiError('unavailable', `Shopify could not be reached (${why}); madoguchi will try again`, `Shopify に接続できませんでした（${why}）。時間をおいて再試行します。`, status ? { status } : {});

export class ShopifyClient {
  private throttle: (Throttle & { at: number }) | undefined;
  /** What each operation last asked for, so the next one of its kind waits for room first. */
  private readonly costs = new Map<string, number>();
  private readonly url: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly o: ClientOptions) {
    this.url = graphqlUrl(o, o.shop);
    this.fetcher = o.fetch ?? fetch;
  }

  /** Points the bucket holds now, by what it held at the last answer and its restore rate. */
  private availableNow(): number | undefined {
    const t = this.throttle;
    if (!t) return undefined;
    return Math.min(t.maximumAvailable, t.currentlyAvailable + ((Date.now() - t.at) / 1000) * t.restoreRate);
  }

  private async waitFor(cost: number): Promise<void> {
    const available = this.availableNow();
    if (available === undefined || !this.throttle || cost <= available) return;
    // One point more than needed: a timer may fire a millisecond early by the wall clock, and a bucket a hair short answers THROTTLED.
    const ms = Math.ceil(((cost + 1 - available) / this.throttle.restoreRate) * 1000);
    await this.wait(ms, 'the API limit');
  }

  private async wait(ms: number, why: string): Promise<void> {
    const max = this.o.maxWaitMs ?? 60_000;
    if (ms > max) throw new StoreApiError('rate_limited', `Shopify asks to wait ${Math.ceil(ms / 1000)} s (${why})`, `Shopify の API 制限のため ${Math.ceil(ms / 1000)} 秒待つ必要があります。`, { retryAfterMs: ms });
    this.o.logger?.debug({ shop: this.o.shop, ms, why }, 'shopify: waiting');
    await sleep(ms, this.o.signal);
  }

  /** Sends one named document; answers its `data`. */
  async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? 'anonymous';
    let throttled = 0;
    let limited = 0;
    for (;;) {
      await this.waitFor(this.costs.get(operation) ?? 0);
      const res = await this.send(document, variables);
      if (res.status === 429 && limited < RATE_RETRIES) {
        limited += 1;
        const retryAfterMs = Math.max(1, Number(res.headers.get('retry-after')) || 2) * 1000;
        await this.wait(retryAfterMs, 'HTTP 429');
        continue;
      }
      const answer = await this.read<T>(res);
      const cost = answer.extensions?.cost;
      if (cost?.throttleStatus) this.throttle = { ...cost.throttleStatus, at: Date.now() };
      if (cost?.requestedQueryCost) this.costs.set(operation, cost.requestedQueryCost);
      const errors = Array.isArray(answer.errors) ? answer.errors : [];
      if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
        if (++throttled > THROTTLE_RETRIES) throw new StoreApiError('rate_limited', 'Shopify kept answering Throttled', 'Shopify の API 制限が続いています。', { retryAfterMs: 60_000, code: 'THROTTLED' });
        continue;
      }
      const denied = errors.find((e) => e.extensions?.code === 'ACCESS_DENIED');
      if (denied) throw new StoreApiError('auth', `Shopify refused the access: ${denied.message ?? 'access denied'}`, 'Shopify がアクセスを拒否しました（アプリの権限を確認してください）。', { code: 'ACCESS_DENIED' });
      if (errors.length || !answer.data) {
        const message = errors.map((e) => e.message).filter(Boolean).join('; ').slice(0, 300) || 'no data';
        throw new StoreApiError('bad_response', `Shopify answered ${operation} with an error: ${message}`, `Shopify の応答がエラーでした: ${message}`);
      }
      return answer.data;
    }
  }

  private async send(document: string, variables: Record<string, unknown>): Promise<Response> {
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    try {
      return await this.fetcher(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': this.o.token },
        body: JSON.stringify({ query: document, variables }),
        signal: this.o.signal ? AbortSignal.any([this.o.signal, timeout]) : timeout,
      });
    } catch (e) {
      if (this.o.signal?.aborted) throw this.o.signal.reason as Error;
      throw unavailable(timeout.aborted ? 'no answer in 20 s' : (e as Error).message.slice(0, 80));
    }
  }

  private async read<T>(res: Response): Promise<Answer<T>> {
    if (res.status === 401 || res.status === 403) {
      throw new StoreApiError('auth', `Shopify refused the access token (HTTP ${res.status}); connect the store again`, `Shopify がアクセストークンを受け付けませんでした（HTTP ${res.status}）。ストアを接続し直してください。`, { status: res.status });
    }
    if (res.status === 404) throw new StoreApiError('not_found', `no Shopify store answers at ${this.o.shop}`, `${this.o.shop} という Shopify ストアが見つかりません。`, { status: 404 });
    if (res.status === 429) {
      const retryAfterMs = Math.max(1, Number(res.headers.get('retry-after')) || 2) * 1000;
      throw new StoreApiError('rate_limited', 'Shopify answered 429 Too Many Requests', 'Shopify の API 制限に達しました。時間をおいて再試行します。', { status: 429, retryAfterMs });
    }
    if (res.status >= 500) throw unavailable(`HTTP ${res.status}`, res.status);
    if (res.status !== 200) throw new StoreApiError('bad_response', `Shopify answered HTTP ${res.status}`, `Shopify が HTTP ${res.status} を返しました。`, { status: res.status });
    try {
      return (await res.json()) as Answer<T>;
    } catch {
      throw new StoreApiError('bad_response', 'Shopify’s answer is not JSON', 'Shopify の応答を読み取れませんでした。');
    }
  }
}
