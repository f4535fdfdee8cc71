/** A `redis://` or `rediss://` URL with a host: what `--redis` and `redis` in the config take. */
export function isRedisUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `redis://host:port` of a URL, without its user, password or database (for messages). */
export function redisPlace(url: string, otherwise = 'the Redis URL'): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return otherwise;
  }
}
