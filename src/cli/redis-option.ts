import type * as Bullmq from '../adapters/bullmq/index.js';
import type { SubagentDispatcher } from '../subagent/subagent-dispatcher.js';
import { CliError } from './cli-error.js';
import { redisPlace as placeOf } from './config/redis-url.js';

/**
 * `salvo/bullmq`, loaded only for `--redis`: bullmq and ioredis are optional, and the rest of
 * salvo never needs them.
 */
export async function loadBullmq(): Promise<typeof Bullmq> {
  try {
    return await import('../adapters/bullmq/index.js');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(
        '--redis needs the bullmq and ioredis packages: npm install bullmq ioredis',
      );
    }
    throw error;
  }
}

/** `redis://host:port` of a URL, without its user and password (for messages). */
export function redisPlace(url: string): string {
  return placeOf(url, 'the --redis URL');
}

/** Waits for `ready`, at most `timeoutMs`: a Redis that does not answer is a usage mistake. */
export async function readyOrFail(
  ready: Promise<void>,
  url: string,
  timeoutMs = 5_000,
  source = '--redis',
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([ready.then(() => 'ready' as const), late]);
    if (outcome === 'late') {
      throw new CliError(
        `${source}: ${redisPlace(url)} did not answer within ${timeoutMs / 1000} s: start Redis there or fix the URL`,
      );
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${source}: ${redisPlace(url)}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The dispatcher `salvo run --redis <url>` hands subagents to, once Redis answered. `source`
 * names where the URL came from in messages (`--redis`, or `redis` in the config).
 */
export async function redisDispatcher(
  url: string,
  source = '--redis',
): Promise<SubagentDispatcher> {
  const { bullmqDispatcher } = await loadBullmq();
  let dispatcher: Bullmq.BullmqDispatcher;
  try {
    dispatcher = bullmqDispatcher({ connection: url });
  } catch (error) {
    throw new CliError(`${source}: ${(error as Error).message}`);
  }
  try {
    await readyOrFail(dispatcher.ready(), url, 5_000, source);
  } catch (error) {
    await dispatcher.close();
    throw error;
  }
  return dispatcher;
}
