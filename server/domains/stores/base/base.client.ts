import { StoreApiError } from '../stores.port.ts';

/**
 * The BASE API v1 over fetch: Bearer tokens, the refresh of an access token that has expired
 * (before the call when its time is up, and once more when BASE refuses it), and BASE's answers
 * turned into StoreApiError kinds core acts on.
 *
 * BASE answers errors as `{ error, error_description }`, documented with HTTP 400 for all of
 * them (an invalid token included); a token refused with 401 is read the same. Its usage limits
 * (5,000 calls an hour, 100,000 a day) answer `hour_api_limit` / `day_api_limit` and reset on the
 * hour and at midnight (Japan time); a 429 with Retry-After is honoured as well.
 */
export interface BaseTokens {
  access: string;
  refresh: string | null;
  expiresAt: Date | null;
}

export interface BaseApp {
  /** BASE_API_URL, e.g. https://api.thebase.in */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** The callback URL registered with BASE Developers (BASE asks for it on every token call). */
  redirectUri: string;
}

export interface BaseClientDeps {
  app: BaseApp;
  fetch: typeof fetch;
  tokens: BaseTokens;
  /** Stores tokens BASE just issued (sealed, at once): a used refresh token never works again. */
  saveTokens(t: BaseTokens): Promise<void>;
  signal?: AbortSignal;
  /** Per call (default 15 s). */
  timeoutMs?: number;
  now?: () => number;
}

/** Refresh this long before BASE's stated expiry, so a call does not start with a token about to lapse. */
const EARLY_MS = 60_000;

type Answer = { status: number; body: Record<string, unknown> | undefined; headers: Headers };

/** The wait BASE asks for: Retry-After (seconds or a date), else until its limit resets. */
function retryAfterMs(a: Answer, now: number): number | undefined {
  const h = a.headers.get('retry-after');
  if (h) {
    const s = Number(h);
    if (Number.isFinite(s)) return Math.max(1000, s * 1000);
    const t = Date.parse(h);
    if (Number.isFinite(t)) return Math.max(1000, t - now);
  }
  const code = a.body?.error;
  if (code === 'hour_api_limit') return 3_600_000 - (now % 3_600_000) + 1000;
  // Midnight in Japan (UTC+9, no daylight saving).
  if (code === 'day_api_limit') return 86_400_000 - ((now + 9 * 3_600_000) % 86_400_000) + 1000;
  return undefined;
}

const describe = (a: Answer) => String(a.body?.error_description ?? a.body?.error ?? `HTTP ${a.status}`).slice(0, 200);

/** Whether BASE refused the access token itself (expired, revoked, unknown). */
export const isTokenRefusal = (a: { status: number; body?: Record<string, unknown> | undefined }) =>
  a.status === 401 || (a.status === 400 && (a.body?.error === 'invalid_token' || (a.body?.error === 'invalid_request' && /アクセストークン/.test(String(a.body?.error_description ?? '')))));

/** What an answer other than 200 means for core. */
export function problemOf(a: Answer, now = Date.now()): StoreApiError {
  const code = String(a.body?.error ?? `http_${a.status}`);
  const wait = retryAfterMs(a, now);
  if (a.status === 429 || code === 'hour_api_limit' || code === 'day_api_limit') {
    return new StoreApiError('rate_limited', `BASE asks us to wait: ${describe(a)}`, 'BASE の API 利用上限に達しました。しばらくしてから自動で再開します。', { status: a.status, code, ...(wait ? { retryAfterMs: wait } : {}) });
  }
  if (a.status >= 500) {
    return new StoreApiError('unavailable', `BASE answered ${a.status}`, `BASE が応答できませんでした（${a.status}）。しばらくしてから自動で再試行します。`, { status: a.status, code, ...(wait ? { retryAfterMs: wait } : {}) });
  }
  if (isTokenRefusal(a) || code === 'invalid_scope' || code === 'unauthorized_client' || code === 'invalid_grant' || (code === 'access_denied' && a.status !== 404)) {
    // The connection's broken reason: the token refused, or BASE's own code (invalid_scope, …).
    const reason = isTokenRefusal(a) ? 'token_refused' : code;
    return new StoreApiError('auth', `BASE refused the connection: ${describe(a)}`, `BASE が接続を拒否しました（${describe(a)}）。BASE との接続をやり直してください。`, { status: a.status, code: reason });
  }
  if (code === 'no_order' || a.status === 404) return new StoreApiError('not_found', `BASE has no such order: ${describe(a)}`, 'BASE に該当する注文がありません。', { status: a.status, code });
  return new StoreApiError('bad_response', `BASE refused the request: ${describe(a)}`, `BASE がリクエストを受け付けませんでした（${describe(a)}）。`, { status: a.status, code });
}

