import type { AcceptInvitationBody, ErrorCode, InvitationView, SessionView, ShopView } from './types.ts';

/**
 * A failed call. `code` is the server's error code, or `network` when no answer came back
 * (offline, server down) and `unexpected` when the answer was not one of ours.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode | 'network' | 'unexpected',
    message: string,
    readonly status = 0,
    readonly details?: unknown,
    /** Seconds to wait before retrying, for `rate_limited`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let sessionLost: (() => void) | undefined;

/** The session's CSRF token, echoed in X-CSRF-Token on every write. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a signed-in call answers 401: the session expired or was ended elsewhere. */
export function onSessionLost(handler: (() => void) | undefined): void {
  sessionLost = handler;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** JSON, or a Blob (a file) sent as it is with its own type. */
  body?: unknown;
  signal?: AbortSignal;
  /** Sign-in and the first session check expect 401 and handle it themselves. */
  expect401?: boolean;
}

const isErrorBody = (v: unknown): v is { error: { code: ErrorCode; message: string; details?: unknown } } =>
  typeof v === 'object' && v !== null && 'error' in v && typeof (v as { error: { code?: unknown } }).error?.code === 'string';

function retryAfter(res: Response, details: unknown): number | undefined {
  const header = Number(res.headers.get('retry-after'));
  if (Number.isFinite(header) && header > 0) return Math.ceil(header);
  const fromBody = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof fromBody === 'number' ? fromBody : undefined;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  const raw = opts.body instanceof Blob;
  if (opts.body !== undefined) headers['Content-Type'] = raw ? (opts.body as Blob).type || 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? null : raw ? (opts.body as Blob) : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('network', (e as Error).message);
  }

  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch((e: unknown) => {
    // Aborted while the body was still arriving: the caller went away; never hand it undefined.
    if ((e as Error).name === 'AbortError' || opts.signal?.aborted) throw e;
    return undefined;
  });
  if (res.ok) {
    if (data === undefined) throw new ApiError('unexpected', `HTTP ${res.status} without a JSON body`, res.status);
    return data as T;
  }

  if (!isErrorBody(data)) throw new ApiError('unexpected', `HTTP ${res.status}`, res.status);
  const { code, message, details } = data.error;
  if (res.status === 401 && !opts.expect401) sessionLost?.();
  throw new ApiError(code, message, res.status, details, code === 'rate_limited' ? retryAfter(res, details) : undefined);
}

/** A running upload: its answer, and a way to stop it. */
export interface Upload<T> {
  done: Promise<T>;
  abort: () => void;
}

/**
 * POSTs a file with upload progress, which fetch cannot report: XMLHttpRequest's upload
 * events, and `onSent` once the whole body is sent. Answers and fails as request() does
 * (ApiError, a lost session on 401); an abort rejects with an AbortError.
 */
export function upload<T>(path: string, file: Blob, contentType: string, onProgress: (sent: number, total: number) => void, onSent?: () => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentType);
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    // Every byte is with the server, which now acts on them: stopping here would no longer undo anything.
    xhr.upload.onload = () => onSent?.();
    xhr.onabort = () => reject(new DOMException('the upload was stopped', 'AbortError'));
    xhr.onerror = () => reject(new ApiError('network', 'the upload did not reach the server'));
    xhr.onload = () => {
      const data: unknown = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && data != null) return resolve(data as T);
      if (!isErrorBody(data)) return reject(new ApiError('unexpected', `HTTP ${xhr.status}`, xhr.status));
      if (xhr.status === 401) sessionLost?.();
      reject(new ApiError(data.error.code, data.error.message, xhr.status, data.error.details));
    };
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

export const api = {
  session: () => request<SessionView>('/api/auth/session', { expect401: true }),
  /** The same call, but a 401 means the session was lost while the console was open. */
  refreshSession: () => request<SessionView>('/api/auth/session'),
  signIn: (email: string, password: string) =>
    request<SessionView>('/api/auth/sign-in', { method: 'POST', body: { email, password }, expect401: true }),
  /** A 401 here means the session had already ended, which is what signing out wants anyway. */
  signOut: () => request<void>('/api/auth/sign-out', { method: 'POST', expect401: true }),
  /** The console language follows the person to every device. */
  saveLocale: (locale: 'ja' | 'en') => request<SessionView>('/api/auth/me', { method: 'PATCH', body: { locale } }),
  shop: (shopId: string, signal?: AbortSignal) =>
    request<ShopView>(`/api/shops/${encodeURIComponent(shopId)}`, signal ? { signal } : {}),
  /** Public: who is invited where, and whether that email already has an account. */
  invitation: (token: string, signal?: AbortSignal) =>
    request<InvitationView>(`/api/invitations/${encodeURIComponent(token)}`, signal ? { signal } : {}),
  /**
   * Joins the shop; answers the session the person now has (a new account is signed in by it).
   * A 401 means the session the console held has ended, so it goes through onSessionLost.
   */
  acceptInvitation: (token: string, body: AcceptInvitationBody) =>
    request<SessionView>(`/api/invitations/${encodeURIComponent(token)}/accept`, { method: 'POST', body }),
};
