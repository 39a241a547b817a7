import { parse as parseCookies } from 'cookie';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { ConnectionLimiter, handler, handshakeRefusal, KeyedSerial } from '../../core/realtime.ts';
import { accessEndOf, currentAccess, sessionIdOf, type MemberAccess } from '../auth/auth.access.ts';
import { SESSION_COOKIE } from '../auth/auth.cookie.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { assignWaiting } from './conversations.assign.ts';
import type { AgentClientEvents, AgentServerEvents } from './conversations.socket.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { getConversation } from './conversations.inbox.ts';
import { rooms } from './conversations.rooms.ts';
import { conversationRef, presencePayload, readPayload, sendPayload, syncPayload, typingPayload } from './conversations.schema.ts';
import { markRead, sendMessage, syncMessages, visibleConversation } from './conversations.service.ts';
import type { Author } from './conversations.types.ts';
import { LiveAccess, LiveAccessRegistry, refusal } from './conversations.socket.access.ts';
import type { SocketDeps, WidgetNamespace } from './conversations.socket.types.ts';
import { PRESENCE_REFRESH_MS } from './presence.ts';
import { ViewerStore } from './viewers.ts';

/** Between processes: "this person's access changed, re-check their connections" (see DomainEvents['access.changed']). */
export interface AgentServerSideEvents {
  'access:check': (p: { userId: string; shopId: string | null }) => void;
}
interface AgentSocketData {
  sessionId: string;
  access: MemberAccess;
  /** The re-read made once the connection is registered (see below); settled when it has run. */
  firstCheck?: Promise<void>;
}
export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents, AgentServerSideEvents, AgentSocketData>;
type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, AgentServerSideEvents, AgentSocketData>;
type UserActor = MemberAccess['actor'];

const handshakeAuth = z.object({ shopId: shopIdParams.shape.shopId });

function sameOrigin(socket: AgentSocket, allowed: string[]): boolean {
  const origin = socket.handshake.headers.origin;
  if (!origin) return true; // not a browser: a cookie it holds is its own, not a victim's
  const host = socket.handshake.headers.host;
  return allowed.includes(origin) || origin === `http://${host}` || origin === `https://${host}`;
}

/**
 * The console side: the session cookie, a membership in the shop, and the same origin. The
 * role and session it connects with are re-read on every event, on a timer and whenever they
 * change anywhere (conversations.socket.access.ts). Answers a function that waits for the
 * cleanups of the sockets that have gone (presence, viewers).
 */
