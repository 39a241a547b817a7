import type { Redis } from 'ioredis';
import { rateLimited, redisLimiter } from '../../core/ratelimit.ts';

/** New widget sessions one address may start in ten minutes (each makes a customer row). */
export const WIDGET_SESSIONS_PER_ADDRESS = 30;

/**
 * Starting a chat needs no account, so it is limited per client address: a script cannot
 * fill a shop's queue with made-up customers.
 */
export function createWidgetSessionLimiter(redis: Redis, keyPrefix: string, points = WIDGET_SESSIONS_PER_ADDRESS) {
  const perAddress = redisLimiter(redis, { keyPrefix: `${keyPrefix}widget:session`, points, duration: 600 });
  const refuse = rateLimited((s) => `チャットの開始が多すぎます。${Math.ceil(s / 60)} 分後にお試しください / too many chats started; try again in ${Math.ceil(s / 60)} min`);
  return async (address: string): Promise<void> => {
    await perAddress.consume(address).catch(refuse);
  };
}
