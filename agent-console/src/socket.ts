import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents } from './types.ts';

/** The console's end of the `/agent` namespace, typed by the server's own event maps. */
export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

export interface Live {
  socket: AgentSocket | null;
  connected: boolean;
  /** Was connected and lost it (shown as a banner; not while the first connection is made). */
  lost: boolean;
  /** Bumped on every (re)connection after the first, so views can catch up with `sync`. */
  generation: number;
  presence: 'online' | 'away';
  setPresence: (status: 'online' | 'away') => void;
  /** Re-reads the session: the server said the person's access to a shop changed. */
  recheck: () => void;
}

/** A server-side disconnect is retried once after this wait. */
const RETRY_AFTER_KICK_MS = 2000;

export const LiveContext = createContext<Live>({ socket: null, connected: false, lost: false, generation: 0, presence: 'online', setPresence: () => undefined, recheck: () => undefined });
export const useLive = (): Live => useContext(LiveContext);

type AccessEnd = Parameters<AgentServerEvents['access:changed']>[0]['reason'];

/**
 * What a connection does when the server ends it or refuses it. With a reason
 * (`access:changed` just before the disconnect, or a refused reconnect): re-read the session,
 * which drops a shop the person left and sends an ended session to sign-in; after a role
 * change, also connect again at once, into the rooms of the new role. Without one (a restart's
 * drain): try again once. Socket.IO comes back by itself from everything else.
 */
export function followAccess(s: AgentSocket, recheck: () => void, closed: () => boolean): void {
  let reason: AccessEnd | undefined;
  s.on('access:changed', (p) => {
    reason = p.reason;
  });
  s.on('disconnect', (why) => {
    if (why !== 'io server disconnect') return;
    const told = reason;
    reason = undefined;
    if (!told) {
      window.setTimeout(() => !closed() && s.connect(), RETRY_AFTER_KICK_MS);
      return;
    }
    if (told === 'role_changed' && !closed()) s.connect();
    recheck();
  });
  s.on('connect_error', (err: Error & { data?: { code?: string; retryAfter?: number } }) => {
    if (closed()) return;
    if (err.data?.code === 'unauthenticated') recheck();
    // Refused for another cause (its database or Redis away just now): not a sign-out, and
    // Socket.IO does not retry a refused handshake by itself. The server says when to knock again.
    else if (!s.active) window.setTimeout(() => !closed() && s.connect(), err.data?.retryAfter ? err.data.retryAfter * 1000 : RETRY_AFTER_KICK_MS);
  });
}

/**
 * One socket per open shop, same origin with the session cookie (the server checks both).
 * The chosen presence survives reconnects: the server starts every connection as online.
 * `onAccessChanged` re-reads the session when the server ends the connection for a reason.
 */
export function useShopSocket(shopId: string | null, onAccessChanged: () => unknown = () => undefined): Live {
  const [socket, setSocket] = useState<AgentSocket | null>(null);
  const [connected, setConnected] = useState(false);
  const [lost, setLost] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [presence, setPresenceState] = useState<'online' | 'away'>('online');
  const presenceRef = useRef(presence);
  const accessRef = useRef(onAccessChanged);
  accessRef.current = onAccessChanged;
  const recheck = useCallback(() => void accessRef.current(), []);

  useEffect(() => {
    if (!shopId) return;
    const s: AgentSocket = io('/agent', { auth: { shopId }, withCredentials: true });
    let first = true;
    let closed = false;
    s.on('connect', () => {
      setConnected(true);
      setLost(false);
      if (presenceRef.current === 'away') s.emit('presence:set', { status: 'away' });
      if (!first) setGeneration((g) => g + 1);
      first = false;
    });
    s.on('disconnect', () => {
      setConnected(false);
      setLost(true);
    });
    followAccess(s, recheck, () => closed);
    setSocket(s);
    return () => {
      closed = true;
      s.disconnect();
      setSocket(null);
      setConnected(false);
      setLost(false);
    };
  }, [shopId, recheck]);

  const setPresence = useCallback(
    (status: 'online' | 'away') => {
      presenceRef.current = status;
      setPresenceState(status);
      socket?.emit('presence:set', { status });
    },
    [socket],
  );

  return { socket, connected, lost, generation, presence, setPresence, recheck };
}

/** Listens to one server event while mounted; the handler may change without re-subscribing. */
export function useSocketEvent<E extends keyof AgentServerEvents>(socket: AgentSocket | null, event: E, handler: AgentServerEvents[E]): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!socket) return;
    const listener = ((...args: unknown[]) => (ref.current as (...a: unknown[]) => void)(...args)) as never;
    socket.on(event, listener);
    return () => {
      socket.off(event, listener);
    };
  }, [socket, event]);
}

/** The ack's answer, or an error for a refusal or a timeout. */
export class AckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type AckAnswer<T> = ({ ok: true } & T) | { error: string; message: string };
type Events = AgentClientEvents;
/** What a successful ack of event E carries. */
export type AckOk<E extends keyof Events> = Parameters<Events[E]> extends [unknown, (infer A)?] ? (NonNullable<A> extends (answer: infer R) => void ? Extract<R, { ok: true }> : never) : never;

/** Emits and waits for the ack; a refusal becomes AckError(code), no answer AckError('timeout'). */
export async function ask<E extends keyof Events>(socket: AgentSocket, event: E, payload: Parameters<Events[E]>[0], ms = 10_000): Promise<AckOk<E>> {
  // emitWithAck's own typing does not follow `timeout()` through our event map.
  const emit = socket.timeout(ms) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<AckAnswer<object>> };
  let answer: AckAnswer<object>;
  try {
    answer = await emit.emitWithAck(event, payload);
  } catch {
    throw new AckError('timeout', 'no answer from the server');
  }
  if ('error' in answer) throw new AckError(answer.error, answer.message);
  return answer as AckOk<E>;
}
