import { createServer } from 'node:http';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import notepack from 'notepack.io';
import { broadcastParser, createRealtime, redisEmitter } from '../../../server/core/realtime.ts';
import { redisPrefix, redisUrl } from '../../helpers/env.ts';
import { testRedis } from '../../helpers/redis.ts';

/**
 * What goes over Redis between processes is written by broadcastParser, from the API's adapter
 * and from the worker's emitter alike: msgpackr keeps a property whose value is undefined
 * (fixext d4 00 00), where notepack.io, the libraries' default, leaves it out.
 */
describe('broadcasts between processes go through Redis as broadcastParser writes them', () => {
  const prefix = `${redisPrefix}parser:`;
  let sub: Redis;
  const seen: Buffer[] = [];

  before(async () => {
    sub = new Redis(redisUrl);
    await sub.psubscribe(`${prefix}socket.io#/agent#*`);
    // Counted as another API process (core/realtime.peers.ts): a process alone would not publish.
    await sub.subscribe(`${prefix}socket.io-request#/#`);
    sub.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => seen.push(message));
  });
  after(() => sub.quit());

  const next = async () => {
    for (let i = 0; i < 200 && !seen.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.length, 'a message on the channel').to.be.at.least(1);
    return seen.shift()!;
  };
  const payload = { seq: 2 ** 40, editedAt: undefined, at: new Date('2026-12-05T01:02:03.456Z'), body: '配送はいつですか？' };
  const undefinedBytes = Buffer.from([0xd4, 0x00, 0x00]);

  it('from the API process’s adapter', async () => {
    const http = createServer();
    const rt = createRealtime(http, { redis: testRedis(), keyPrefix: prefix });
    try {
      // The adapter's publisher queues nothing while it connects: emit until its first message goes out.
      for (let i = 0; i < 100 && !seen.length; i++) {
        rt.io.of('/agent').to('conversation:parser-test').emit('message', payload);
        await new Promise((r) => setTimeout(r, 20));
      }
      const raw = await next();
      seen.length = 0;
      expect(raw.includes(undefinedBytes), 'written by msgpackr').to.equal(true);
      const [, packet] = broadcastParser.decode(raw) as [string, { data: [string, typeof payload] }];
      expect(packet.data).to.deep.equal(['message', payload]);
      expect(typeof packet.data[1].seq, 'a 41-bit integer stays a number').to.equal('number');
      // A process still on notepack.io reads it too.
      expect((notepack.decode(raw) as [string, { data: [string, { seq: number; body: string }] }])[1].data[1]).to.include({ seq: 2 ** 40, body: payload.body });
    } finally {
      await rt.close();
      http.close();
    }
  });

  it('from the worker’s emitter', async () => {
    redisEmitter(testRedis(), prefix).of('/agent').to('conversation:parser-test').emit('message', payload);
    const raw = await next();
    expect(raw.includes(undefinedBytes), 'written by msgpackr').to.equal(true);
    expect((broadcastParser.decode(raw) as [string, { data: unknown[] }])[1].data).to.deep.equal(['message', payload]);
  });
});
