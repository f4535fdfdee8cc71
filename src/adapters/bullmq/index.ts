// salvo/bullmq: subagents on worker processes, on other machines, through BullMQ on Redis.
export {
  type BullmqDispatcher,
  type BullmqDispatcherOptions,
  bullmqDispatcher,
} from './bullmq-dispatcher.js';
export { groupKey, leasedModel } from './model-groups.js';
export type { RedisConnection } from './redis-connection.js';
export {
  type Lease,
  type RedisSemaphore,
  type RedisSemaphoreOptions,
  redisSemaphore,
} from './redis-semaphore.js';
export {
  type SubagentWorker,
  type SubagentWorkerOptions,
  startSubagentWorker,
} from './subagent-worker.js';
