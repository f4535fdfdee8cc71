import { describe, expect, it } from 'vitest';
import type { Model, ModelEvent, ModelRequest } from '../../agent/model.js';
import { scriptedModel } from '../../agent/scripted-model.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { SubagentManager } from '../../subagent/subagent-manager.js';
import { ApprovalQueue } from '../approval-queue.js';
import type { CliIo } from '../io.js';
import type { Reporter } from '../reporter.js';
import type { Runtime } from '../runtime.js';
import { TerminalKeys } from '../terminal-keys.js';
import { CliSession } from './cli-session.js';

function session(subagents: SubagentManager, warnings: string[]): CliSession {
  const model = scriptedModel({ turns: [] });
  const reporter = { warn: (line: string) => warnings.push(line) } as unknown as Reporter;
  const io = { home: '/nonexistent-home', env: {} } as unknown as CliIo;
  return new CliSession({
    io,
    cwd: '/p',
    choice: { provider: 'openai', model: 'm', baseUrl: undefined },
    model,
    modelFor: () => model,
    runtime: { subagents } as unknown as Runtime,
    reporter,
    queue: new ApprovalQueue(),
    traces: [],
    system: undefined,
    maxSteps: 5,
    keys: new TerminalKeys(process.stdin, () => false),
    ctrlC: { press: () => {} },
    batchTool: false,
  });
}

describe('a session that ends', () => {
  it('stops the background agents still running and names them; finished ones are left alone', async () => {
    // The first agent answers at once; the second one's model answers only when aborted.
    let requests = 0;
    const model: Model = {
      provider: 'scripted',
      modelId: 'm',
      toProviderMessages: (messages) => [...messages],
      async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
        if (requests++ > 0) {
          await new Promise((resolve) => {
            if (request.signal.aborted) resolve(undefined);
            request.signal.addEventListener('abort', resolve, { once: true });
          });
          throw request.signal.reason;
        }
        yield { type: 'text-delta', text: 'done quickly' };
        yield { type: 'finish', reason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    const manager = new SubagentManager({ model });
    manager.attach(new Scheduler({ tools: [] }));
    const quick = manager.start({ prompt: 'quick', callerPath: [], detached: true });
    await quick.done;
    const slow = manager.start({ prompt: 'slow', callerPath: [], detached: true });
    const warnings: string[] = [];
    expect(session(manager, warnings).stopBackgroundAgents('when the run ended')).toBe(1);
    const ended = await slow.done;
    expect(ended.status).toBe('cancelled');
    expect(warnings).toEqual([
      `1 background agent was still running when the run ended and was stopped: ${slow.label} (${slow.id})`,
    ]);
    expect(session(manager, warnings).stopBackgroundAgents('again')).toBe(0);
  });
});
