import type { Context } from 'koa';
import type { Api } from '../../core/route.ts';
import { setSessionCookie, type CookieOptions } from './auth.cookie.ts';
import { changePasswordBody, profileBody, sessionView, signInBody } from './auth.schema.ts';
import { changePassword, describeSession, signIn, signOut, updateProfile, type AuthDeps, type SessionPrincipal } from './auth.service.ts';

const principal = (ctx: Context) => ctx.state.principal as SessionPrincipal;

export function authRoutes(api: Api, deps: AuthDeps, cookie: CookieOptions): void {
  const tag = 'Sign-in';
  api.route({
    method: 'post',
    path: '/api/auth/sign-in',
    tag,
    summary: 'Sign in with email and password',
    description: 'Sets an httpOnly, SameSite=Lax session cookie. Rate-limited per account and per address.',
    auth: 'public',
    body: signInBody,
    response: sessionView,
    errors: ['unauthenticated', 'rate_limited', 'unsupported_media_type', 'payload_too_large'],
    handler: async ({ body, ctx }) => {
      const { token, view } = await signIn(deps, { ...body, ip: ctx.ip });
      setSessionCookie(ctx, cookie, token, new Date(view.expiresAt));
      ctx.set('Cache-Control', 'no-store');
      return view;
    },
  });
  api.route({
    method: 'get',
    path: '/api/auth/session',
    tag,
    summary: 'The signed-in person, their shops and roles, and the CSRF token',
    auth: 'session',
    response: sessionView,
    handler: async ({ ctx }) => {
      ctx.set('Cache-Control', 'no-store');
      return describeSession(deps, principal(ctx));
    },
  });
  api.route({
    method: 'patch',
    path: '/api/auth/me',
    tag,
    summary: 'Change my name or console language (ja, en)',
    auth: 'session',
    body: profileBody,
    response: sessionView,
    errors: ['forbidden'],
    handler: ({ body, ctx }) => updateProfile(deps, principal(ctx), body),
  });
  api.route({
    method: 'post',
    path: '/api/auth/sign-out',
    tag,
    summary: 'Sign out (ends this session)',
    auth: 'session',
    errors: ['forbidden'],
    handler: async ({ ctx }) => {
      await signOut(deps, principal(ctx));
      setSessionCookie(ctx, cookie, '', new Date(0));
    },
  });
  api.route({
    method: 'post',
    path: '/api/auth/password',
    tag,
    summary: 'Change my password (signs out my other sessions)',
    auth: 'session',
    body: changePasswordBody,
    errors: ['forbidden'],
    handler: async ({ body, ctx }) => changePassword(deps, principal(ctx), body),
  });
}
