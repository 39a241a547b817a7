import { parse as parseCookies } from 'cookie';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { Actor } from '../../core/actor.ts';
import type { Logger } from '../../core/logger.ts';
import { ConnectionLimiter, handler, handshakeRefusal, KeyedSerial, sharedHandler, unauthenticated, type LimitedSocketData, type SocketLimits } from '../../core/realtime.ts';
import { findMembership } from '../auth/auth.repository.ts';
import { SESSION_COOKIE } from '../auth/auth.cookie.ts';
import { resolveSession, type AuthDeps } from '../auth/auth.service.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { assignWaiting } from './conversations.assign.ts';
import type { AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from './conversations.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { getConversation } from './conversations.queue.ts';
import { conversationRef, openPayload, presencePayload, readPayload, sendPayload, syncPayload, typingPayload } from './conversations.schema.ts';
import { markRead, openChat, sendMessage, syncMessages, visibleConversation, type Author, type ChatDeps } from './conversations.service.ts';
import { PRESENCE_REFRESH_MS } from './presence.ts';
import { ViewerStore } from './viewers.ts';
import { resolveCustomer, type CustomerPrincipal } from './widget.service.ts';

export interface SocketDeps extends ChatDeps {
  auth: AuthDeps;
  logger: Logger;
  limits: SocketLimits;
  /** Origins the console is served from; a browser handshake from anywhere else is refused. */
  consoleOrigins: string[];
}

export type WidgetNamespace = Namespace<WidgetClientEvents, WidgetServerEvents>;

/** What a widget connection keeps: who it is, its token bucket, its per-conversation send order. */
interface WidgetSocketData extends LimitedSocketData {
  principal: CustomerPrincipal;
  author: Extract<Author, { kind: 'customer' }>;
  serial?: KeyedSerial;
}
type WidgetSocket = Socket<WidgetClientEvents, WidgetServerEvents, Record<string, never>, WidgetSocketData>;

const csatPayload = z.strictObject({ conversationId: conversationRef.shape.conversationId, rating: z.number().int().min(1).max(5), comment: z.string().max(1000).optional() });
export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents>;

const handshakeAuth = z.object({ shopId: shopIdParams.shape.shopId, token: z.string().max(200).optional() });

export const rooms = {
  widgetConversation: (id: string) => `wconv:${id}`,
  conversation: (id: string) => `conv:${id}`,
  shop: (shopId: string, masked: boolean) => `shop:${shopId}:${masked ? 'masked' : 'full'}`,
  user: (userId: string) => `user:${userId}`,
  widgetShop: (shopId: string) => `wshop:${shopId}`,
};

/** The customer side: authenticated by the widget session token, sees only its own conversations. */
function widgetNamespace(nsp: WidgetNamespace, agents: AgentNamespace, deps: SocketDeps): void {
  nsp.use(async (socket, next) => {
    const a = handshakeAuth.safeParse(socket.handshake.auth);
    if (!a.success || !a.data.token) return next(unauthenticated('connect with { shopId, token } from a widget session'));
    try {
      socket.data.principal = await resolveCustomer(deps.db, a.data.shopId, a.data.token);
      next();
    } catch (e) {
      next(handshakeRefusal(e, 'could not check the widget session'));
    }
  });
  const on = <S extends z.ZodType, R extends object | void>(schema: S, fn: (socket: WidgetSocket, x: z.output<S>) => Promise<R>) =>
    sharedHandler(deps.limits, deps.logger, schema, (socket, x) => fn(socket as WidgetSocket, x));
  const follow = (socket: WidgetSocket, conversationId: string) => socket.join(rooms.widgetConversation(conversationId));
  // Made once for the namespace: an idle widget socket holds its data and no closures of its own.
  const listeners = {
    'conversation:open': on(openPayload, async (socket, x) => {
      const conversation = await openChat(deps, socket.data.principal, x);
      await follow(socket, conversation.id);
      return { conversation };
    }),
    'message:send': on(sendPayload, async (socket, x) => {
      socket.data.serial ??= new KeyedSerial();
      const r = await socket.data.serial.run(x.conversationId, () => sendMessage(deps, socket.data.author, { ...x, kind: x.kind ?? 'text' }, socket.id));
      await follow(socket, x.conversationId);
      return r;
    }),
    sync: on(syncPayload, async (socket, x) => {
      const r = await syncMessages(deps, socket.data.author, x.conversationId, x.afterSeq);
      await follow(socket, x.conversationId);
      return r;
    }),
    typing: on(typingPayload, async (socket, x) => {
      await visibleConversation(deps.db, socket.data.author, x.conversationId);
      agents.to(rooms.conversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, who: 'customer', userId: null, name: socket.data.principal.customer.name, typing: x.typing });
    }),
    read: on(readPayload, async (socket, x) => {
      if (await markRead(deps, socket.data.author, x.conversationId, x.seq)) {
        agents.to(rooms.conversation(x.conversationId)).emit('read', { conversationId: x.conversationId, by: 'customer', seq: x.seq });
      }
    }),
    'csat:rate': on(csatPayload, async (socket, x) => {
      const p = socket.data.principal;
      await chatHooks.rate(deps.db, { shopId: p.shopId, customerId: p.customerId, ...x });
    }),
  } satisfies Record<keyof WidgetClientEvents, unknown>;

  nsp.on('connection', (raw) => {
    const socket = raw as WidgetSocket;
    const p = socket.data.principal;
    socket.data.author = { kind: 'customer', principal: p };
    socket.data.limiter = new ConnectionLimiter(deps.limits.rate, deps.limits.burst);
    void socket.join(rooms.widgetShop(p.shopId));
    for (const [event, listener] of Object.entries(listeners)) socket.on(event as keyof WidgetClientEvents, listener as never);
    void chatHooks.availability(deps, p.shopId).then((a) => socket.emit('availability', a)).catch(() => undefined);
  });
}

