import { randomBytes } from 'node:crypto';
import { RedisAdapter } from '@socket.io/redis-adapter';
import type { BroadcastOptions } from 'socket.io-adapter';
import type { Logger } from './logger.ts';
import { withTimeout, type Redis } from './redis.ts';

/** How often a process asks Redis whether another API process listens. */
export const PEERS_REFRESH_MS = 1000;
/** How many counts in a row must find no other process before a process stops publishing. */
export const ALONE_AFTER_COUNTS = 3;
/** How long a starting process waits for Redis and for the others to answer its hello. */
export const ANNOUNCE_TIMEOUT_MS = 2000;

/**
 * Whether another API process listens for this process's broadcasts.
 *
 * The Redis adapter publishes every broadcast to Redis so that sockets on other processes get
 * it, then reads it back on its own subscription and decodes it only to drop it. With one API
 * process that was about a quarter of the server's CPU per chat message (bench/chat.ts), for
 * nothing. So a process publishes only while another one may listen. Publishing for nobody
 * costs a little CPU; not publishing for someone loses their live updates, so every doubt
 * counts as "someone listens":
 *
 * - **Who listens** is counted by Redis: the subscribers of the root namespace's request
 *   channel, which every API process of every version subscribes (`PUBSUB NUMSUB`), asked every
 *   `refreshMs`. A process stops publishing only after `aloneAfter` counts in a row found no
 *   one but itself, each taken while its own subscriber was connected (else it is not among
 *   those counted). Anything else (an error, its subscriber down or reconnecting, a count not
 *   taken yet) makes it publish at once.
 * - **A process that starts** says hello before it accepts connections (`announce`), and waits
 *   until the processes already running have answered: each of them publishes from the moment
 *   it reads the hello, before it answers. So no socket on the new process misses a broadcast
 *   made after it began to listen (unless the wait timed out: then from the others' next
 *   count). A count asked before a hello arrived and answered after it is ignored.
 * - **After its subscriber reconnects** (Redis restarted, a connection cut), a process says
 *   hello again once its subscriptions and its publisher are back, so the others publish for
 *   it within a round trip to Redis rather than at their next count.
 * - **A process of an older version** never says hello, but it subscribes the request channel,
 *   so it is counted, and the others publish for it; it always publishes itself. One that
 *   starts beside a process that was alone is published for from that one's next count.
 * - One Redis, not a cluster: `PUBSUB NUMSUB` counts the node asked (as the adapter's own
 *   serverCount does).
 * - **A process that goes** (closed or killed) leaves the count; the others stop publishing
 *   `aloneAfter` counts later.
 *
 * Only the sending is skipped: subscriptions stay, so broadcasts from other processes and from
 * the worker's emitter (core/realtime.ts redisEmitter) still arrive, and the adapter's requests
 * (serverSideEmit, fetchSockets, disconnectSockets, socketsJoin) go through Redis as before.
 */
export interface Peers {
  /** True while another process may listen: broadcasts are published. */
  readonly present: boolean;
  /**
   * Says hello to the processes already running and waits (up to `announceTimeoutMs` in all)
   * for Redis and for their answers. Call it after every namespace is made and before the HTTP
   * server listens. Never throws: with Redis away it returns after the timeout, publishing.
   */
  announce(): Promise<void>;
  stop(): void;
}

