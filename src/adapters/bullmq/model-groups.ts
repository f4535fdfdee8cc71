// Named cross-worker caps around model requests (a provider's rate limit, cluster-wide).
import type { Redis } from 'ioredis';
import type { Model, ModelRequest } from '../../agent/model.js';
import { assertCount } from '../../validate-options.js';
import { type RedisSemaphore, redisSemaphore } from './redis-semaphore.js';
import type { SubagentWorkerOptions } from './subagent-worker.js';

export interface ModelGroupsOptions
  extends Pick<SubagentWorkerOptions, 'groups' | 'modelGroups' | 'groupLeaseMs'> {
  client: Redis;
  /** BullMQ's key prefix: groups are shared by every queue of it. */
  prefix: string;
  /** How often a waiter asks again. @default 50 */
  pollMs?: number;
}

/**
 * A worker's named groups (`SubagentWorkerOptions.groups`): a Redis lease semaphore each, and
 * `wrap`, which makes a model's requests count in the groups it belongs to.
 */
export function modelGroups(options: ModelGroupsOptions) {
  const { client, prefix } = options;
  const limits = options.groups ?? {};
  if (typeof limits !== 'object' || limits === null) {
    throw new TypeError(
      `Expected \`groups\` to be an object of group names to limits, got \`${String(limits)}\``,
    );
  }
  const leaseMs = options.groupLeaseMs ?? 10_000;
  assertCount('groupLeaseMs', leaseMs, { min: 3, allowInfinity: false });
  const semaphores = new Map<string, RedisSemaphore>();
  for (const [name, limit] of Object.entries(limits)) {
    assertCount(`groups["${name}"]`, limit, { allowInfinity: false });
    semaphores.set(
      name,
      redisSemaphore({
        client,
        key: groupKey(prefix, name),
        limit,
        leaseMs,
        ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      }),
    );
  }
  const groupsOf =
    options.modelGroups ??
    ((model: Model) =>
      [`model:${model.provider}`, `model:${model.provider}/${model.modelId}`].filter((name) =>
        semaphores.has(name),
      ));
  const wrapped = new WeakMap<Model, Model>();
  return {
    wrap(model: Model): Model {
      if (semaphores.size === 0) return model;
      const known = wrapped.get(model);
      if (known) return known;
      // Sorted: two requests that need the same groups take them in one order, so neither
      // holds one while waiting for the other's.
      const names = [...new Set(groupsOf(model))].sort();
      const unknown = names.filter((name) => !semaphores.has(name));
      if (unknown.length > 0) {
        throw new Error(
          `modelGroups named ${unknown.map((n) => `"${n}"`).join(', ')}, which \`groups\` does not limit: add ${unknown.length > 1 ? 'them' : 'it'} to \`groups\``,
        );
      }
      const leased =
        names.length === 0
          ? model
          : leasedModel(
              model,
              names.map((n) => semaphores.get(n) as RedisSemaphore),
            );
      wrapped.set(model, leased);
      return leased;
    },
  };
}

/** Where a named group's leases are: beside the queues, so every queue of a prefix shares them. */
export function groupKey(prefix: string, name: string): string {
  return `${prefix}:salvo:group:${name}`;
}

/**
 * `model` whose every request first waits for a lease of each semaphore (cancelled by the
 * request's signal), and gives them back when its stream ends in any way. A lease lost while
 * the request runs (this worker was paused past the lease time) aborts the request: someone else
 * may hold the slot now.
 */
export function leasedModel(model: Model, semaphores: readonly RedisSemaphore[]): Model {
  return {
    provider: model.provider,
    modelId: model.modelId,
    toProviderMessages: (messages) => model.toProviderMessages(messages),
    async *stream(request: ModelRequest) {
      const leases = [];
      try {
        for (const semaphore of semaphores) leases.push(await semaphore.acquire(request.signal));
        const signal = AbortSignal.any([request.signal, ...leases.map((lease) => lease.lost)]);
        yield* model.stream({ ...request, signal });
      } finally {
        await Promise.all(leases.map((lease) => lease.release()));
      }
    },
  };
}