function sameOrigin(socket: Socket, allowed: string[]): boolean {
  const origin = socket.handshake.headers.origin;
  if (!origin) return true; // not a browser: a cookie it holds is its own, not a victim's
  const host = socket.handshake.headers.host;
  return allowed.includes(origin) || origin === `http://${host}` || origin === `https://${host}`;
}

/** The console side: the session cookie, a membership in the shop, and the same origin. */
/** Answers a function that waits for the cleanups of the sockets that have gone (presence, viewers). */
function agentNamespace(nsp: AgentNamespace, widgets: WidgetNamespace, deps: SocketDeps): () => Promise<void> {
  const cleanups = new Set<Promise<void>>();
  const viewers = new ViewerStore(deps.redis, deps.keyPrefix);
  nsp.use(async (socket, next) => {
    if (!sameOrigin(socket, deps.consoleOrigins)) return next(unauthenticated('the console connects from its own origin only'));
    const a = handshakeAuth.safeParse(socket.handshake.auth);
    if (!a.success) return next(unauthenticated('connect with { shopId }'));
    try {
      const token = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
      const principal = await resolveSession(deps.auth, token);
      const m = await findMembership(deps.db, a.data.shopId, principal.user.id);
      if (!m) return next(unauthenticated('not a member of this shop'));
      socket.data.actor = { kind: 'user', shopId: a.data.shopId, userId: principal.user.id, name: principal.user.name, role: m.role } satisfies Actor;
      socket.data.token = token;
      next();
    } catch (e) {
      next(handshakeRefusal(e, 'could not check the session'));
    }
  });
  nsp.on('connection', (socket) => {
    const actor = socket.data.actor as Extract<Actor, { kind: 'user' }>;
    const author: Author = { kind: 'agent', actor };
    const limiter = new ConnectionLimiter(deps.limits.rate, deps.limits.burst);
    const on = <S extends z.ZodType, R extends object | void>(schema: S, fn: (x: z.output<S>) => Promise<R>) =>
      handler(socket, limiter, deps.limits, deps.logger, schema, async (x) => {
        await joined;
        return fn(x);
      });
    const me = { userId: actor.userId, name: actor.name };
    let status: 'online' | 'away' = 'online';
    // Best effort, and never a crash: during a shutdown Redis may already be gone.
    const publishViewers = (conversationId: string) =>
      viewers
        .list(conversationId)
        .then((list) => void nsp.to(rooms.conversation(conversationId)).emit('viewers', { conversationId, viewers: list }))
        .catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'viewers broadcast failed'));
    const announce = () => {
      deps.bus.publish('presence.changed', { shopId: actor.shopId, userId: actor.userId, name: actor.name });
      if (status === 'online') void assignWaiting(deps, actor.shopId).catch(() => undefined);
    };

    // Not awaited before the listeners below are registered: an event the client sends right
    // after connecting would arrive before them and be dropped. Handlers wait for it instead,
    // so an early `presence:set away` is not overwritten by this first `online`.
    const joined = (async () => {
      await socket.join([rooms.shop(actor.shopId, masksContactData(actor.role)), rooms.user(actor.userId)]);
      await deps.presence.set(actor.shopId, actor.userId, socket.id, status);
      announce();
    })();
    joined.catch((err: unknown) => {
      deps.logger.warn({ err: String(err) }, 'agent socket setup failed');
      socket.disconnect(true);
    });
    // Presence is refreshed while connected, and the session re-checked: a signed-out or
    // expired session loses its socket within one refresh.
    const refresh = setInterval(() => {
      void resolveSession(deps.auth, socket.data.token as string)
        .then(() => deps.presence.set(actor.shopId, actor.userId, socket.id, status))
        .catch(() => socket.disconnect(true));
    }, PRESENCE_REFRESH_MS);

    socket.on('conversation:join', on(conversationRef, async (x) => {
      const conversation = await getConversation(deps.db, actor, x.conversationId);
      await socket.join(rooms.conversation(x.conversationId));
      await viewers.set(x.conversationId, socket.id, { ...me, typing: false });
      void publishViewers(x.conversationId);
      return { conversation, viewers: await viewers.list(x.conversationId) };
    }));
    socket.on('conversation:leave', on(conversationRef, async (x) => {
      await socket.leave(rooms.conversation(x.conversationId));
      await viewers.remove(x.conversationId, socket.id);
      void publishViewers(x.conversationId);
    }));
    const serial = new KeyedSerial();
    socket.on('message:send', on(sendPayload, (x) => serial.run(x.conversationId, () => sendMessage(deps, author, x, socket.id))));
    socket.on('sync', on(syncPayload, (x) => syncMessages(deps, author, x.conversationId, x.afterSeq)));
    socket.on('typing', on(typingPayload.extend({ note: z.boolean().optional() }), async (x) => {
      await visibleConversation(deps.db, author, x.conversationId);
      await viewers.set(x.conversationId, socket.id, { ...me, typing: x.typing });
      socket.to(rooms.conversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, who: 'agent', userId: actor.userId, name: actor.name, typing: x.typing });
      // Writing an internal note is nobody's business on the customer's side.
      if (!x.note) widgets.to(rooms.widgetConversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, name: actor.name, typing: x.typing });
      void publishViewers(x.conversationId);
    }));
    socket.on('read', on(readPayload, async (x) => {
      if (await markRead(deps, author, x.conversationId, x.seq)) {
        widgets.to(rooms.widgetConversation(x.conversationId)).emit('read', { conversationId: x.conversationId, seq: x.seq });
        nsp.to(rooms.conversation(x.conversationId)).emit('read', { conversationId: x.conversationId, by: 'agent', seq: x.seq });
      }
    }));
    socket.on('presence:set', on(presencePayload, async (x) => {
      status = x.status;
      await deps.presence.set(actor.shopId, actor.userId, socket.id, status);
      announce();
    }));
    socket.on('work:heartbeat', on(conversationRef, async (x) => {
      await visibleConversation(deps.db, author, x.conversationId);
      await chatHooks.heartbeat(deps.db, { shopId: actor.shopId, userId: actor.userId, conversationId: x.conversationId, at: new Date() });
    }));
    socket.on('disconnect', () => {
      clearInterval(refresh);
      const cleanup = (async () => {
        // A socket gone while joining must not leave its presence entry behind.
        await joined.catch(() => undefined);
        await deps.presence.remove(actor.shopId, actor.userId, socket.id);
        for (const id of await viewers.removeSocket(socket.id)) await publishViewers(id);
        deps.bus.publish('presence.changed', { shopId: actor.shopId, userId: actor.userId, name: actor.name });
      })()
        .catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'presence cleanup failed'))
        .finally(() => cleanups.delete(cleanup));
      cleanups.add(cleanup);
    });
  });
  return async () => void (await Promise.all([...cleanups]));
}

export function registerChatSockets(io: Server, deps: SocketDeps) {
  const widget: WidgetNamespace = io.of('/widget');
  const agent: AgentNamespace = io.of('/agent');
  widgetNamespace(widget, agent, deps);
  const settled = agentNamespace(agent, widget, deps);
  return { widget, agent, settled };
}