/** The token endpoint's refusals: any 4xx there means the grant no longer works (revoked, used, expired). */
function tokenProblemOf(a: Answer, now: number): StoreApiError {
  if (a.status === 429 || a.status >= 500 || a.body?.error === 'hour_api_limit' || a.body?.error === 'day_api_limit') return problemOf(a, now);
  // BASE answers a revoked, used or expired refresh token with 400 invalid_request (its docs); the connection's reason says which step failed.
  return new StoreApiError('auth', `BASE refused to renew the access (${String(a.body?.error ?? a.status)}): ${describe(a)}`, `BASE が接続の更新を拒否しました（${describe(a)}）。BASE との接続をやり直してください。`, { status: a.status, code: 'refresh_refused' });
}

const tokenBody = (b: Record<string, unknown> | undefined, now: number): BaseTokens | undefined => {
  if (typeof b?.access_token !== 'string' || !b.access_token) return undefined;
  const expiresIn = Number(b.expires_in);
  return {
    access: b.access_token,
    refresh: typeof b.refresh_token === 'string' && b.refresh_token ? b.refresh_token : null,
    expiresAt: Number.isFinite(expiresIn) ? new Date(now + expiresIn * 1000) : null,
  };
};

async function call(deps: Pick<BaseClientDeps, 'fetch' | 'signal' | 'timeoutMs'>, url: string, init: RequestInit): Promise<Answer> {
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? 15_000);
  let res: Response;
  try {
    res = await deps.fetch(url, { ...init, signal: deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout, redirect: 'manual' });
  } catch (e) {
    if (deps.signal?.aborted) throw e;
    const why = (e as Error)?.name === 'TimeoutError' ? 'timed out' : 'could not be reached';
    throw new StoreApiError('unavailable', `BASE ${why}`, 'BASE に接続できませんでした。しばらくしてから自動で再試行します。', { code: why === 'timed out' ? 'timeout' : 'unreachable' });
  }
  const raw = await res.text().catch(() => '');
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : undefined;
    body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers };
}

const form = (app: BaseApp, fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: app.redirectUri, ...fields }).toString(),
});

/** The authorization code of the OAuth callback → tokens (POST /1/oauth/token, authorization_code). */
export async function exchangeCode(deps: Pick<BaseClientDeps, 'app' | 'fetch' | 'timeoutMs'>, code: string, now = Date.now()): Promise<BaseTokens> {
  const a = await call(deps, `${deps.app.apiUrl}/1/oauth/token`, form(deps.app, { grant_type: 'authorization_code', code }));
  if (a.status !== 200) throw tokenProblemOf(a, now);
  const t = tokenBody(a.body, now);
  if (!t) throw new StoreApiError('bad_response', 'BASE issued no access token', 'BASE からアクセストークンが返りませんでした。');
  return t;
}

export class BaseClient {
  private tokens: BaseTokens;
  /** One refresh at a time: two calls refused together must not both spend the one refresh token. */
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: BaseClientDeps) {
    this.tokens = { ...deps.tokens };
    this.now = deps.now ?? Date.now;
  }

  /** GET a BASE API path (`/1/orders`), refreshing the access token as needed. */
  async get<T extends Record<string, unknown>>(path: string, query: Record<string, string | number> = {}): Promise<T> {
    const url = new URL(`${this.deps.app.apiUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    if (this.tokens.expiresAt && this.tokens.expiresAt.getTime() - EARLY_MS <= this.now()) await this.refresh(this.tokens.access);
    const used = this.tokens.access;
    let a = await this.send(url, used);
    if (isTokenRefusal(a)) {
      // Refused: renew once (unless another call already did since this one started), then try again.
      await this.refresh(used);
      a = await this.send(url, this.tokens.access);
    }
    if (a.status !== 200) throw problemOf(a, this.now());
    if (!a.body) throw new StoreApiError('bad_response', `BASE answered ${path} with something other than JSON`, 'BASE から読み取れない応答が返りました。', { status: a.status });
    return a.body as T;
  }

  private send(url: URL, access: string) {
    return call(this.deps, url.toString(), { headers: { authorization: `Bearer ${access}`, accept: 'application/json' } });
  }

  private async refresh(staleAccess: string): Promise<void> {
    if (this.tokens.access !== staleAccess) return;
    this.refreshing ??= this.renew().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private async renew(): Promise<void> {
    const refresh = this.tokens.refresh;
    if (!refresh) throw new StoreApiError('auth', 'the BASE access expired and there is no refresh token', 'BASE の接続の有効期限が切れました。BASE との接続をやり直してください。', { code: 'no_refresh_token' });
    // Not bound to the run's deadline: once BASE has the request the old refresh token is spent, so its answer is waited for (and saved) even when the run must stop.
    const a = await call({ fetch: this.deps.fetch, timeoutMs: this.deps.timeoutMs }, `${this.deps.app.apiUrl}/1/oauth/token`, form(this.deps.app, { grant_type: 'refresh_token', refresh_token: refresh }));
    if (a.status !== 200) throw tokenProblemOf(a, this.now());
    const t = tokenBody(a.body, this.now());
    if (!t) throw new StoreApiError('bad_response', 'BASE renewed the access without a token', 'BASE からアクセストークンが返りませんでした。');
    // BASE hands out a new refresh token with each renewal; keep the old one only if it did not.
    const next = { ...t, refresh: t.refresh ?? refresh };
    await this.deps.saveTokens(next);
    this.tokens = next;
  }
}
