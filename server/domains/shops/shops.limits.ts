import type { Redis } from 'ioredis';
import { rateLimited, redisLimiter } from '../../core/ratelimit.ts';

/**
 * Widget config reads one client address may make per minute: one per page view, so a busy
 * office behind one address stays well under it, while a script inventing Origin headers
 * (each one a sighting write) is slowed down.
 */
export const WIDGET_CONFIGS_PER_ADDRESS_PER_MINUTE = 300;

export function createWidgetConfigLimiter(redis: Redis, keyPrefix: string, points = WIDGET_CONFIGS_PER_ADDRESS_PER_MINUTE) {
  const perAddress = redisLimiter(redis, { keyPrefix: `${keyPrefix}widget:config`, points, duration: 60 });
  const refuse = rateLimited((s) => `ウィジェットの読み込みが多すぎます。${s} 秒後にお試しください / too many widget loads; try again in ${s} s`);
  return async (address: string): Promise<void> => {
    await perAddress.consume(address).catch(refuse);
  };
}
