// A worker process for the BullMQ tests and the `distributed` bench: a scripted model and one
// `work` tool, so no network is needed. Its config is JSON in argv[2]; it prints one JSON line
// per event (ready, start, end, skipped) with its own clock's timestamps.
import type { ModelRequest } from '../../agent/model.js';
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
}

const config = JSON.parse(process.argv[2] ?? '{}') as TestWorkerConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** `work:<ms>:<anything>`: one `work` call of that many ms, then `done <prompt> by <worker>`. */
const model = scriptedModel({
  turns: (request: ModelRequest) => {
    const first = request.messages[0];
    const prompt = first?.role === 'user' && typeof first.content === 'string' ? first.content : '';
    const answered = request.messages.some((m) => m.role === 'tool');
    if (answered) return { text: `done ${prompt} by ${config.name}` };
    const ms = Number(prompt.split(':')[1] ?? 0);
    return { toolCalls: [{ name: 'work', input: { ms } }] };
  },
});

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
  onJob: (event) => print({ ...event, worker: config.name }),
});
await worker.ready();
print({ type: 'ready', worker: config.name, pid: process.pid });
process.on('SIGTERM', () => {
  void worker.close({ force: true }).then(() => process.exit(0));
});
