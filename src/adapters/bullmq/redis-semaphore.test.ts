// The lease semaphore against a real redis-server: each acquirer has its own connection, as
// separate workers would.
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lease, redisSemaphore } from './redis-semaphore.js';
import { startTestRedis, type TestRedis } from './test-redis.js';

let redis: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

function connect(): Redis {
  const client = new Redis(redis.port, redis.host, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

let keys = 0;
const freshKey = () => `test:lease:${++keys}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

describe('redisSemaphore', () => {
  it('never grants more than its limit over random acquire, hold, release and crash schedules', async () => {
    const holder = fc.record({
      holdMs: fc.integer({ min: 0, max: 15 }),
      startMs: fc.integer({ min: 0, max: 20 }),
      crashes: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(holder, { minLength: 2, maxLength: 8 }),
        async (limit, holders) => {
          const key = freshKey();
          let holding = 0;
          let most = 0;
          const leases: Lease[] = [];
          await Promise.all(
            holders.map(async ({ holdMs, startMs, crashes }) => {
              // Its own connection: a crash is that connection gone, its lease never released.
              const client = connect();
              const semaphore = redisSemaphore({ client, key, limit, leaseMs: 300, pollMs: 5 });
              await sleep(startMs);
              const lease = await semaphore.acquire();
              leases.push(lease);
              holding++;
              most = Math.max(most, holding);
              await sleep(holdMs);
              // Counted as given back before Redis is told: the count is never above the truth.
              holding--;
              if (crashes) client.disconnect();
              else await lease.release();
            }),
          );
          expect(most).toBeLessThanOrEqual(limit);
          // Every slot comes back: released ones at once, crashed ones within the lease time.
          const semaphore = redisSemaphore({ client: connect(), key, limit });
          await eventually(async () => (await semaphore.held()) === 0, 1_000, 'all slots back');
          for (const lease of leases) await lease.release(); // stops the crashed ones' renewals
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);

  it('measures the cap under contention: 12 acquirers on 4 connections, limit 3, overlap 3', async () => {
    const key = freshKey();
    const semaphores = Array.from({ length: 4 }, () =>
      redisSemaphore({ client: connect(), key, limit: 3, pollMs: 5 }),
    );
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const lease = await (semaphores[i % 4] as (typeof semaphores)[number]).acquire();
        holding++;
        most = Math.max(most, holding);
        await sleep(30);
        holding--;
        await lease.release();
      }),
    );
    expect(most).toBe(3);
  }, 20_000);

  it("reclaims a dead holder's lease after the lease time, not before", async () => {
    const key = freshKey();
    const deadClient = connect();
    const dead = redisSemaphore({ client: deadClient, key, limit: 1, leaseMs: 600 });
    const deadLease = await dead.acquire();
    const acquiredAt = Date.now();
    deadClient.disconnect(); // no renewal, no release: as if SIGKILLed
    const waiter = redisSemaphore({ client: connect(), key, limit: 1, leaseMs: 600, pollMs: 10 });
    const lease = await waiter.acquire(AbortSignal.timeout(5_000));
    const waited = Date.now() - acquiredAt;
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(waited).toBeLessThan(600 + 500);
    await lease.release();
    await deadLease.release();
  }, 20_000);

  it('renews a held lease past its lease time, and reports it lost when it expired anyway', async () => {
    const key = freshKey();
    const client = connect();
    const semaphore = redisSemaphore({ client, key, limit: 1, leaseMs: 300, pollMs: 10 });
    const lease = await semaphore.acquire();
    await sleep(700);
    expect(await semaphore.held()).toBe(1);
    expect(lease.lost.aborted).toBe(false);
    // What a paused process finds when it wakes: its lease is gone.
    await client.zrem(key, lease.id);
    await eventually(async () => lease.lost.aborted, 1_000, 'lost reported');
    expect((lease.lost.reason as Error).message).toMatch(/expired before it was renewed/);
    await lease.release();
  }, 20_000);

  it('a cancelled wait holds nothing, and a second release gives nothing back', async () => {
    const key = freshKey();
    const semaphore = redisSemaphore({ client: connect(), key, limit: 2, pollMs: 5 });
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const waiting = new AbortController();
    const c = semaphore.acquire(waiting.signal);
    await sleep(30);
    waiting.abort(new Error('job cancelled'));
    await expect(c).rejects.toThrow('job cancelled');
    expect(await semaphore.held()).toBe(2);
    await a.release();
    await a.release();
    expect(await semaphore.held()).toBe(1);
    const d = await semaphore.acquire();
    // b and d hold both slots: a's second release freed nothing.
    await expect(semaphore.acquire(AbortSignal.timeout(200))).rejects.toThrow();
    expect(await semaphore.held()).toBe(2);
    await b.release();
    await d.release();
    expect(await semaphore.held()).toBe(0);
  }, 20_000);

  it('gives back a slot granted after its wait was cancelled (abort while the grant is in flight)', async () => {
    const key = freshKey();
    const semaphore = redisSemaphore({ client: connect(), key, limit: 1, pollMs: 5 });
    for (let i = 0; i < 30; i++) {
      const controller = new AbortController();
      const attempt = semaphore.acquire(controller.signal);
      // Aborted after the script was sent, before its answer came.
      queueMicrotask(() => controller.abort(new Error('cancelled')));
      const lease = await attempt.catch(() => undefined);
      await lease?.release();
      await eventually(async () => (await semaphore.held()) === 0, 1_000, `slot back (${i})`);
    }
  }, 30_000);

  it('refuses a limit or lease time that is not a count, in one line', () => {
    const client = connect();
    expect(() => redisSemaphore({ client, key: 'k', limit: 0 })).toThrow(/limit/);
    expect(() => redisSemaphore({ client, key: 'k', limit: 1, leaseMs: 1.5 })).toThrow(/leaseMs/);
  });
});
