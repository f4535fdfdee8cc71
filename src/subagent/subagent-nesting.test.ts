import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentMessage, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler.js';
import { deferred } from '../schedule/test-support.js';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { shellTool } from '../tools/shell.js';
import { createWorkspace } from '../tools/workspace.js';
import { SubagentManager, type SubagentManagerOptions } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

/**
 * Each agent's prompt is a script: `call:<tool>[::<json>]` calls a tool once, `task:<a>|<b>`
 * runs tasks, `then:<tool>` after `task:` calls that tool in the same response, after the tasks.
 */
function promptModel() {
  return scriptedModel({
    turns: (request: ModelRequest): ScriptedTurn => {
      const first = request.messages[0] as Extract<AgentMessage, { role: 'user' }>;
      const prompt = first.content;
      if (request.messages.some((m) => m.role === 'tool')) return { text: `done ${prompt}` };
      const colon = prompt.indexOf(':');
      if (colon < 0) return { text: `done ${prompt}` };
      const kind = prompt.slice(0, colon);
      const rest = prompt.slice(colon + 1);
      if (kind === 'task') {
        const [tasks = '', after] = rest.split('>>then:');
        const calls: NonNullable<ScriptedTurn['toolCalls']> = tasks
          .split('|')
          .map((p) => ({ name: 'task', input: { description: p, prompt: p } }));
        if (after) calls.push({ name: after, input: {} });
        return { toolCalls: calls };
      }
      const [tool = '', json = '{}'] = rest.split('::');
      return { toolCalls: [{ name: tool, input: json }] };
    },
  });
}

function setup(
  tools: Tool[],
  options: Partial<SubagentManagerOptions> = {},
  schedulerOptions: Partial<SchedulerOptions> = {},
) {
  const manager = new SubagentManager({ model: promptModel(), ...options });
  const scheduler = new Scheduler({
    tools: [...tools, taskTool(manager), agentTool(manager)],
    ...schedulerOptions,
  });
  manager.attach(scheduler);
  return { manager, scheduler };
}

const root = (scheduler: Scheduler, prompt: string) =>
  runAgent({ model: promptModel(), scheduler, messages: prompt });

/** A tool with no claims (exclusive) that records how many of its kind ran at once. */
function exclusiveTool(name: string, log: string[], hold?: Promise<void>) {
  let running = 0;
  return defineTool({
    name,
    description: '',
    input: z.object({}),
    execute: async () => {
      running++;
      log.push(`${name} start ${running}`);
      await (hold ?? new Promise((r) => setImmediate(r)));
      await new Promise((r) => setImmediate(r));
      log.push(`${name} end`);
      running--;
      return 'written';
    },
  });
}

function toolResults(messages: readonly AgentMessage[]) {
  return messages
    .filter((m): m is Extract<AgentMessage, { role: 'tool' }> => m.role === 'tool')
    .flatMap((m) => m.results.map((r) => [r.name, r.status]));
}

describe('subagents that write', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('run an exclusive call inside a task instead of waiting for their own task call', async () => {
    const log: string[] = [];
    const { scheduler, manager } = setup([exclusiveTool('write', log)]);
    const result = await root(scheduler, 'task:call:write');
    expect(result.finishReason).toBe('stop');
    expect(toolResults(result.messages)).toEqual([['task', 'success']]);
    expect(manager.agents()[0]?.status).toBe('done');
    expect(log).toEqual(['write start 1', 'write end']);
  });

  it('run a writing shell command inside a task (echo hi > out.txt)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salvo-nesting-'));
    const workspace = createWorkspace({ root: dir });
    const { scheduler } = setup(
      [shellTool({ workspace })],
      {},
      { approver: () => 'approve' as const },
    );
    const result = await root(scheduler, 'task:call:shell::{"command":"echo hi > out.txt"}');
    expect(result.finishReason).toBe('stop');
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('hi\n');
  });

  it('never overlap the exclusive calls of two sibling subagents', async () => {
    const log: string[] = [];
    const { scheduler } = setup([exclusiveTool('write', log)], { maxConcurrent: 4 });
    const result = await root(scheduler, 'task:call:write|call:write|call:write');
    expect(result.finishReason).toBe('stop');
    expect(toolResults(result.messages)).toEqual([
      ['task', 'success'],
      ['task', 'success'],
      ['task', 'success'],
    ]);
    // One at a time: every start sees itself alone.
    expect(log.filter((l) => l.startsWith('write start'))).toEqual([
      'write start 1',
      'write start 1',
      'write start 1',
    ]);
  });

  it('make a root-level exclusive call issued after a task wait for the whole task', async () => {
    const log: string[] = [];
    const release = deferred();
    const inner = defineTool({
      name: 'inner',
      description: '',
      input: z.object({}),
      claims: [],
      execute: async () => {
        log.push('inner start');
        await release.promise;
        log.push('inner end');
        return 'ok';
      },
    });
    const after = defineTool({
      name: 'after',
      description: '',
      input: z.object({}),
      execute: () => {
        log.push('after');
        return 'ok';
      },
    });
    const { scheduler } = setup([inner, after]);
    const run = root(scheduler, 'task:call:inner>>then:after');
    while (!log.includes('inner start')) await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['inner start']);
    release.resolve();
    const result = await run;
    expect(result.finishReason).toBe('stop');
    expect(log).toEqual(['inner start', 'inner end', 'after']);
  });

  it('let a subagent write where a later root call waits, even with one subagent slot', async () => {
    const log: string[] = [];
    const { scheduler, manager } = setup(
      [exclusiveTool('write', log), exclusiveTool('after', log)],
      { maxConcurrent: 1 },
      { maxConcurrency: 1 },
    );
    const result = await root(scheduler, 'task:call:write|call:write>>then:after');
    expect(result.finishReason).toBe('stop');
    expect(toolResults(result.messages)).toEqual([
      ['task', 'success'],
      ['task', 'success'],
      ['after', 'success'],
    ]);
    expect(manager.agents().map((a) => a.status)).toEqual(['done', 'done']);
    expect(log.at(-2)).toBe('after start 1');
  });
});
