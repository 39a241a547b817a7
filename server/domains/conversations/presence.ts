import { unlessRedisAway, type Redis } from '../../core/redis.ts';
import type { PresenceStatus } from './conversations.socket.events.ts';

/** A connection that has not refreshed its entry for this long is gone (its process died). */
export const PRESENCE_TTL_MS = 60_000;
export const PRESENCE_REFRESH_MS = 20_000;

/**
 * Agent presence across every server process, in one Redis sorted set per shop: member
 * `<userId>|<socketId>|<status>`, score = last refresh. A user is online when any of their
 * connections says online, away when connected but none does, offline when none is left.
 * While Redis is away, writes are skipped (a connected agent keeps their socket; the refresh
 * writes the entry again once Redis is back) and reads fail, so nobody is assigned meanwhile.
 */
export class PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (shopId: string) => `${this.prefix}presence:${shopId}`;

  async set(shopId: string, userId: string, socketId: string, status: 'online' | 'away', now = Date.now()): Promise<void> {
    const key = this.key(shopId);
    const other = status === 'online' ? 'away' : 'online';
    const write = this.redis
      .multi()
      .zrem(key, `${userId}|${socketId}|${other}`)
      .zadd(key, now, `${userId}|${socketId}|${status}`)
      .zremrangebyscore(key, 0, now - PRESENCE_TTL_MS)
      .pexpire(key, PRESENCE_TTL_MS * 2)
      .exec();
    await unlessRedisAway(write, null);
  }

  async remove(shopId: string, userId: string, socketId: string): Promise<void> {
    await unlessRedisAway(this.redis.zrem(this.key(shopId), `${userId}|${socketId}|online`, `${userId}|${socketId}|away`), 0);
  }

  async statuses(shopId: string, now = Date.now()): Promise<Map<string, PresenceStatus>> {
    const members = await this.redis.zrangebyscore(this.key(shopId), now - PRESENCE_TTL_MS, '+inf');
    const out = new Map<string, PresenceStatus>();
    for (const m of members) {
      const [userId, , status] = m.split('|');
      if (!userId) continue;
      if (status === 'online' || !out.has(userId)) out.set(userId, status === 'online' ? 'online' : 'away');
    }
    return out;
  }

  async statusOf(shopId: string, userId: string): Promise<PresenceStatus> {
    return (await this.statuses(shopId)).get(userId) ?? 'offline';
  }

  async onlineUserIds(shopId: string): Promise<string[]> {
    return [...(await this.statuses(shopId))].filter(([, s]) => s === 'online').map(([u]) => u);
  }
}
