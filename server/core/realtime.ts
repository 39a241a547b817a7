import type { Server as HttpServer } from 'node:http';
import { Emitter } from '@socket.io/redis-emitter';
import { Packr } from 'msgpackr';
import { Server, type Socket } from 'socket.io';
import type { ZodType, z } from 'zod';
import { DomainError, isDomainError } from './errors.ts';
import { knownError } from './http.ts';
import { refuseNul } from './nul.ts';
import type { Logger } from './logger.ts';
import { handledPublishes, type Redis } from './redis.ts';
import { emptySentBuffers, forgetRequests } from './realtime.memory.ts';
import { createPeers, PeerAwareAdapter } from './realtime.peers.ts';
import { fromUnavailable } from './unavailable.ts';

/** Socket.IO drops a connection whose single packet is bigger than this; field limits are far below. */
export const MAX_PACKET_BYTES = 256 * 1024;

/**
 * How broadcasts travel between processes through Redis (the Socket.IO adapter here, the
 * worker's emitter in worker.ts): MessagePack by msgpackr, which allocates a fraction of what
 * the adapter's default notepack.io does (that builds each message as an array of numbers
 * first). Plain MessagePack (no msgpackr records), and integers beyond 32 bits read as numbers,
 * not BigInt, as notepack.io reads them: for what madoguchi broadcasts (objects, arrays,
 * strings, numbers, booleans, null, dates) each reads what the other writes, so processes on
 * either side of an upgrade understand each other. They differ on what is not broadcast here:
 * a Map or Set, an Error, an object's toJSON, and an undefined property, which msgpackr keeps
 * and notepack.io drops (clients get JSON, which drops it too).
 */
const packr = new Packr({ useRecords: false, int64AsType: 'number' });
export const broadcastParser = { encode: (value: unknown) => packr.pack(value), decode: (buf: Buffer) => packr.unpack(buf) as unknown };

/** The key under which the adapter, the emitter and realtime.peers.ts name their Redis channels. */
const adapterKey = (keyPrefix: string) => `${keyPrefix}socket.io`;

/** The worker's way to reach sockets on every API process: the same channel and wire format as the adapter. */
export function redisEmitter(redis: Redis, keyPrefix: string): Emitter {
  return new Emitter(redis, { key: adapterKey(keyPrefix), parser: broadcastParser });
}

/** How the adapter's connections show in Redis's CLIENT LIST (a name may not hold spaces). */
export const connectionName = (keyPrefix: string, role: 'pub' | 'sub') => `${adapterKey(keyPrefix)}-${role}`.replace(/[^\w:.-]/g, '_');

/**
 * Socket.IO on the HTTP server, with the Redis adapter so every process reaches every
 * socket: a broadcast in one process arrives at clients connected to another.
 *
 * While Redis is away, sockets on this process still get what this process broadcasts (the
 * adapter delivers locally before it publishes); other processes' broadcasts are missed and
 * clients catch up by sequence number. The subscriber waits for Redis however long it takes
 * and subscribes again after a reconnect, so live updates across processes resume by
 * themselves.
 */
