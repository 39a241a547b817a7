import type { Redis } from 'ioredis';
import { rateLimited, redisLimiter } from '../../core/ratelimit.ts';

export interface InviteLimits {
  perShopPerHour: number;
  perRecipientPerHour: number;
}

export const defaultInviteLimits: InviteLimits = { perShopPerHour: 30, perRecipientPerHour: 3 };

/**
 * Invitation mail comes from the platform's address with text an owner chose (the shop's
 * name): limited per shop and per recipient, so nobody can flood a mailbox through us.
 */
export function createInviteLimiter(redis: Redis, keyPrefix: string, limits: InviteLimits = defaultInviteLimits) {
  const shop = redisLimiter(redis, { keyPrefix: `${keyPrefix}invite:shop`, points: limits.perShopPerHour, duration: 3600 });
  const recipient = redisLimiter(redis, { keyPrefix: `${keyPrefix}invite:to`, points: limits.perRecipientPerHour, duration: 3600 });
  const refuse = rateLimited((s) => `too many invitations; try again in ${Math.ceil(s / 60)} min`);
  return async (shopId: string, email: string): Promise<void> => {
    await shop.consume(shopId).catch(refuse);
    await recipient.consume(email.toLowerCase()).catch(refuse);
  };
}
