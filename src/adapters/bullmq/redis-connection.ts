import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** Where Redis is: a `redis://` or `rediss://` URL, or ioredis options. */
export type RedisConnection = string | BullRedisOptions;

/** The connection as BullMQ takes it; `maxRetriesPerRequest: null`, as its workers need. */
export function bullConnection(connection: RedisConnection): BullRedisOptions {
  if (typeof connection === 'string')
    return { url: checkedUrl(connection), maxRetriesPerRequest: null };
  if (typeof connection !== 'object' || connection === null) {
    throw new TypeError(
      `Expected \`connection\` to be a redis:// URL or ioredis options, got \`${String(connection)}\` (${typeof connection})`,
    );
  }
  return { ...connection, maxRetriesPerRequest: null };
}

/** A client of salvo's own (cancel keys, pub/sub), connected like BullMQ's. */
export function newClient(connection: RedisConnection): Redis {
  const options = bullConnection(connection);
  const { url, ...rest } = options;
  const client = url ? new Redis(url, rest) : new Redis(rest);
  // Errors are retried by ioredis and surface in the calls that need the server; an
  // unhandled `error` event would crash the process.
  client.on('error', () => {});
  return client;
}

function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not the text itself: it may hold a password.
    throw new TypeError(
      'Expected `connection` to be a redis:// URL (redis://host:6379), got a string that is not a URL',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(
      `Expected \`connection\` to be a redis:// or rediss:// URL, got \`${parsed.protocol}//${parsed.host}\``,
    );
  }
  return url;
}

/** The names salvo keeps beside a queue's own keys. */
export function salvoKeys(prefix: string, queueName: string) {
  const base = `${prefix}:${queueName}:salvo`;
  return {
    /** Pub/sub: the id of a job to cancel, or `*` for every job of the queue. */
    cancelChannel: `${base}:cancel`,
    /** Set (with a time to live) when a job is cancelled: checked at its start and while it runs. */
    cancelledKey: (jobId: string) => `${base}:cancelled:${jobId}`,
  };
}

/**
 * Waits for `work`, at most `ms`: BullMQ's close can wait for ever on a connection that never
 * came up (seen with QueueEvents and Worker).
 */
export async function settleWithin(work: readonly Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(work),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