export function createPeers(deps: { pub: Redis; sub: Redis; key: string; logger?: Logger; refreshMs?: number; aloneAfter?: number; announceTimeoutMs?: number }): Peers {
  const { pub, sub, key, logger } = deps;
  const refreshMs = deps.refreshMs ?? PEERS_REFRESH_MS;
  const aloneAfter = deps.aloneAfter ?? ALONE_AFTER_COUNTS;
  const timeoutMs = deps.announceTimeoutMs ?? ANNOUNCE_TIMEOUT_MS;
  const uid = randomBytes(6).toString('hex');
  // The adapter's channels are `${key}#…`, `${key}-request#…`, `${key}-response#…`: these match none of them.
  const helloChannel = `${key}-peers#`;
  // Where a process reads the answers to its hello.
  const answersTo = (id: string) => `${key}-peers#${id}#`;
  const answerChannel = answersTo(uid);
  const countedChannel = `${key}-request#/#`;
  let present = true;
  let quiet = 0;
  // Bumped by every hello read and every doubt: a count asked before it is stale.
  let epoch = 0;
  // The processes that answered this one's hello, by their uid.
  const answered = new Set<string>();
  let wake: (() => void) | undefined;
  let stopped = false;

  const set = (now: boolean) => {
    if (now === present) return;
    present = now;
    logger?.info({ peers: now }, now ? 'another server process listens: broadcasts go through Redis' : 'no other server process listens: broadcasts stay in this process');
  };
  /** Someone may listen: publish from now on, and start counting afresh. */
  const doubt = () => {
    epoch++;
    quiet = 0;
    set(true);
  };
  const subUp = () => sub.status === 'ready';
  const count = async (channel: string): Promise<number> => {
    const reply = (await pub.pubsub('NUMSUB', channel)) as [string, number | string];
    return Number(reply[1]);
  };
  let counting = false;
  const refresh = async () => {
    if (counting || stopped) return;
    counting = true;
    const asked = epoch;
    try {
      if (!subUp()) return doubt();
      const n = await count(countedChannel);
      // Counted only if nothing cast a doubt meanwhile and this process was among those counted.
      if (asked !== epoch || !subUp()) return;
      if (n > 1) doubt();
      else if (++quiet >= aloneAfter) set(false);
    } catch {
      doubt();
    } finally {
      counting = false;
    }
  };

  const onMessage = (channel: string, message: string) => {
    if (channel === answerChannel) {
      answered.add(message);
      wake?.();
      return;
    }
    if (channel !== helloChannel || message === uid) return;
    // Publishing from now on, before the answer: the new process listens only once it has it.
    doubt();
    pub.publish(answersTo(message), uid).catch(() => undefined);
  };
  const ready = (c: Redis) => (c.status === 'ready' ? Promise.resolve() : new Promise<void>((done) => c.once('ready', () => done())));
  // ioredis subscribes again before 'ready': after a reconnect the others may have stopped
  // publishing for this one. (At the first 'ready' the hello is early and harmless: announce's follows.)
  const onReady = () => void ready(pub).then(() => (stopped ? undefined : pub.publish(helloChannel, uid).catch(() => undefined)));
  const onDown = () => doubt();
  sub.on('message', onMessage);
  sub.on('ready', onReady);
  sub.on('close', onDown);

  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();

  const hello = async () => {
    // Not before the subscriber is ready: ioredis writes a SUBSCRIBE at once while its ready
    // check (INFO) is still unanswered, and the connection was then dropped and made again.
    await Promise.all([ready(pub), ready(sub)]);
    // Its reply also means the adapters' own subscriptions, sent before on this connection, are in place.
    await sub.subscribe(helloChannel, answerChannel);
    const others = (await count(helloChannel)) - 1;
    if (others <= 0) return;
    await pub.publish(helloChannel, uid);
    await new Promise<void>((done) => {
      wake = () => answered.size >= others && done();
      wake();
    });
  };

  return {
    get present() {
      return present;
    },
    async announce() {
      try {
        await withTimeout(hello(), timeoutMs, 'Redis or another server process');
      } catch (err) {
        logger?.warn({ err: String(err) }, 'could not say hello to the other server processes; they publish for this one from their next count');
      } finally {
        wake = undefined;
      }
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      sub.off('message', onMessage);
      sub.off('ready', onReady);
      sub.off('close', onDown);
      // A process starting meanwhile does not count this one among those to wait for.
      if (subUp()) sub.unsubscribe(helloChannel, answerChannel).catch(() => undefined);
    },
  };
}

/**
 * The Redis adapter, publishing only while `peers.present`; otherwise a broadcast goes to this
 * process's sockets alone, as the adapter's own `local` flag makes it.
 *
 * A broadcast for this process alone that reaches none of its sockets is dropped before it is
 * encoded: the adapter encodes a packet (JSON, then a WebSocket frame) before it looks for
 * whom it is. Every chat message is sent to the customer's other tabs, the sending one
 * excepted, and most customers have one: that was one encoding per message for nobody.
 */
export class PeerAwareAdapter extends RedisAdapter {
  constructor(nsp: unknown, pub: Redis, sub: Redis, opts: ConstructorParameters<typeof RedisAdapter>[3], private readonly peers: Peers) {
    super(nsp, pub, sub, opts);
  }

  override broadcast(packet: unknown, opts: BroadcastOptions): void {
    if (this.peers.present && !opts.flags?.local) return super.broadcast(packet, opts);
    // For this process's sockets only.
    if (!this.reachesOwnSocket(opts)) return;
    super.broadcast(packet, opts.flags?.local ? opts : { ...opts, flags: { ...opts.flags, local: true } });
  }

  /** Whether a broadcast to `opts` would reach one of this process's sockets (as the adapter's `apply` picks them). */
  private reachesOwnSocket(opts: BroadcastOptions): boolean {
    // To the whole namespace: whoever is connected, the adapter sorts out the exceptions.
    if (!opts.rooms.size) return this.sids.size > 0;
    for (const room of opts.rooms) {
      const ids = this.rooms.get(room);
      if (!ids) continue;
      for (const id of ids) if (!this.excepted(id, opts.except)) return true;
    }
    return false;
  }

  private excepted(id: string, except: BroadcastOptions['except']): boolean {
    if (except) for (const room of except) if (this.rooms.get(room)?.has(id)) return true;
    return false;
  }
}
