import { Redis } from 'ioredis';
import { onRunEnd, perProcess } from './cleanup.ts';
import { redisPrefix, redisUrl } from './env.ts';

const state = perProcess('redis', () => ({}) as { shared?: Redis });

/** The run's Redis connection; keys live under the run's own prefix and are removed at the end. */
export function testRedis(): Redis {
  if (!state.shared) {
    state.shared = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    onRunEnd('redis keys', cleanRedis, 'process');
  }
  return state.shared;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function cleanRedis(): Promise<void> {
  const redis = state.shared;
  if (!redis) return;
  state.shared = undefined;
  await deleteKeys(redis, redisPrefix);
  await redis.quit();
}

/** Removes the keys of every process of a run: the sweep at the end of a parallel run. */
export async function deleteRunKeys(runBase: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  await redis.connect();
  try {
    await deleteKeys(redis, `mdg-test-${runBase}`);
  } finally {
    redis.disconnect();
  }
}
