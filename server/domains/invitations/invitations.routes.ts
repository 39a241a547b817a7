import type { Context } from 'koa';
import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import { setSessionCookie, SESSION_COOKIE, type CookieOptions } from '../auth/auth.cookie.ts';
import { sessionView } from '../auth/auth.schema.ts';
import { checkCsrf, resolveSession, type AuthDeps, type SessionPrincipal } from '../auth/auth.service.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { acceptBody, invitationCreated, invitationParams, invitationView, inviteBody, publicInvitationView, tokenParams } from './invitations.schema.ts';
import { acceptInvitation, describeInvitation, invite, listInvitations, withdrawInvitation, type InvitationDeps } from './invitations.service.ts';

/** The session, when the request carries one; a write with it must carry the CSRF token too. */
async function optionalSession(auth: AuthDeps, cookie: CookieOptions, ctx: Context): Promise<SessionPrincipal | undefined> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (!token) return undefined;
  const principal = await resolveSession(auth, token).catch(() => undefined);
  if (!principal) return undefined;
  checkCsrf(principal, ctx.get('x-csrf-token') || undefined);
  if (principal.slid) setSessionCookie(ctx, cookie, token, principal.expiresAt);
  return principal;
}

export function invitationRoutes(api: Api, deps: InvitationDeps, auth: AuthDeps, cookie: CookieOptions): void {
  const tag = 'Shops and people';
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/invitations',
    tag,
    summary: 'Invite a person by email (owner); the link goes only to that mailbox',
    auth: 'session',
    params: shopIdParams,
    body: inviteBody,
    response: invitationCreated,
    status: 201,
    errors: ['not_found', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => invite(deps, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/invitations',
    tag,
    summary: 'Open invitations (owner)',
    auth: 'session',
    params: shopIdParams,
    response: z.array(invitationView),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listInvitations(deps, actor),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/invitations/:invitationId',
    tag,
    summary: 'Withdraw an open invitation (owner)',
    auth: 'session',
    params: invitationParams,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => withdrawInvitation(deps, actor, params.invitationId, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/invitations/:token',
    tag,
    summary: 'An invitation, as its recipient sees it',
    auth: 'public',
    params: tokenParams,
    response: publicInvitationView,
    errors: ['not_found'],
    handler: ({ params, ctx }) => {
      ctx.set('Cache-Control', 'no-store');
      return describeInvitation(deps, params.token);
    },
  });
  api.route({
    method: 'post',
    path: '/api/invitations/:token/accept',
    tag,
    summary: 'Accept an invitation: a new person gives name and password; an existing account must be signed in',
    auth: 'public',
    params: tokenParams,
    body: acceptBody,
    response: sessionView,
    errors: ['not_found', 'unauthenticated', 'forbidden', 'conflict'],
    handler: async ({ params, body, ctx, requestId }) => {
      const principal = await optionalSession(auth, cookie, ctx);
      const { session, view } = await acceptInvitation({ ...deps, auth }, params.token, body, principal, requestId);
      if (session) setSessionCookie(ctx, cookie, session.token, new Date(view.expiresAt));
      ctx.set('Cache-Control', 'no-store');
      return view;
    },
  });
}
