export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/**
 * A small HTTP client for tests: keeps the session cookie, echoes the CSRF token on writes
 * like the console does, and never throws on a 4xx/5xx.
 */
export class TestClient {
  cookie?: string;
  csrf?: string;
  bearer?: string;

  constructor(readonly baseUrl: string) {}

  withKey(key: string): TestClient {
    const c = new TestClient(this.baseUrl);
    c.bearer = key;
    return c;
  }

  async request<T = any>(method: string, path: string, opts: { json?: unknown; body?: BodyInit; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.csrf && opts.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('mdg_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value === 'mdg_session=' ? undefined : value;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  get = <T = any>(path: string, opts?: Parameters<TestClient['request']>[2]) => this.request<T>('GET', path, opts);
  post = <T = any>(path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) => this.request<T>('POST', path, { ...opts, json });
  put = <T = any>(path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) => this.request<T>('PUT', path, { ...opts, json });
  patch = <T = any>(path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) => this.request<T>('PATCH', path, { ...opts, json });
  delete = <T = any>(path: string, opts?: Parameters<TestClient['request']>[2]) => this.request<T>('DELETE', path, opts);

  async signIn(email: string, password: string): Promise<Reply> {
    const r = await this.post('/api/auth/sign-in', { email, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}
