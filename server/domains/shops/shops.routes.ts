import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import type { SessionPrincipal } from '../auth/auth.service.ts';
import {
  createShopBody,
  memberParams,
  memberView,
  shopIdParams,
  shopView,
  updateMemberBody,
  updateShopBody,
} from './shops.schema.ts';
import { listWidgetSightings } from './shops.widget.ts';
import { changeMemberRole, createShop, getShop, listShopMembers, removeMember, updateShopSettings, type MemberDeps } from './shops.service.ts';

/** `deps`: people changes reach the queue (a removed person's conversations) and live connections. */
export function shopRoutes(api: Api, deps: MemberDeps): void {
  const { db } = deps;
  const tag = 'Shops and people';
  api.route({
    method: 'post',
    path: '/api/shops',
    tag,
    summary: 'Open a new shop; the caller becomes its owner',
    auth: 'session',
    body: createShopBody,
    response: shopView,
    status: 201,
    handler: async ({ body, ctx, requestId }) => {
      const { user } = ctx.state.principal as SessionPrincipal;
      return createShop(db, user, body, requestId);
    },
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId',
    tag,
    summary: "The shop's settings",
    auth: 'session',
    params: shopIdParams,
    response: shopView,
    errors: ['not_found'],
    handler: ({ actor }) => getShop(db, actor),
  });
  api.route({
    method: 'patch',
    path: '/api/shops/:shopId',
    tag,
    summary: "Change the shop's settings (owner)",
    auth: 'session',
    params: shopIdParams,
    body: updateShopBody,
    response: shopView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, body, requestId }) => updateShopSettings(db, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/widget-sightings',
    tag,
    summary: 'Where the widget was seen (owner, staff): each origin, whether it is allowed now, first and last seen',
    auth: 'session',
    params: shopIdParams,
    response: z.array(
      z.object({ origin: z.string(), allowed: z.boolean(), allowedWhenSeen: z.boolean(), firstSeen: z.string(), lastSeen: z.string(), count: z.number().int() }),
    ),
    errors: ['forbidden'],
    handler: ({ actor }) => listWidgetSightings(db, actor),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/members',
    tag,
    summary: 'People of the shop and their roles (owner, staff)',
    auth: 'session',
    params: shopIdParams,
    response: z.array(memberView),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listShopMembers(db, actor),
  });
  api.route({
    method: 'patch',
    path: '/api/shops/:shopId/members/:userId',
    tag,
    summary: "Change a person's role (owner)",
    description: "Their open console connections to the shop are ended at once and reconnect with the new role's view (contractors' data masked).",
    auth: 'session',
    params: memberParams,
    body: updateMemberBody,
    response: memberView,
    errors: ['not_found', 'forbidden', 'conflict'],
    handler: ({ actor, params, body, requestId }) => changeMemberRole(deps, actor, params.userId, body.role, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/members/:userId',
    tag,
    summary: 'Remove a person from the shop (owner)',
    description: 'Their open console connections to the shop are cut at once, and the conversations they held (open, pending, waiting on the merchant, snoozed) go back to the queue, unassigned and audited.',
    auth: 'session',
    params: memberParams,
    errors: ['not_found', 'forbidden', 'conflict'],
    handler: ({ actor, params, requestId }) => removeMember(deps, actor, params.userId, requestId),
  });
}