export function createRealtime(http: HttpServer, deps: { redis: Redis; keyPrefix: string; logger?: Logger; peers?: { refreshMs?: number; aloneAfter?: number; announceTimeoutMs?: number } }) {
  // Broadcasts made in one tick (a committed batch of messages) go to Redis in one write. No
  // offline queue: a broadcast Redis cannot take now is dropped at once, not sent stale later.
  const pub = handledPublishes(deps.redis.duplicate({ enableAutoPipelining: true, enableOfflineQueue: false, connectionName: connectionName(deps.keyPrefix, 'pub') }), deps.logger);
  // maxRetriesPerRequest null: a SUBSCRIBE sent while Redis is down waits for it instead of
  // failing, since ioredis re-subscribes after a reconnect only what was subscribed before.
  const sub = deps.redis.duplicate({ maxRetriesPerRequest: null, connectionName: connectionName(deps.keyPrefix, 'sub') });
  for (const client of [pub, sub]) client.on('error', (err: Error) => deps.logger?.debug({ err: err.message }, 'socket.io redis connection problem'));
  const io = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: MAX_PACKET_BYTES,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    // Browsers on the shop's pages connect over WebSocket only (no CORS preflight);
    // the console is same-origin and may fall back to polling.
    cors: undefined,
  });
  const key = adapterKey(deps.keyPrefix);
  // Broadcasts go to Redis only while another API process listens (realtime.peers.ts).
  const peers = createPeers({ pub, sub, key, logger: deps.logger, ...deps.peers });
  io.adapter(function (nsp: unknown) {
    return new PeerAwareAdapter(nsp, pub, sub, { key, parser: broadcastParser }, peers);
  } as never);
  forgetRequests(io.engine);
  emptySentBuffers(io.engine);
  /** `settle`: waits for the work the disconnected sockets left running, which may still broadcast. */
  const close = async (settle?: () => Promise<unknown>) => {
    peers.stop();
    io.disconnectSockets(true);
    io.engine.close();
    await settle?.();
    // Publishes still in the auto-pipeline go out before QUIT: a PING queued behind them answers after them.
    await pub.ping().catch(() => undefined);
    // A connection that is not up (Redis away) would hold QUIT until Redis came back: cut it.
    const bye = (c: Redis) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect());
    await Promise.all([bye(pub), bye(sub)]);
  };
  return { io, close, peers };
}

export type Realtime = ReturnType<typeof createRealtime>;

/**
 * A per-connection token bucket: `rate` events a second, bursts up to `burst`. A client that
 * keeps hammering after being refused is disconnected.
 */
export class ConnectionLimiter {
  private tokens: number;
  private last = Date.now();
  refusals = 0;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.refusals += 1;
    return false;
  }
}

export interface SocketLimits {
  rate: number;
  burst: number;
  /** Refusals after which the connection is cut. */
  disconnectAfter: number;
}

export const defaultSocketLimits: SocketLimits = { rate: 20, burst: 40, disconnectAfter: 200 };

type AckFn = (answer: unknown) => void;

/**
 * Wraps a socket event handler: rate limit, zod validation, and an ack of `{ ok: true, ... }`
 * or `{ error: code, message, details }`. Unknown errors are logged and answered generically.
 */
export function handler<S extends ZodType, R extends object | void>(
  socket: Socket,
  limiter: ConnectionLimiter,
  limits: SocketLimits,
  logger: Logger,
  schema: S,
  fn: (payload: z.output<S>) => Promise<R>,
) {
  return (...args: unknown[]) => runEvent(socket, limiter, limits, logger, schema, fn, args);
}

/** What a connection keeps for the shared handlers: its own token bucket, made at its first event. */
export interface LimitedSocketData {
  limiter?: ConnectionLimiter;
}

/**
 * handler() made once for a whole namespace rather than once per connection: Socket.IO
 * calls a listener with the socket as `this`, and the connection's limiter sits in its
 * `data`. Ten thousand idle widget sockets then share one set of listeners.
 */
export function sharedHandler<S extends ZodType, R extends object | void>(
  limits: SocketLimits,
  logger: Logger,
  schema: S,
  fn: (socket: Socket, payload: z.output<S>) => Promise<R>,
) {
  return function (this: Socket, ...args: unknown[]) {
    const socket = this;
    const data = socket.data as LimitedSocketData;
    return runEvent(socket, (data.limiter ??= new ConnectionLimiter(limits.rate, limits.burst)), limits, logger, schema, (x) => fn(socket, x), args);
  };
}

/** Work to do once the refusal `e` has been answered (see afterReply). */
const afterReplies = new WeakMap<object, () => void>();

/**
 * Runs `work` once the event that failed with `e` has had its answer: a connection ended
 * because of the refusal is ended after the ack is written, never before (an ack behind the
 * disconnect is lost, and the client sees only "disconnected").
 */
export function afterReply(e: unknown, work: () => void): void {
  if (typeof e === 'object' && e !== null) afterReplies.set(e, work);
  else setImmediate(work);
}

