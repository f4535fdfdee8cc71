import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpHub, Scheduler } from '../../src/index.js';
import { faultServerCommand } from '../../src/mcp/fixtures/fault-server-command.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  ratioVerdict,
  type Scenario,
} from '../harness.js';

/** A mutex: the serialized design, one call on the client at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async run<T>(work: () => Promise<T>): Promise<T> {
    const before = this.#tail;
    let release = () => {};
    this.#tail = new Promise((resolve) => {
      release = resolve;
    });
    await before;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

async function rawClient(): Promise<Client> {
  const { command, args } = faultServerCommand();
  const client = new Client({ name: 'bench', version: '0.0.0' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  return client;
}

/** 50 concurrent 200 ms calls to one stdio MCP server: multiplexed vs one lock around the client. */
export const mcpFanOut: Scenario = {
  name: 'mcp-fan-out',
  description: '50 concurrent 200 ms calls to one stdio MCP server',
  target:
    'salvo within 1.3x of one call, >= 30x faster than a locked client, within 1.1x of the raw SDK',
  contenders: ['salvo', 'locked-client', 'raw-sdk'],
  async run({ reps = 5, quick = false } = {}) {
    const count = quick ? 10 : 50;
    const latencyMs = quick ? 5 : 200;
    const hub = await McpHub.fromConfig({
      mcpServers: { slow: { ...faultServerCommand(), trust: 'parallel' } },
    });
    const locked = await rawClient();
    const raw = await rawClient();
    try {
      const failed = hub.errors()[0];
      if (failed) throw new Error(failed.message);
      const scheduler = new Scheduler({ tools: hub.tools(), limits: hub.limits() });
      const calls = Array.from({ length: count }, (_, i) => ({
        id: `call_${i}`,
        name: 'slow__sleep',
        input: { ms: latencyMs, tag: String(i) },
      }));
      const params = (i: number) => ({
        name: 'sleep',
        arguments: { ms: latencyMs, tag: String(i) },
      });
      const mutex = new Mutex();
      const contenders: Contender[] = [
        {
          name: 'salvo',
          async run() {
            const { results } = await scheduler.run(calls);
            assertAllSucceeded(results);
          },
        },
        {
          name: 'locked-client',
          // 10 s per repetition: two are enough.
          maxReps: 2,
          async run() {
            await Promise.all(calls.map((_, i) => mutex.run(() => locked.callTool(params(i)))));
          },
        },
        {
          name: 'raw-sdk',
          async run() {
            await Promise.all(calls.map((_, i) => raw.callTool(params(i))));
          },
        },
      ];
      // Warm the fast contenders (the locked client's 10 s would only add time).
      for (const contender of contenders)
        if (contender.maxReps === undefined) await contender.run();
      return await measure({ scenario: this.name, lowerBoundMs: latencyMs, contenders, reps });
    } finally {
      await Promise.all([hub.close(), locked.close(), raw.close()]);
    }
  },
  verdicts(rows) {
    return [
      ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.3 }),
      ratioVerdict(rows, 'locked-client', 'salvo', { min: 30 }),
      ratioVerdict(rows, 'salvo', 'raw-sdk', { max: 1.1 }),
    ];
  },
};
