import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { assertCount } from '../../validate-options.js';

// A lease is a member of a sorted set scored by its expiry (the server's clock, so the workers'
// clocks need not agree). Every script first drops the expired leases: a dead holder's slot
// comes back within the lease time, without anyone having to notice it died.
const dropExpired = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

/** KEYS[1] the set; ARGV lease id, limit, lease ms. 1: granted (or renewed), 0: full. */
const acquireScript = `${dropExpired}
local ms = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + ms, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ms * 2)
  return 1
end
return 0
`;

/** KEYS[1] the set; ARGV lease id, lease ms. 1: renewed, 0: the lease had expired (it is gone). */
const renewScript = `${dropExpired}
local ms = tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + ms, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ms * 2)
  return 1
end
return 0
`;

interface LeaseCommands {
  salvoAcquireLease(key: string, id: string, limit: number, leaseMs: number): Promise<number>;
  salvoRenewLease(key: string, id: string, leaseMs: number): Promise<number>;
}

/** The scripts as commands of `client` (EVALSHA, loaded once per connection by ioredis). */
function leaseCommands(client: Redis): LeaseCommands {
  const commands = client as unknown as Partial<LeaseCommands>;
  if (!commands.salvoAcquireLease) {
    client.defineCommand('salvoAcquireLease', { numberOfKeys: 1, lua: acquireScript });
    client.defineCommand('salvoRenewLease', { numberOfKeys: 1, lua: renewScript });
  }
  return client as unknown as LeaseCommands;
}

export interface RedisSemaphoreOptions {
  /** A connected client; the semaphore never closes it. */
  client: Redis;
  /** The sorted set that holds the leases: every holder of the same key shares the limit. */
  key: string;
  /** Leases held at once at most, across every process that uses `key` with this limit. */
  limit: number;
  /** A lease not renewed for this long is given back (its holder died). Renewed every third of it. @default 10_000 */
  leaseMs?: number;
  /** How often a waiter asks again while the set is full (with up to half of it more, at random). @default 50 */
  pollMs?: number;
}

export interface Lease {
  readonly id: string;
  /** Aborts if the lease expired before it was renewed (this process was paused or cut off). */
  readonly lost: AbortSignal;
  /** Gives the slot back; idempotent (the second call gives nothing back). */
  release(): Promise<void>;
}

export interface RedisSemaphore {
  readonly key: string;
  readonly limit: number;
  /** Waits for a lease; rejects with the signal's reason once it aborts, holding nothing. */
  acquire(signal?: AbortSignal): Promise<Lease>;
  /** Leases held now, expired ones not counted. */
  held(): Promise<number>;
}

/**
 * A counting semaphore in Redis whose slots are leases: cluster-wide, it never grants more than
 * `limit` at once (each grant is one Lua script, so atomic), and a holder that dies without
 * releasing loses its lease after `leaseMs`. Waiters poll; there is no queue, so no fairness.
 */
export function redisSemaphore(options: RedisSemaphoreOptions): RedisSemaphore {
  const { client, key, limit } = options;
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 50;
  assertCount('limit', limit, { allowInfinity: false });
  assertCount('leaseMs', leaseMs, { min: 3, allowInfinity: false });
  assertCount('pollMs', pollMs, { allowInfinity: false });
  const commands = leaseCommands(client);

  const remove = (id: string) => client.zrem(key, id).then(() => undefined);

  function holdLease(id: string): Lease {
    const lost = new AbortController();
    const renewer = setInterval(() => {
      commands.salvoRenewLease(key, id, leaseMs).then(
        (renewed) => {
          if (renewed === 0 && !released) {
            clearInterval(renewer);
            lost.abort(
              new Error(`the lease on ${key} expired before it was renewed (paused or cut off)`),
            );
          }
        },
        // Redis unreachable: the next renewal tries again; past leaseMs it reports `lost`.
        () => {},
      );
    }, leaseMs / 3);
    renewer.unref();
    let released = false;
    let releasing: Promise<void> | undefined;
    return {
      id,
      lost: lost.signal,
      release() {
        released = true;
        clearInterval(renewer);
        releasing ??= remove(id).catch(() => {
          // Unreachable: the lease expires on its own within leaseMs.
        });
        return releasing;
      },
    };
  }

  async function acquire(signal?: AbortSignal): Promise<Lease> {
    const id = randomUUID();
    for (;;) {
      signal?.throwIfAborted();
      const attempt = commands.salvoAcquireLease(key, id, limit, leaseMs);
      const granted = await untilAborted(attempt, signal, (lateGrant) => {
        // Granted after the wait was cancelled: given back at once, so it holds nothing.
        if (lateGrant === 1) void remove(id).catch(() => {});
      });
      if (granted === 1) return holdLease(id);
      await pause(pollMs * (1 + Math.random() / 2), signal);
    }
  }

  return {
    key,
    limit,
    acquire,
    held: async () => {
      const [seconds, micros] = await client.time();
      return client.zcount(
        key,
        `(${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}`,
        '+inf',
      );
    },
  };
}

/** `work`, or the signal's reason once it aborts first; then `late` gets what `work` gave. */
function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  late: (value: T) => void,
): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      work.then(late, () => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
