/**
 * The client side of the chat bench: many widget sockets and a few console sockets, and an
 * open-loop sender that emits customer messages at a set aggregate rate (it never waits for
 * an answer before the next send, so a slow server shows as latency, not as a lower rate).
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { watchGc, type MajorGc } from './ipc.ts';
import type { AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from '../../server/domains/conversations/conversations.socket.events.ts';

export type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;
export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;
export interface Customer {
  socket: WidgetSocket;
  conversationId: string;
}

const options = { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 };

/** Runs `fn` over `items` with at most `limit` in flight; answers in input order. The first failure stops it. */
export async function pool<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
  return out;
}

function connected<S extends Socket>(s: S): Promise<S> {
  return new Promise((done, fail) => {
    s.once('connect', () => done(s));
    s.once('connect_error', (e) => fail(new Error(`socket refused: ${e.message}`)));
  });
}

export const connectWidgets = (url: string, shopId: string, tokens: string[], limit = 200) =>
  pool(tokens, limit, (token) => connected(io(`${url}/widget`, { ...options, auth: { shopId, token } }) as WidgetSocket));

export const connectAgents = (url: string, shopId: string, cookies: Array<string | undefined>) =>
  pool(cookies, 10, (cookie) => connected(io(`${url}/agent`, { ...options, auth: { shopId }, extraHeaders: cookie ? { cookie } : {} }) as AgentSocket));

/** Disconnects and resolves once every socket says so. */
export async function closeAll(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map((s) => (s.connected ? new Promise<void>((done) => (s.once('disconnect', () => done()), s.disconnect())) : Promise.resolve())));
}

async function ask<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  const a = (await s.timeout(60_000).emitWithAck(event, payload)) as T & { ok?: boolean; error?: string; message?: string };
  if (!a.ok) throw new Error(`${event}: ${a.error} ${a.message ?? ''}`);
  return a;
}

export const openConversations = (sockets: WidgetSocket[], limit = 50): Promise<Customer[]> =>
  pool(sockets, limit, async (socket) => {
    const a = await ask<{ conversation: { id: string } }>(socket, 'conversation:open', {});
    return { socket, conversationId: a.conversation.id };
  });

/** Conversation i is watched by agent i mod n: every message has exactly one agent receiver. */
export const joinAll = (agents: AgentSocket[], conversationIds: string[], limit = 50) =>
  pool(conversationIds, limit, (conversationId, i) => ask(agents[i % agents.length]!, 'conversation:join', { conversationId }));

export interface Step {
  target: number;
  sent: number;
  /** The server fell so far behind that sending stopped before the planned count. */
  overloaded: boolean;
  /** Sends per second the client managed (below target when the client itself is saturated). */
  sendRate: number;
  /** Agent receives per second, first send to last receive. */
  recvRate: number;
  received: number;
  lost: number;
  errors: Record<string, number>;
  /** send → agent receives, ms, sorted. */
  latency: Float64Array;
  /** send → ack (after commit on the real server), ms, sorted. */
  ack: Float64Array;
  /** Event-loop utilisation of the bench (client) process during the step. */
  clientElu: number;
  /** The client's own event-loop delay, p99 and max, ms: time it could not react. */
  clientLag: { p99: number; max: number };
  /**
   * The slowest 1% of messages (latency at or above the p99) and the distinct 100 ms windows
   * they were sent in: a few windows mean a few stalls that held everything sent meanwhile;
   * as many windows as messages mean a tail spread over the whole step. `at`: each window's
   * start, s into the step.
   */
  tail: { messages: number; windows: number; at: number[] };
  /** When the step started, ms since the epoch (to place other processes' events in it). */
  startedAt: number;
  /** The client's own full collections during the step (its sockets' heap, marked whole each time). */
  clientMajors: MajorGc[];
}

/** This process's collections, read by whichever Meter runs a step (one at a time). */
const clientGc = watchGc();

export const pct = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN);

/** Tracks send times by client id; agents' `message` events close them. */
export class Meter {
  private pending = new Map<string, number>();
  private lat: number[] = [];
  /** When each message of `lat` was sent (same order). */
  private sentAt: number[] = [];
  private acks: number[] = [];
  private errors: Record<string, number> = {};
  private lastArrival = 0;

  watch(agents: AgentSocket[]): void {
    for (const a of agents) a.on('message', (m) => this.arrived(m.clientId));
  }
  private arrived(clientId: string): void {
    const t = this.pending.get(clientId);
    if (t === undefined) return;
    const now = performance.now();
    this.lat.push(now - t);
    this.sentAt.push(t);
    this.pending.delete(clientId);
    this.lastArrival = now;
  }
  private send(c: Customer, n: number): void {
    const clientId = randomUUID();
    const t = performance.now();
    this.pending.set(clientId, t);
    c.socket.emit('message:send', { conversationId: c.conversationId, clientId, body: `配送状況について教えてください。注文番号 B-${n} です。Where is my order?` }, (a) => {
      this.acks.push(performance.now() - t);
      if (!('ok' in a)) this.errors[a.error] = (this.errors[a.error] ?? 0) + 1;
    });
  }

  /**
   * Sends `rate` messages a second for `seconds`, round-robin over the customers, then waits
   * for stragglers. A server that falls too far behind (more unanswered sends than `backlogS`
   * seconds of traffic) is not fed further: the step ends early, marked overloaded.
   */
  async run(customers: Customer[], rate: number, seconds: number, opts: { drainMs?: number; backlogS?: number } = {}): Promise<Step> {
    this.pending.clear();
    this.lat = [];
    this.sentAt = [];
    this.acks = [];
    this.errors = {};
    const planned = Math.max(1, Math.round(rate * seconds));
    const maxBacklog = Math.max(500, rate * (opts.backlogS ?? 5));
    const elu = performance.eventLoopUtilization();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    clientGc.take();
    const t0 = performance.now();
    let n = 0;
    let overloaded = false;
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(planned, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
        for (; n < due; n++) this.send(customers[n % customers.length]!, n);
        overloaded = n - this.acks.length > maxBacklog;
        if (n >= planned || overloaded) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const total = n;
    const sendMs = performance.now() - t0;
    const until = performance.now() + (opts.drainMs ?? 120_000);
    while ((this.pending.size || this.acks.length < total) && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const sorted = (xs: number[]) => Float64Array.from(xs).sort();
    const latency = sorted(this.lat);
    const p99 = pct(latency, 99);
    const slow = this.sentAt.filter((_, i) => this.lat[i]! >= p99);
    const windows = [...new Set(slow.map((t) => Math.floor((t - t0) / 100)))].sort((a, b) => a - b);
    const tail = { messages: slow.length, windows: windows.length, at: windows.map((w) => w / 10) };
    return {
      target: rate,
      sent: total,
      overloaded,
      sendRate: total / (sendMs / 1000),
      recvRate: this.lat.length / ((Math.max(this.lastArrival, t0 + 1) - t0) / 1000),
      received: this.lat.length,
      lost: this.pending.size,
      errors: { ...this.errors, ...(this.acks.length < total ? { no_ack: total - this.acks.length } : {}) },
      latency,
      ack: sorted(this.acks),
      clientElu: performance.eventLoopUtilization(elu).utilization,
      clientLag: (lag.disable(), { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 }),
      tail,
      startedAt: performance.timeOrigin + t0,
      clientMajors: clientGc.take().majors,
    };
  }
}
