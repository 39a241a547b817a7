import { unlessRedisAway, type Redis } from '../../core/redis.ts';
import type { Viewer } from './conversations.socket.events.ts';

const TTL_S = 120;

/**
 * Who has a conversation open, and who is typing in it, across processes: one Redis hash per
 * conversation (field = socket id) and a set per socket of what it views, so a disconnect
 * clears everything the socket left behind. Keys expire if a process dies without cleaning up.
 * While Redis is away nobody is listed and nothing is stored: joining and typing still work.
 */
export class ViewerStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private conv = (id: string) => `${this.prefix}viewers:${id}`;
  private sock = (id: string) => `${this.prefix}viewing:${id}`;

  async set(conversationId: string, socketId: string, v: Viewer): Promise<void> {
    const write = this.redis
      .multi()
      .hset(this.conv(conversationId), socketId, JSON.stringify(v))
      .expire(this.conv(conversationId), TTL_S)
      .sadd(this.sock(socketId), conversationId)
      .expire(this.sock(socketId), TTL_S * 30)
      .exec();
    await unlessRedisAway(write, null);
  }

  async remove(conversationId: string, socketId: string): Promise<void> {
    await unlessRedisAway(this.redis.multi().hdel(this.conv(conversationId), socketId).srem(this.sock(socketId), conversationId).exec(), null);
  }

  async removeSocket(socketId: string): Promise<string[]> {
    const ids = await unlessRedisAway(this.redis.smembers(this.sock(socketId)), []);
    const m = this.redis.multi();
    for (const id of ids) m.hdel(this.conv(id), socketId);
    m.del(this.sock(socketId));
    await unlessRedisAway(m.exec(), null);
    return ids;
  }

  /** One entry per person, typing if any of their tabs is. */
  async list(conversationId: string): Promise<Viewer[]> {
    const all = Object.values(await unlessRedisAway(this.redis.hgetall(this.conv(conversationId)), {})).map((s) => JSON.parse(s) as Viewer);
    const byUser = new Map<string, Viewer>();
    for (const v of all) byUser.set(v.userId, { ...v, typing: v.typing || (byUser.get(v.userId)?.typing ?? false) });
    return [...byUser.values()];
  }
}
