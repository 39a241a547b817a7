import { z } from 'zod';
import type { Actor } from '../../core/actor.ts';
import { DomainError } from '../../core/errors.ts';
import type { Api } from '../../core/route.ts';
import { listMembers } from '../shops/shops.repository.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { getConversation, listInbox, mergeConversations, updateConversationFields } from './conversations.inbox.ts';
import type { AgentDto } from './conversations.dto.ts';
import { agentList, conversationParams, conversationView, createConversationBody, inboxPage, inboxQuery, mentionView, mergeBody, messagesPage, queueMetricsView, relatedView, myInboxQuery, myQueuePage, postMessageBody, seq, updateConversationBody, widgetSessionBody } from './conversations.schema.ts';
import { sendMessage, syncMessages, type ChatDeps } from './conversations.service.ts';
import { createTicket } from './conversations.tickets.ts';
import { relatedOf } from './conversations.related.ts';
import { bulkBody, bulkUpdate } from './conversations.bulk.ts';
import { queueMetrics } from './conversations.metrics.ts';
import { listMyMentions, markMentionRead } from './conversations.mentions.ts';
import { listMyQueue } from './conversations.myqueue.ts';
import type { SessionPrincipal } from '../auth/auth.service.ts';
import { complianceQuery } from '../sla/sla.schema.ts';
import { createWidgetSessionLimiter } from './widget.limits.ts';
import { redisReplayCache } from './widget.identity.ts';
import { rotateWidgetSecret, startWidgetSession } from './widget.service.ts';

const tag = 'Conversations';

/**
 * The shop all my shops' session read checks a kept page for (InboxPageCache.alongMine): the
 * query's `shopId`, or null for all of them. None (the session is read alone) for a view never
 * kept (a search, a later page, the SLA filter: the check would be read for nothing) or a
 * `shopId` the route refuses (400).
 */
const mineReadAt = (query: Record<string, unknown>): string | null | undefined => {
  if (query.q || query.before || query.sla) return undefined;
  const r = myInboxQuery.shape.shopId.safeParse(query.shopId);
  return r.success ? (r.data?.toLowerCase() ?? null) : undefined;
};