export function agentNamespace(nsp: AgentNamespace, widgets: WidgetNamespace, deps: SocketDeps): () => Promise<void> {
  const cleanups = new Set<Promise<void>>();
  const viewers = new ViewerStore(deps.redis, deps.keyPrefix);
  const live = new LiveAccessRegistry();
  // A change made in this process, and one made in another (conversations.broadcast.ts relays it).
  deps.bus.on('access.changed', ({ userId, shopId }) => live.recheck(userId, shopId));
  nsp.on('access:check', ({ userId, shopId }) => void live.recheck(userId, shopId).catch(() => undefined));

  nsp.use(async (socket, next) => {
    if (!sameOrigin(socket, deps.consoleOrigins)) return next(refusal('the console connects from its own origin only'));
    const a = handshakeAuth.safeParse(socket.handshake.auth);
    if (!a.success) return next(refusal('connect with { shopId }'));
    const token = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
    if (!token) return next(refusal('sign in first', 'session_ended'));
    try {
      const sessionId = sessionIdOf(token);
      // Connecting is not using the console: the session's expiry stays where it is.
      socket.data.access = await currentAccess(deps.auth, sessionId, a.data.shopId);
      socket.data.sessionId = sessionId;
      next();
    } catch (e) {
      const reason = accessEndOf(e);
      if (reason) return next(refusal(e instanceof Error ? e.message : 'sign in again', reason));
      deps.logger.warn({ err: String(e) }, 'could not check a console handshake');
      // Its database or Redis away (503 with Retry-After), or anything else: not a sign-out either way.
      const refused = handshakeRefusal(e, 'could not check the session; try again');
      next(refused.data.code === 'unavailable' ? refused : Object.assign(new Error('could not check the session; try again'), { data: { code: 'unavailable' } }));
    }
  });

  nsp.on('connection', (socket) => {
    const actor = socket.data.access.actor;
    const limiter = new ConnectionLimiter(deps.limits.rate, deps.limits.burst);
    let status: 'online' | 'away' = 'online';
    const access = new LiveAccess(
      socket,
      {
        auth: deps.auth,
        logger: deps.logger,
        refreshMs: deps.refreshMs ?? PRESENCE_REFRESH_MS,
        // Presence is refreshed only while the access holds.
        onTick: () => deps.presence.set(actor.shopId, actor.userId, socket.id, status),
      },
      socket.data.sessionId,
      actor,
      socket.data.access.expiresAt,
    );
    live.add(access);
    // A change committed between the handshake's read and this registration sent its signal
    // to no one: one more read, now that later signals will find the connection, closes that gap.
    socket.data.firstCheck = access.check();
    /** Every event acts as the person is now in the shop, not as they connected. */
    const on = <S extends z.ZodType, R extends object | void>(schema: S, fn: (x: z.output<S>, now: UserActor) => Promise<R>) =>
      handler(socket, limiter, deps.limits, deps.logger, schema, async (x) => {
        await joined;
        return access.serve((now) => fn(x, now));
      });
    const author = (now: UserActor): Author => ({ kind: 'agent', actor: now });
    const me = (now: UserActor) => ({ userId: now.userId, name: now.name });
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

    socket.on('conversation:join', on(conversationRef, async (x, now) => {
      const conversation = await getConversation(deps.db, now, x.conversationId);
      await socket.join(rooms.conversation(x.conversationId));
      await viewers.set(x.conversationId, socket.id, { ...me(now), typing: false });
      void publishViewers(x.conversationId);
      return { conversation, viewers: await viewers.list(x.conversationId) };
    }));
    socket.on('conversation:leave', on(conversationRef, async (x) => {
      await socket.leave(rooms.conversation(x.conversationId));
      await viewers.remove(x.conversationId, socket.id);
      void publishViewers(x.conversationId);
    }));
    const serial = new KeyedSerial();
    socket.on('message:send', on(sendPayload, (x, now) => serial.run(x.conversationId, () => sendMessage(deps, author(now), x, socket.id))));
    socket.on('sync', on(syncPayload, (x, now) => syncMessages(deps, author(now), x.conversationId, x.afterSeq)));
    socket.on('typing', on(typingPayload.extend({ note: z.boolean().optional() }), async (x, now) => {
      await visibleConversation(deps.db, author(now), x.conversationId);
      await viewers.set(x.conversationId, socket.id, { ...me(now), typing: x.typing });
      socket.to(rooms.conversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, who: 'agent', userId: now.userId, name: now.name, typing: x.typing });
      // Writing an internal note is nobody's business on the customer's side.
      if (!x.note) widgets.to(rooms.widgetConversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, name: now.name, typing: x.typing });
      void publishViewers(x.conversationId);
    }));
    socket.on('read', on(readPayload, async (x, now) => {
      if (await markRead(deps, author(now), x.conversationId, x.seq)) {
        widgets.to(rooms.widgetConversation(x.conversationId)).emit('read', { conversationId: x.conversationId, seq: x.seq });
        nsp.to(rooms.conversation(x.conversationId)).emit('read', { conversationId: x.conversationId, by: 'agent', seq: x.seq });
      }
    }));
    socket.on('presence:set', on(presencePayload, async (x) => {
      status = x.status;
      await deps.presence.set(actor.shopId, actor.userId, socket.id, status);
      announce();
    }));
    socket.on('work:heartbeat', on(conversationRef, async (x, now) => {
      await visibleConversation(deps.db, author(now), x.conversationId);
      await chatHooks.heartbeat(deps.db, { shopId: now.shopId, userId: now.userId, conversationId: x.conversationId, at: new Date() });
    }));
    socket.on('disconnect', () => {
      access.stop();
      live.remove(access);
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
