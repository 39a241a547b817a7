import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { isDomainError } from '../../core/errors.ts';
import { KeyedSerial, handshakeRefusal, sharedHandler, unauthenticated, type LimitedSocketData } from '../../core/realtime.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import type { WidgetClientEvents, WidgetServerEvents } from './conversations.socket.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { rooms } from './conversations.rooms.ts';
import { conversationRef, openPayload, readPayload, sendPayload, syncPayload, typingPayload } from './conversations.schema.ts';
import { markRead, openChat, sendMessage, syncMessages, visibleConversation } from './conversations.service.ts';
import type { Author } from './conversations.types.ts';
import { agentNamespace, type AgentNamespace } from './conversations.socket.agent.ts';
import type { SocketDeps, WidgetNamespace } from './conversations.socket.types.ts';
import { PRESENCE_REFRESH_MS } from './presence.ts';
import { resolveCustomer, widgetSessionEnded, type WidgetSessionPrincipal } from './widget.service.ts';

export { rooms };
export type { AgentNamespace };

/**
 * What a widget connection keeps: who it is; its token bucket and its per-conversation send
 * order once it sends (most connections idle on a shop's pages and never do).
 */
interface WidgetSocketData extends LimitedSocketData {
  /** With the session's end: the connection lasts no longer than the session it was opened with. */
  principal: WidgetSessionPrincipal;
  serial?: KeyedSerial;
}
type WidgetSocket = Socket<WidgetClientEvents, WidgetServerEvents, Record<string, never>, WidgetSocketData>;
const authorOf = (socket: WidgetSocket): Extract<Author, { kind: 'customer' }> => ({ kind: 'customer', principal: socket.data.principal });

export const csatPayload = z.strictObject({ conversationId: conversationRef.shape.conversationId, rating: z.number().int().min(1).max(5), comment: z.string().max(1000).optional() });

const handshakeAuth = z.object({ shopId: shopIdParams.shape.shopId, token: z.string().max(200).optional() });

const sessionOver = (socket: WidgetSocket, now = Date.now()) => socket.data.principal.expiresAt.getTime() <= now;

/**
 * Ends a widget connection whose session is over. The transport is closed rather than the
 * socket disconnected: the widget then reconnects as after a network drop, its handshake is
 * refused as `unauthenticated` (the session has ended), and it starts a new session, which a
 * server-side disconnect (that a client never retries) would not make it do.
 */
function endSession(socket: WidgetSocket): void {
  socket.conn.close();
}

/**
 * Cuts, every `everyMs`, the connections of this process whose widget session has ended, so an
 * idle one does not outlive it either. One timer for the namespace, not one per connection;
 * answers the function that stops it.
 */
function sweepEndedSessions(nsp: WidgetNamespace, everyMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const socket of nsp.sockets.values()) if (sessionOver(socket as WidgetSocket, now)) endSession(socket as WidgetSocket);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The customer side: authenticated by the widget session token, sees only its own conversations. */
function widgetNamespace(nsp: WidgetNamespace, agents: AgentNamespace, deps: SocketDeps): () => void {
  nsp.use(async (socket, next) => {
    const a = handshakeAuth.safeParse(socket.handshake.auth);
    if (!a.success || !a.data.token) return next(unauthenticated('connect with { shopId, token } from a widget session'));
    try {
      socket.data.principal = await resolveCustomer(deps.db, a.data.shopId, a.data.token);
      // The session token has done its work: the connection does not carry the secret (nor its bytes) for hours.
      socket.handshake.auth = {};
      next();
    } catch (e) {
      next(handshakeRefusal(e, 'could not check the widget session'));
    }
  });
  // Every event is served only while the session the connection opened with lasts (as the
  // console's are, conversations.socket.access.ts); a widget session has a fixed end and is not
  // slid or revoked, so its end, read at the handshake, is what there is to check.
  const on = <S extends z.ZodType, R extends object | void>(schema: S, fn: (socket: WidgetSocket, x: z.output<S>) => Promise<R>) =>
    sharedHandler(deps.limits, deps.logger, schema, (socket, x) => {
      const s = socket as WidgetSocket;
      if (sessionOver(s)) {
        // After the refusal is answered: an ack sent after the cut would be lost.
        setImmediate(() => endSession(s));
        throw widgetSessionEnded();
      }
      return fn(s, x);
    });
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
      // The default first and the payload spread over it (a payload without `kind` has no such
      // key): `{ ...x, kind }` made Node 20's V8 build a new hidden class at every message.
      const r = await socket.data.serial.run(x.conversationId, () => sendMessage(deps, authorOf(socket), { kind: 'text', ...x }, socket.id));
      await follow(socket, x.conversationId);
      return r;
    }),
    sync: on(syncPayload, async (socket, x) => {
      // In the room before the read: a message stored between the two then reaches the
      // socket live, twice at worst (the widget's MessageLog keeps one); read first, it was
      // in neither the answer nor the broadcasts, a gap nothing after it might reveal.
      await visibleConversation(deps.db, authorOf(socket), x.conversationId);
      await follow(socket, x.conversationId);
      return syncMessages(deps, authorOf(socket), x.conversationId, x.afterSeq);
    }),
    typing: on(typingPayload, async (socket, x) => {
      await visibleConversation(deps.db, authorOf(socket), x.conversationId);
      agents.to(rooms.conversation(x.conversationId)).emit('typing', { conversationId: x.conversationId, who: 'customer', userId: null, name: socket.data.principal.customer.name, typing: x.typing });
    }),
    read: on(readPayload, async (socket, x) => {
      if (await markRead(deps, authorOf(socket), x.conversationId, x.seq)) {
        agents.to(rooms.conversation(x.conversationId)).emit('read', { conversationId: x.conversationId, by: 'customer', seq: x.seq });
      }
    }),
    'csat:rate': on(csatPayload, async (socket, x) => {
      const p = socket.data.principal;
      await chatHooks.rate(deps, { shopId: p.shopId, customerId: p.customerId, ...x });
    }),
  } satisfies Record<keyof WidgetClientEvents, unknown>;

  nsp.on('connection', (raw) => {
    const socket = raw as WidgetSocket;
    const p = socket.data.principal;
    void socket.join(rooms.widgetShop(p.shopId));
    for (const [event, listener] of Object.entries(listeners)) socket.on(event as keyof WidgetClientEvents, listener as never);
    void chatHooks.availability(deps, p.shopId).then((a) => socket.emit('availability', a)).catch(() => undefined);
  });
  return sweepEndedSessions(nsp, deps.refreshMs ?? PRESENCE_REFRESH_MS);
}

export function registerChatSockets(io: Server, deps: SocketDeps) {
  const widget: WidgetNamespace = io.of('/widget');
  const agent: AgentNamespace = io.of('/agent');
  const stopSweep = widgetNamespace(widget, agent, deps);
  const agentsSettled = agentNamespace(agent, widget, deps);
  // Called as the sockets close (core/realtime.ts close).
  const settled = async () => {
    stopSweep();
    await agentsSettled();
  };
  return { widget, agent, settled };
}
