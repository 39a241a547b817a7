import { randomBytes } from 'node:crypto';
import { RedisAdapter } from '@socket.io/redis-adapter';
import type { BroadcastOptions } from 'socket.io-adapter';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';

/** How often a process asks Redis whether another API process listens. */
export const PEERS_REFRESH_MS = 1000;
/** How long a starting process waits for the others to answer its hello. */
export const ANNOUNCE_TIMEOUT_MS = 2000;

/**
 * Whether another API process listens for this process's broadcasts.
 *
 * The Redis adapter publishes every broadcast to Redis so that sockets on other processes get
 * it, then reads it back on its own subscription and decodes it only to drop it. With one API
 * process that is about a quarter of the server's CPU per chat message (bench/chat.ts), for
 * nothing. So a process publishes only while another one listens:
 *
 * - **Who listens** is counted by Redis: the subscribers of the root namespace's request
 *   channel, which every API process of every version subscribes (`PUBSUB NUMSUB`), asked every
 *   `refreshMs`. An unknown answer (Redis away, not asked yet) counts as "someone listens".
 * - **A process that starts** says hello before it accepts connections (`announce`), and waits
 *   until the processes already running have answered: each of them publishes from the moment
 *   it reads the hello, before it answers. So no socket on the new process can miss a broadcast
 *   made after it began to listen. A count asked before a hello arrived and answered after it
 *   is ignored, else it could switch publishing off again.
 * - **A process of an older version** never says hello, but it subscribes the request channel,
 *   so it is counted, and the others publish for it; it always publishes itself.
 * - **A process that goes** (closed or killed) leaves the count at the next refresh; until
 *   then the others publish for nobody, which is harmless.
 *
 * Only the sending is skipped: subscriptions stay, so broadcasts from other processes and from
 * the worker's emitter (core/realtime.ts redisEmitter) still arrive.
 */
export interface Peers {
  /** True while another process may listen: broadcasts are published. */
  readonly present: boolean;
  /**
   * Says hello to the processes already running and waits (up to `announceTimeoutMs`) for
   * their answers, then counts. Call it after every namespace is made and before the HTTP
   * server listens. Never throws: with Redis away it returns after the timeout, publishing.
   */
  announce(): Promise<void>;
  stop(): void;
}

export function createPeers(deps: { pub: Redis; sub: Redis; key: string; logger?: Logger; refreshMs?: number; announceTimeoutMs?: number }): Peers {
  const { pub, sub, key, logger } = deps;
  const refreshMs = deps.refreshMs ?? PEERS_REFRESH_MS;
  const timeoutMs = deps.announceTimeoutMs ?? ANNOUNCE_TIMEOUT_MS;
  const uid = randomBytes(6).toString('hex');
  // The adapter's channels are `${key}#…`, `${key}-request#…`, `${key}-response#…`: these match none of them.
  const helloChannel = `${key}-peers#`;
  const answerChannel = `${key}-peers#${uid}#`;
  const countedChannel = `${key}-request#/#`;
  let present = true;
  // Bumped by every hello read: a count asked before it is stale.
  let hellos = 0;
  let answers = 0;
  let wake: (() => void) | undefined;
  let stopped = false;

  const set = (now: boolean) => {
    if (now === present) return;
    present = now;
    logger?.info({ peers: now }, now ? 'another server process listens: broadcasts go through Redis' : 'no other server process listens: broadcasts stay in this process');
  };
  const count = async (channel: string): Promise<number> => {
    const reply = (await pub.pubsub('NUMSUB', channel)) as [string, number | string];
    return Number(reply[1]);
  };
  let counting = false;
  const refresh = async () => {
    if (counting || stopped) return;
    counting = true;
    const seen = hellos;
    try {
      const n = await count(countedChannel);
      if (seen === hellos) set(n > 1);
    } catch {
      set(true);
    } finally {
      counting = false;
    }
  };

  const onMessage = (channel: string, message: string) => {
    if (channel === answerChannel) {
      answers++;
      wake?.();
      return;
    }
    if (channel !== helloChannel || message === uid || stopped) return;
    hellos++;
    // Publishing from now on, before the answer: the new process listens only once it has it.
    set(true);
    pub.publish(`${key}-peers#${message}#`, uid).catch(() => undefined);
  };
  sub.on('message', onMessage);

  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();

  const within = <T>(p: Promise<T>, ms: number) =>
    new Promise<T | undefined>((resolve, reject) => {
      const t = setTimeout(() => resolve(undefined), ms);
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e: unknown) => (clearTimeout(t), reject(e)),
      );
    });

  return {
    get present() {
      return present;
    },
    async announce() {
      const started = Date.now();
      const left = () => Math.max(0, timeoutMs - (Date.now() - started));
      try {
        // Its reply also means the adapters' own subscriptions, sent before on this connection, are in place.
        if ((await within(sub.subscribe(helloChannel, answerChannel), left())) === undefined) throw new Error('Redis did not confirm the subscription in time');
        const others = (await count(helloChannel)) - 1;
        if (others > 0) {
          await pub.publish(helloChannel, uid);
          await within(
            new Promise<void>((done) => {
              wake = () => answers >= others && done();
              wake();
            }),
            left(),
          );
          wake = undefined;
          if (answers < others) logger?.warn({ answered: answers, expected: others }, 'not every server process answered this one’s hello; they publish for it from their next count');
        }
      } catch (err) {
        logger?.warn({ err: String(err) }, 'could not say hello to the other server processes; this one publishes its broadcasts until Redis answers');
        return;
      }
      await refresh();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      sub.off('message', onMessage);
    },
  };
}

/**
 * The Redis adapter, publishing only while `peers.present`; otherwise a broadcast goes to this
 * process's sockets alone, as the adapter's own `local` flag makes it.
 */
export class PeerAwareAdapter extends RedisAdapter {
  constructor(nsp: unknown, pub: Redis, sub: Redis, opts: ConstructorParameters<typeof RedisAdapter>[3], private readonly peers: Peers) {
    super(nsp, pub, sub, opts);
  }

  override broadcast(packet: unknown, opts: BroadcastOptions): void {
    if (this.peers.present || opts.flags?.local) return super.broadcast(packet, opts);
    super.broadcast(packet, { ...opts, flags: { ...opts.flags, local: true } });
  }
}
