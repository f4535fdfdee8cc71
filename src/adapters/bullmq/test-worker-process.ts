// A worker process for the BullMQ tests and the `distributed` bench: a scripted model and one
// `work` tool, so no network is needed. Its config is JSON in argv[2]; it prints one JSON line
// per event (ready, start, end, skipped) with its own clock's timestamps.
import type { Model, ModelRequest } from '../../agent/model.js';
import { scriptedModel } from '../../agent/scripted-model.js';
import { defineTool } from '../../tool/define-tool.js';
import { startSubagentWorker } from './subagent-worker.js';

export interface TestWorkerConfig {
  url: string;
  queueName: string;
  name: string;
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  cancelCheckMs?: number;
  /** `groups` of the worker; its model is `scripted`, so `model:scripted` limits it. */
  groups?: Record<string, number>;
  groupLeaseMs?: number;
  /** Each model request takes this long, once it holds its leases (printed: model-start/end). */
  modelMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as TestWorkerConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** `work:<ms>:<anything>`: one `work` call of that many ms, then `done <prompt> by <worker>`. */
const scripted = scriptedModel({
  turns: (request: ModelRequest) => {
    const first = request.messages[0];
    const prompt = first?.role === 'user' && typeof first.content === 'string' ? first.content : '';
    const answered = request.messages.some((m) => m.role === 'tool');
    if (answered) return { text: `done ${prompt} by ${config.name}` };
    const ms = Number(prompt.split(':')[1] ?? 0);
    return { toolCalls: [{ name: 'work', input: { ms } }] };
  },
});

/** The scripted model, each request `modelMs` long and printed while it runs (inside its leases). */
const model: Model = {
  provider: scripted.provider,
  modelId: scripted.modelId,
  toProviderMessages: (messages) => scripted.toProviderMessages(messages),
  async *stream(request) {
    print({ type: 'model-start', worker: config.name, at: Date.now() });
    try {
      if (config.modelMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, config.modelMs);
          request.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(request.signal.reason);
            },
            { once: true },
          );
        });
      }
      yield* scripted.stream(request);
    } finally {
      print({ type: 'model-end', worker: config.name, at: Date.now() });
    }
  },
};

const work = defineTool({
  name: 'work',
  description: 'Works for `ms` milliseconds',
  input: { type: 'object', properties: { ms: { type: 'number' } }, required: ['ms'] },
  claims: [],
  approval: 'auto',
  execute: (input: { ms: number }, ctx) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('worked'), input.ms);
      ctx.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        },
        { once: true },
      );
    }),
});

const worker = startSubagentWorker({
  connection: config.url,
  queueName: config.queueName,
  name: config.name,
  concurrency: config.concurrency,
  model,
  tools: [work],
  ...(config.lockDurationMs ? { lockDurationMs: config.lockDurationMs } : {}),
  ...(config.stalledIntervalMs ? { stalledIntervalMs: config.stalledIntervalMs } : {}),
  ...(config.cancelCheckMs ? { cancelCheckMs: config.cancelCheckMs } : {}),
  ...(config.groups ? { groups: config.groups } : {}),
  ...(config.groupLeaseMs ? { groupLeaseMs: config.groupLeaseMs } : {}),
  onJob: (event) => print({ ...event, worker: config.name }),
});
await worker.ready();
print({ type: 'ready', worker: config.name, pid: process.pid });
process.on('SIGTERM', () => {
  void worker.close({ force: true }).then(() => process.exit(0));
});
