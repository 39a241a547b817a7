/**
 * The widget's HTTP calls to madoguchi's public shop API (CORS for the shop's listed origins).
 * Failures become an ApiError with the server's code, message and details; the widget explains
 * them to the customer by code (errors.ts) and never shows the message, written for developers.
 */
import type { AttachmentDto, WidgetSessionDto } from '../../server/domains/conversations/conversations.dto.ts';
import type { WidgetConfig, WidgetConfigAnswer } from '../../server/domains/shops/shops.widget.ts';
import type { Locale } from './i18n.ts';
import type { ActiveNotices } from '../../server/domains/notices/notices.public.ts';

export type ActiveNoticesAnswer = ActiveNotices['body'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ShopProfile {
  id: string;
  name: string;
  locale: Locale;
}

export type SessionAnswer = WidgetSessionDto;
export type { WidgetConfig, WidgetConfigAnswer };

export type SessionRequest = { name: string; email: string; orderNumber?: string; locale: Locale } | { identityToken: string; locale: Locale };

async function answer<T>(res: Response): Promise<T> {
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) return body as T;
  const err = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`, err?.details);
}

/** Network failures (offline, CORS refused) look like the server's errors to the caller. */
async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, credentials: 'omit', mode: 'cors' });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  return answer<T>(res);
}

export function widgetApi(origin: string, shopId: string) {
  const base = `${origin}/api/public/shops/${encodeURIComponent(shopId)}`;
  return {
    shop: () => call<ShopProfile>(base),

    /** The shop's look, hours and reply time; `{ allowed: false }` on a page the shop has not allowed. */
    config: (signal?: AbortSignal) => call<WidgetConfigAnswer>(`${base}/widget/config`, { signal }),

    startSession: (body: SessionRequest) =>
      call<SessionAnswer>(`${base}/widget/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),

    /** The file's bytes as the body with its own type; the server checks the bytes. */
    upload: (token: string, conversationId: string, file: File) =>
      call<AttachmentDto>(`${base}/widget/conversations/${encodeURIComponent(conversationId)}/attachments?filename=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': file.type || 'application/octet-stream' },
        body: file,
      }),

    /** An attachment as a blob URL: its address needs the bearer token, which an <img> cannot send. */
    async attachmentUrl(token: string, relativeUrl: string): Promise<string> {
      const res = await fetch(new URL(relativeUrl, origin), { headers: { authorization: `Bearer ${token}` }, credentials: 'omit', mode: 'cors' });
      if (!res.ok) throw new ApiError(res.status, 'http_error', `HTTP ${res.status}`);
      return URL.createObjectURL(await res.blob());
    },
  };
}

export type WidgetApi = ReturnType<typeof widgetApi>;

/** The shop's delay notices showing now (the banner JSON the one-tag embed reads too). */
export const activeNotices = (origin: string, shopId: string) => call<ActiveNoticesAnswer>(`${origin}/shops/${encodeURIComponent(shopId)}/notices/active`);

/** The claims' `sub`, read without checking (the server checks); tells one signed-in customer from another. */
export function identitySub(token: string): string | null {
  try {
    const part = token.split('.')[1] ?? '';
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const sub = (JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}
