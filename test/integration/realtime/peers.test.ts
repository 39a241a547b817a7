import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { connectionName, createRealtime, type Realtime } from '../../../server/core/realtime.ts';
import { createPeers } from '../../../server/core/realtime.peers.ts';
import { redisPrefix, redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testRedis } from '../../helpers/redis.ts';
import { connected } from '../../helpers/sockets.ts';

/**
 * A process publishes its broadcasts to Redis only while another API process listens
 * (core/realtime.peers.ts). Real Redis, real Socket.IO servers and clients; each "process" is
 * a Socket.IO server with its own Redis connections, as a separate process has.
 */
describe('broadcasts go to Redis only while another process listens', function () {
  this.timeout(20_000);
  const REFRESH_MS = 100;
  let n = 0;
  let prefix: string;
  let spy: Redis;
  let published: string[];
  const opened: Array<() => Promise<unknown>> = [];

  type Proc = { rt: Realtime; http: HttpServer; port: number };
  /** A process: a namespace whose sockets join the room `r`, announced before it listens, as service.ts does. */
  async function start(opts: { refreshMs?: number; aloneAfter?: number; announceTimeoutMs?: number; redis?: Redis } = {}): Promise<Proc> {
    const http = createServer();
    const { redis, ...peers } = opts;
    const rt = createRealtime(http, { redis: redis ?? testRedis(), keyPrefix: prefix, peers: { refreshMs: REFRESH_MS, ...peers } });
    rt.io.of('/t').on('connection', (s) => void s.join('r'));
    await rt.peers.announce();
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    const proc = { rt, http, port: (http.address() as AddressInfo).port };
    opened.push(() => stop(proc));
    return proc;
  }
  const stopped = new Set<Proc>();
  async function stop(p: Proc) {
    if (stopped.has(p)) return;
    stopped.add(p);
    await p.rt.close();
    await new Promise((done) => p.http.close(done));
  }
  async function client(p: Proc): Promise<{ socket: Socket; got: unknown[] }> {
    const socket = connect(`http://127.0.0.1:${p.port}/t`, { transports: ['websocket'], forceNew: true });
    const got: unknown[] = [];
    socket.on('m', (x: unknown) => got.push(x));
    opened.push(async () => socket.disconnect());
    await connected(socket);
    return { socket, got };
  }
  const until = (what: string, ok: () => boolean, ms = 5000) => eventually(async () => ok(), what, ms, 10);
  // The join is on the server's connection handler: wait until the room holds the sockets.
  const inRoom = (p: Proc, count: number) => until('sockets in the room', () => (p.rt.io.of('/t').adapter.rooms.get('r')?.size ?? 0) === count);

  beforeEach(async () => {
    prefix = `${redisPrefix}peers${++n}:`;
    published = [];
    spy = new Redis(redisUrl);
    await spy.psubscribe(`${prefix}socket.io#*`);
    spy.on('pmessageBuffer', (_p: Buffer, channel: Buffer) => published.push(channel.toString()));
  });
  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close().catch(() => undefined);
    stopped.clear();
    await spy.quit();
  });

  const alone = (p: Proc) => until('the process counts itself alone', () => p.rt.peers.present === false);
  /** Counts the packets Socket.IO's own encoder (the library's, shared by a server's namespaces) encodes in `p`, until stop. */
  function countEncodes(p: Proc) {
    const encoder = (p.rt.io.of('/t').adapter as unknown as { encoder: { encode(packet: unknown): unknown } }).encoder;
    const encode = encoder.encode.bind(encoder);
    const counted = { count: 0, stop: () => void (encoder.encode = encode) };
    encoder.encode = (packet: unknown) => (counted.count++, encode(packet));
    return counted;
  }

  it('alone, a process publishes nothing, and its own sockets still get every broadcast', async () => {
    const a = await start();
    await alone(a);
    const c = await client(a);
    await inRoom(a, 1);
    for (let i = 0; i < 5; i++) a.rt.io.of('/t').to('r').emit('m', i);
    await until('five broadcasts', () => c.got.length === 5);
    expect(c.got).to.deep.equal([0, 1, 2, 3, 4]);
    // Long enough for a published message to come back to the spy.
    await new Promise((r) => setTimeout(r, 200));
    expect(published).to.deep.equal([]);
  });

  it('alone, a broadcast that reaches none of its sockets is not even encoded, and the socket excepted gets nothing', async () => {
    const a = await start();
    await alone(a);
    const one = await client(a);
    const two = await client(a);
    await inRoom(a, 2);
    const encodes = countEncodes(a);
    try {
      const t = a.rt.io.of('/t');
      t.to('no-one-here').emit('m', 'a room without sockets');
      t.to('r').except([one.socket.id!, two.socket.id!]).emit('m', 'everyone excepted');
      a.rt.io.of('/nobody-connected').emit('m', 'a namespace without sockets');
      expect(encodes.count, 'nothing encoded for nobody').to.equal(0);
      t.to('r').except(one.socket.id!).emit('m', 'for the other tab');
      await until('the other socket gets it', () => two.got.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(one.got).to.deep.equal([]);
      expect(two.got).to.deep.equal(['for the other tab']);
      expect(encodes.count).to.equal(1);
    } finally {
      encodes.stop();
    }
  });

  it('a process that starts is reached at once by one that was alone, and reaches it', async () => {
    const a = await start();
    await alone(a);
    const b = await start();
    expect(a.rt.peers.present, 'a publishes once b has announced').to.equal(true);
    expect(b.rt.peers.present).to.equal(true);
    const onA = await client(a);
    const onB = await client(b);
    await Promise.all([inRoom(a, 1), inRoom(b, 1)]);
    a.rt.io.of('/t').to('r').emit('m', 'from a');
    b.rt.io.of('/t').to('r').emit('m', 'from b');
    await until('both broadcasts on both processes', () => onA.got.length === 2 && onB.got.length === 2);
    expect([...onB.got].sort()).to.deep.equal(['from a', 'from b']);
    expect([...onA.got].sort()).to.deep.equal(['from a', 'from b']);
    expect(published.length).to.equal(2);
  });

  it('with another process listening, a broadcast marked local that reaches none of its sockets is neither encoded nor published', async () => {
    const a = await start();
    const b = await start();
    expect(a.rt.peers.present).to.equal(true);
    const onB = await client(b);
    await inRoom(b, 1);
    const encodes = countEncodes(a);
    try {
      a.rt.io.of('/t').local.to('r').emit('m', 'for a’s sockets only');
      expect(encodes.count).to.equal(0);
      // The same broadcast without the flag goes to b's socket through Redis.
      a.rt.io.of('/t').to('r').emit('m', 'for everyone');
      await until('b’s socket gets the broadcast that is not local', () => onB.got.length === 1 && published.length >= 1);
      // Redis keeps one publisher's order: had the local one gone out, the spy would have it first.
      await new Promise((r) => setTimeout(r, 100));
      expect(onB.got).to.deep.equal(['for everyone']);
      expect(published.length).to.equal(1);
    } finally {
      encodes.stop();
    }
  });

  it('once the other process is gone it stops publishing, and starts again when one comes back', async () => {
    const a = await start();
    const b = await start();
    expect(a.rt.peers.present).to.equal(true);
    await stop(b);
    await alone(a);
    a.rt.io.of('/t').to('r').emit('m', 'nobody else');
    await new Promise((r) => setTimeout(r, 200));
    expect(published).to.deep.equal([]);
    const c = await start();
    expect(a.rt.peers.present).to.equal(true);
    const onC = await client(c);
    await inRoom(c, 1);
    a.rt.io.of('/t').to('r').emit('m', 'to c');
    await until('c’s socket gets a’s broadcast', () => onC.got.length === 1);
  });

  it('a process that never says hello (an older version) is counted from the request channel, and reached', async () => {
    const old = new Redis(redisUrl);
    opened.push(() => old.quit());
    // What an older process's adapter subscribes, and nothing more.
    await old.subscribe(`${prefix}socket.io-request#/#`);
    const a = await start();
    // Counted again and again: never alone while it is there.
    await new Promise((r) => setTimeout(r, 8 * REFRESH_MS));
    expect(a.rt.peers.present).to.equal(true);
    a.rt.io.of('/t').to('r').emit('m', 'for the old one');
    await until('published', () => published.length === 1);
    await old.unsubscribe();
    await alone(a);
  });

  it('with Redis away at start, announcing gives up after its timeout and the process publishes, counting nobody', async () => {
    const away = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    opened.push(async () => away.disconnect());
    const t0 = Date.now();
    const a = await start({ redis: away, announceTimeoutMs: 300 });
    expect(Date.now() - t0, 'announce gave up after its 300 ms, not the default 2 s').to.be.below(1500);
    // Many counts later (each failing): an unknown answer never counts as alone.
    await new Promise((r) => setTimeout(r, 8 * REFRESH_MS));
    expect(a.rt.peers.present, 'unknown counts as someone listening').to.equal(true);
    // Its own sockets are served all the same.
    const c = await client(a);
    await inRoom(a, 1);
    a.rt.io.of('/t').to('r').emit('m', 'local');
    await until('delivered locally', () => c.got.length === 1);
  });

  it('while its own subscriber is down a process publishes, and once it is back it says hello again and the others publish for it', async () => {
    // a's connections come back two seconds after a cut, b's at once: while a's subscriber is
    // down, each count finds only b's.
    const slow = new Redis(redisUrl, { retryStrategy: () => 2000 });
    opened.push(async () => slow.disconnect());
    const a = await start({ redis: slow });
    // b stops publishing at the first count that finds no one else.
    const b = await start({ aloneAfter: 1 });
    const [onA, onB] = [await client(a), await client(b)];
    await Promise.all([inRoom(a, 1), inRoom(b, 1)]);
    const hellos: string[] = [];
    const watch = new Redis(redisUrl);
    opened.push(() => watch.quit());
    await watch.subscribe(`${prefix}socket.io-peers#`);
    watch.on('message', (_c: string, uid: string) => hellos.push(uid));
    const subscribers = async () =>
      ((await testRedis().client('LIST')) as string)
        .split('\n')
        .filter((l) => l.includes(` name=${connectionName(prefix, 'sub')} `))
        .map((l) => l.match(/^id=(\d+)/)![1]!);
    const ids = await subscribers();
    expect(ids.length, 'both subscribers named').to.equal(2);
    for (const id of ids) await testRedis().client('KILL', 'ID', id);
    const end = Date.now() + 1000;
    while (Date.now() < end) {
      expect(a.rt.peers.present, 'a publishes while its subscriber is down').to.equal(true);
      await new Promise((r) => setTimeout(r, 20));
    }
    a.rt.io.of('/t').to('r').emit('m', 'from a, its subscriber down');
    await until('b’s socket gets it', () => onB.got.includes('from a, its subscriber down'));
    // b, its own subscriber back, counted no one else: it stopped publishing.
    await until('b alone', () => !b.rt.peers.present, 3000);
    // (b said hello too, when its own subscriber came back.) a's subscriber comes back and
    // says hello; b reads it and publishes for a again.
    const before = hellos.length;
    await until('a’s hello after its reconnect', () => hellos.length === before + 1, 5000);
    await until('b publishes again', () => b.rt.peers.present);
    b.rt.io.of('/t').to('r').emit('m', 'from b');
    await until('a’s socket gets b’s broadcast', () => onA.got.includes('from b'));
  });

  it('a count asked before a hello and answered after it does not stop the publishing the hello started', async () => {
    const pub = new Redis(redisUrl, { enableOfflineQueue: false });
    const sub = new Redis(redisUrl);
    const other = new Redis(redisUrl);
    opened.push(() => Promise.all([pub.quit(), sub.quit(), other.quit()]));
    await Promise.all([pub, sub].map((c) => new Promise((r) => (c.status === 'ready' ? r(null) : c.once('ready', r)))));
    // The counts answer when the test lets them: Redis's own answer, held back.
    let hold: Promise<void> | undefined;
    let held = 0;
    const count = pub.pubsub.bind(pub);
    (pub as unknown as { pubsub: unknown }).pubsub = async (...args: unknown[]) => {
      const answer = await (count as (...a: unknown[]) => Promise<unknown>)(...args);
      if (hold) {
        held++;
        await hold;
      }
      return answer;
    };
    const key = `${prefix}socket.io`;
    await sub.subscribe(`${key}-request#/#`);
    const peers = createPeers({ pub, sub, key, refreshMs: 20, aloneAfter: 1 });
    opened.push(async () => peers.stop());
    await peers.announce();
    await until('alone', () => !peers.present);
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    // A count is now in flight, answered "1" by Redis and held; a hello arrives meanwhile.
    await until('a count held', () => held === 1);
    await other.publish(`${key}-peers#`, 'another');
    await until('publishing after the hello', () => peers.present);
    // The counts after it stay held: only the stale one answers.
    hold = new Promise<void>(() => undefined);
    release();
    await new Promise((r) => setTimeout(r, 100));
    expect(peers.present, 'the stale count was ignored').to.equal(true);
  });
});
