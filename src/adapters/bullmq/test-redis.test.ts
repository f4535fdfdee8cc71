import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestRedis } from './test-redis.js';

describe('startTestRedis', () => {
  const servers: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('starts a private redis-server that answers, and stops it', async () => {
    const redis = await startTestRedis();
    servers.push(redis);
    const client = new Redis(redis.port, redis.host, { maxRetriesPerRequest: 0 });
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      // No persistence: nothing is saved to disk behind the test's back.
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
    await redis.stop();
    const again = new Redis(redis.port, redis.host, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    again.on('error', () => {}); // the refused connection is what this expects
    await expect(again.connect()).rejects.toThrow();
    again.disconnect();
  });
});