async function runEvent<S extends ZodType, R extends object | void>(
  socket: Socket,
  limiter: ConnectionLimiter,
  limits: SocketLimits,
  logger: Logger,
  schema: S,
  fn: (payload: z.output<S>) => Promise<R>,
  args: unknown[],
): Promise<void> {
  // Socket.IO hands the ack over last: an emit with no payload, or with extra arguments,
  // still gets its answer (a refusal) instead of a wait that ends in the client's timeout.
  const last = args[args.length - 1];
  const reply: AckFn = typeof last === 'function' ? (last as AckFn) : () => undefined;
  const given = typeof last === 'function' ? args.slice(0, -1) : args;
  if (!limiter.take()) {
    if (limiter.refusals >= limits.disconnectAfter) socket.disconnect(true);
    return reply({ error: 'rate_limited', message: 'too many events on this connection; slow down' });
  }
  if (given.length !== 1) return reply({ error: 'invalid_input', message: 'send one payload object with the event', details: [{ path: '', message: `expected 1 argument, got ${given.length}` }] });
  const parsed = schema.safeParse(given[0]);
  if (!parsed.success) {
    return reply({
      error: 'invalid_input',
      message: 'payload is not valid',
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  try {
    // The same NUL check as a REST body's, for every event: PostgreSQL would refuse the text.
    refuseNul(parsed.data, 'payload');
    const result = await fn(parsed.data);
    reply({ ok: true, ...(result ?? {}) });
  } catch (e) {
    // The same map as HTTP's error middleware: a refusal of the database is the input's fault (4xx), one that is away a 503.
    const known = knownError(e, 'payload');
    if (known) reply(ackError(known));
    else {
      logger.error({ err: e, event: 'socket' }, 'socket handler failed');
      reply({ error: 'internal', message: 'something went wrong; try again' });
    }
    const then = typeof e === 'object' && e !== null ? afterReplies.get(e) : undefined;
    if (then) {
      afterReplies.delete(e as object);
      then();
    }
  }
}

/**
 * A DomainError as an ack's answer. `unavailable` carries `retryAfter` (seconds) beside its
 * details, so a client keeps what it sent and sends it again then instead of giving up.
 */
export function ackError(e: DomainError) {
  const retryAfter = e.code === 'unavailable' ? Number(e.headers?.['Retry-After']) : undefined;
  return { error: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }), ...(retryAfter ? { retryAfter } : {}) };
}

export const unauthenticated = (message: string) => Object.assign(new Error(message), { data: { code: 'unauthenticated' } });

/**
 * The handshake refusal for an error thrown while checking who connects: a database or Redis
 * that is away is `unavailable` with `retryAfter` (the client tries again later and keeps
 * its session), anything else `unauthenticated` with `message` (or the DomainError's own).
 */
export function handshakeRefusal(e: unknown, message: string) {
  const down = fromUnavailable(e);
  if (down) return Object.assign(new Error(down.message), { data: { code: 'unavailable', retryAfter: Number(down.headers?.['Retry-After']) } });
  return unauthenticated(isDomainError(e) ? e.message : message);
}
export { DomainError };

/**
 * Runs tasks with the same key one after another, in the order they arrived. Socket.IO hands
 * events to handlers in order, but async handlers overlap; a client that pipelines messages
 * must see them stored in the order it sent them.
 *
 * A key whose tasks have all settled stays in the map (its tail `undefined`), and settled keys
 * are forgotten together once more than KEYS_KEPT keys are held. V8 makes a Map's table anew
 * when a delete leaves it less than a quarter full: deleting a widget's one conversation after
 * each message made a new table a message (about 150 bytes, straight in the old generation once
 * the map is old, where it adds to what the next full collection clears).
 */
export class KeyedSerial {
  static readonly KEYS_KEPT = 16;
  private readonly tails = new Map<string, Promise<unknown> | undefined>();

  /** How many keys are held: those running, and at most KEYS_KEPT settled ones. */
  get size(): number {
    return this.tails.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      // Only the key's last task marks it settled: a task queued behind this one is still running.
      if (this.tails.get(key) !== tail) return;
      this.tails.set(key, undefined);
      if (this.tails.size > KeyedSerial.KEYS_KEPT) {
        for (const [k, t] of this.tails) if (t === undefined) this.tails.delete(k);
      }
    });
    return result;
  }
}
