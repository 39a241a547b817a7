import { Redis } from 'ioredis';
import { onRunEnd } from './cleanup.ts';
import { redisPrefix, redisUrl } from './env.ts';

let shared: Redis | undefined;

/** The run's Redis connection; keys live under the run's own prefix and are removed at the end. */
export function testRedis(): Redis {
  if (!shared) {
    shared = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    onRunEnd('redis keys', cleanRedis);
  }
  return shared;
}

async function cleanRedis(): Promise<void> {
  if (!shared) return;
  let cursor = '0';
  do {
    const [next, keys] = await shared.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
    if (keys.length) await shared.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await shared.quit();
  shared = undefined;
}
