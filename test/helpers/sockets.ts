import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from '../../server/domains/conversations/conversations.socket.events.ts';
import { onRunEnd, perProcess } from './cleanup.ts';

export type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;
export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

const open = perProcess('sockets', () => new Set<Socket>());
function track<S extends Socket>(s: S): S {
  open.add(s);
  s.on('disconnect', () => undefined);
  // Registered again after each run of the cleanups: a parallel worker runs them after every file.
  onRunEnd('sockets', async () => {
    for (const x of open) x.disconnect();
    open.clear();
  });
  return s;
}

/** A widget connection, as a shop page opens it (WebSocket only). */
export function widgetClient(url: string, shopId: string, token: string, opts: { autoConnect?: boolean } = {}): WidgetSocket {
  return track(io(`${url}/widget`, { auth: { shopId, token }, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: opts.autoConnect ?? true }));
}

/** A console connection with the signed-in person's session cookie. */
export function agentClient(url: string, shopId: string, cookie: string | undefined, headers: Record<string, string> = {}): AgentSocket {
  return track(
    io(`${url}/agent`, {
      auth: { shopId },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { ...(cookie ? { cookie } : {}), ...headers },
    }),
  );
}

export function connected(s: Socket): Promise<void> {
  if (s.connected) return Promise.resolve();
  return new Promise((done, fail) => {
    s.once('connect', () => done());
    s.once('connect_error', (e) => fail(e));
  });
}

/** The connection refusal's message, or a failure if the socket connects. */
export function refused(s: Socket): Promise<string> {
  return new Promise((done, fail) => {
    s.once('connect', () => fail(new Error('connected, but should have been refused')));
    s.once('connect_error', (e) => done(e.message));
  });
}

/** Emits and resolves with the ack's answer (fails after `ms`). */
export function ask<T = any>(s: Socket, event: string, payload: unknown, ms = 10_000): Promise<T> {
  return s.timeout(ms).emitWithAck(event, payload) as Promise<T>;
}

/** Resolves with the first `event` whose payload passes `test`. */
export function waitFor<T = any>(s: Socket, event: string, test: (p: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      s.off(event, listener);
      fail(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const listener = (p: T) => {
      if (!test(p)) return;
      clearTimeout(timer);
      s.off(event, listener);
      done(p);
    };
    s.on(event, listener);
  });
}

export const cid = () => randomUUID();