export function conversationRoutes(api: Api, deps: ChatDeps, widgetSessionsPerAddress?: number): void {
  const limitSessions = createWidgetSessionLimiter(deps.redis, deps.keyPrefix, widgetSessionsPerAddress);
  const sessions = { db: deps.db, replay: redisReplayCache(deps.redis, deps.keyPrefix) };
  const agent = (actor: Actor) => ({ kind: 'agent' as const, actor });

  api.route({
    method: 'post',
    path: '/api/public/shops/:shopId/widget/sessions',
    tag: 'Public',
    summary: 'Start a chat session from the widget: pre-chat form (name, email, optional order number) or a signed identity token',
    description:
      'The identity token is `v1.<base64url(JSON {sub, email?, name?, iat, exp?, jti})>.<base64url(HMAC-SHA256(widget secret, "v1." + claims))>`, signed by the shop\'s server for each page: good for 10 minutes at most (or until `exp`, if sooner) and for one session only (`jti`, a random id, is remembered until the token would expire). Forged, expired and reused tokens are refused with 401; while the replay check cannot reach Redis, identity tokens are refused with 503 and Retry-After.',
    auth: 'public',
    params: shopIdParams,
    body: widgetSessionBody,
    status: 201,
    errors: ['not_found', 'unauthenticated', 'rate_limited', 'unavailable'],
    handler: async ({ params, body, ctx }) => {
      await limitSessions(ctx.ip);
      return startWidgetSession(sessions, params.shopId, body);
    },
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/widget-secret',
    tag,
    summary: 'Rotate the HMAC secret for widget identity tokens (owner); shown in this answer only',
    auth: 'session',
    params: shopIdParams,
    status: 201,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor, requestId }) => rotateWidgetSecret(deps.db, actor, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/conversations',
    tag,
    summary: 'The queue: conversations, newest activity first, filtered by status, assignee, tag, priority, SLA state or text',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: inboxQuery,
    response: inboxPage,
    errors: ['not_found', 'invalid_input'],
    along: deps.pages?.along,
    handler: ({ actor, query, along }) => listInbox(deps.db, actor, query, deps.pages, along),
  });
  api.route({
    method: 'get',
    path: '/api/me/conversations',
    tag,
    summary: "The signed-in person's queue over all their shops (or shopId, one of them), newest activity first, with the inbox's filters; contact data masked where they are a contractor",
    auth: 'session',
    query: myInboxQuery,
    response: myQueuePage,
    errors: ['not_found', 'invalid_input', 'unauthenticated'],
    along: deps.pages && { ...deps.pages.alongMine, shopOf: mineReadAt },
    handler: ({ ctx, query, along }) => {
      const { user } = ctx.state.principal as SessionPrincipal;
      return listMyQueue(deps.db, { userId: user.id, name: user.name }, query, deps.pages, along);
    },
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/conversations',
    tag,
    summary: "Open a ticket for a customer with the customer's first message (shop systems with an API key, or the console)",
    description:
      "With an API key, `customer.externalId` creates or updates the shop's verified customer. From the console the ticket attaches to a customer the shop already has (by externalId, else email) and never changes it; contractors always get a new unverified contact, and their externalId is refused (403).",
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    body: createConversationBody,
    status: 201,
    errors: ['not_found', 'invalid_input', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => createTicket(deps, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/conversations/:conversationId',
    tag,
    summary: 'One conversation (customer contact data masked for contractors)',
    auth: 'sessionOrApiKey',
    params: conversationParams,
    errors: ['not_found'],
    response: conversationView,
    handler: ({ actor, params }) => getConversation(deps.db, actor, params.conversationId),
  });
  api.route({
    method: 'patch',
    path: '/api/shops/:shopId/conversations/:conversationId',
    tag,
    summary: 'Change status (along the allowed moves), priority, tags, assignee, or snooze until a time; expectedStatus guards against races (409)',
    auth: 'sessionOrApiKey',
    params: conversationParams,
    body: updateConversationBody,
    errors: ['not_found', 'invalid_input', 'invalid_transition', 'conflict'],
    handler: ({ actor, params, body, requestId }) => updateConversationFields(deps, actor, params.conversationId, body, requestId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/conversations/bulk',
    tag,
    summary: 'Assign, tag or resolve up to 100 conversations at once; each is changed on its own and answered with its result (ok, not_found, invalid_transition, conflict…)',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    body: bulkBody,
    errors: ['invalid_input', 'forbidden'],
    handler: ({ actor, body, requestId }) => bulkUpdate(deps, actor, body, requestId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/conversations/:conversationId/merge',
    tag,
    summary: "Merge another conversation of the same customer into this one (its messages move to the end; it is closed)",
    auth: 'session',
    params: conversationParams,
    body: mergeBody,
    errors: ['not_found', 'invalid_input', 'conflict'],
    handler: ({ actor, params, body, requestId }) => mergeConversations(deps, actor, params.conversationId, body.sourceId, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/conversations/:conversationId/related',
    tag,
    summary: "The customer's other conversations, orders and returns with the shop (numbers and states; 20 of each at most)",
    auth: 'session',
    params: conversationParams,
    errors: ['not_found', 'forbidden'],
    response: relatedView,
    handler: ({ actor, params }) => relatedOf(deps.db, actor, params.conversationId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/conversations/:conversationId/messages',
    tag,
    summary: 'Messages after a sequence number, in order, up to 200 at a time (internal notes included)',
    auth: 'sessionOrApiKey',
    params: conversationParams,
    query: z.strictObject({ after: z.coerce.number().pipe(seq).default(0) }),
    errors: ['not_found', 'invalid_input'],
    response: messagesPage,
    handler: ({ actor, params, query }) => syncMessages(deps, agent(actor), params.conversationId, query.after),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/conversations/:conversationId/messages',
    tag,
    summary: 'Reply to the customer or add an internal note; the same clientId again returns the stored message with duplicate: true and writes nothing',
    auth: 'sessionOrApiKey',
    params: conversationParams,
    body: postMessageBody,
    status: 201,
    errors: ['not_found', 'invalid_input', 'invalid_transition', 'conflict'],
    handler: ({ actor, params, body }) => sendMessage(deps, agent(actor), { ...body, conversationId: params.conversationId }),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/mentions',
    tag,
    summary: 'Where the signed-in person was @mentioned in internal notes, newest first (100 at most)',
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ unread: z.enum(['true', 'false']).default('false') }),
    errors: ['not_found'],
    response: z.array(mentionView),
    handler: ({ actor, query }) => listMyMentions(deps.db, actor, query.unread === 'true'),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/mentions/:mentionId/read',
    tag,
    summary: 'Mark one of my mentions as read',
    auth: 'session',
    params: shopIdParams.extend({ mentionId: z.uuid() }),
    errors: ['not_found'],
    handler: ({ actor, params }) => markMentionRead(deps.db, actor, params.mentionId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/queue-metrics',
    tag,
    summary: 'Queue metrics: open and waiting now; first response times, SLA compliance and CSAT over [from, to); opened and resolved per Tokyo day',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: complianceQuery.refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 93 * 86_400_000, { message: 'at most 93 days at a time', path: ['to'] }),
    errors: ['invalid_input', 'not_found'],
    response: queueMetricsView,
    handler: ({ actor, query }) => queueMetrics(deps.db, actor, new Date(query.from), new Date(query.to)),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/agents',
    tag,
    summary: "The shop's people with their role and presence (online, away, offline)",
    auth: 'session',
    params: shopIdParams,
    errors: ['not_found'],
    response: agentList,
    handler: async ({ actor }): Promise<AgentDto[]> => {
      if (actor.kind !== 'user') throw new DomainError('forbidden', 'for console users');
      const [members, presence] = await Promise.all([listMembers(deps.db, actor.shopId), deps.presence.statuses(actor.shopId)]);
      return members.map((m) => ({ userId: m.userId, name: m.name, role: m.role, status: presence.get(m.userId) ?? 'offline' }));
    },
  });
}
