import type { Context } from 'koa';

export const SESSION_COOKIE = 'mdg_session';

export interface CookieOptions {
  secure: boolean;
}

/**
 * Sets the session cookie. A Secure cookie is set even when the connection to us is plain
 * HTTP, as it is behind a TLS-terminating proxy: the configuration says the browser uses HTTPS.
 */
export function setSessionCookie(ctx: Context, cookie: CookieOptions, token: string, expires: Date): void {
  if (cookie.secure) ctx.cookies.secure = true;
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: '/', expires });
}
