import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SchedulerEvent } from '../schedule/events.js';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import type { AgentMessage, ModelRequest } from './model.js';
import { runAgent } from './run-agent.js';
import { type ScriptedTurn, scriptedModel } from './scripted-model.js';

const read = defineTool({
  name: 'read',
  description: 'Reads a note',
  input: z.object({ name: z.string() }),
  claims: (i) => [{ key: `note:${i.name}`, mode: 'read' }],
  execute: (i) => `note ${i.name}`,
});

function model(first: ScriptedTurn) {
  const requests: ModelRequest[] = [];
  return {
    requests,
    model: scriptedModel({
      turns: (request, index) => {
        requests.push(request);
        return index === 0 ? first : { text: 'done' };
      },
    }),
  };
}

describe('the batch tool', () => {
  it('runs each call of a batch as its own call of the turn, and answers the batch in order', async () => {
    const events: SchedulerEvent[] = [];
    const scheduler = new Scheduler({ tools: [read], onEvent: (e) => void events.push(e) });
    const { model: m, requests } = model({
      toolCalls: [
        {
          id: 'b1',
          name: 'batch',
          input: {
            calls: [
              { tool: 'read', input: { name: 'a' } },
              { tool: 'missing', input: {} },
              { tool: 'read', input: { name: 'b' } },
            ],
          },
        },
      ],
    });
    const result = await runAgent({ model: m, scheduler, messages: 'go', batchTool: true });
    expect(result.finishReason).toBe('stop');
    // The model was shown the batch tool; the scheduler ran three calls of its own.
    expect(requests[0]?.tools.map((t) => t.name)).toEqual(['read', 'batch']);
    const started = events.filter((e) => e.type === 'finished').map((e) => e.callId);
    expect(started).toEqual(['b1#1', 'b1#2', 'b1#3']);
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results).toHaveLength(1);
    expect(tool.results[0]).toMatchObject({ id: 'b1', name: 'batch', status: 'success' });
    const text = (tool.results[0]?.content[0] as { text: string } | undefined)?.text ?? '';
    expect(text).toMatch(/^\[1\] read \(success\):\nnote a/);
    expect(text).toMatch(/\[2\] missing \(error\):\nUnknown tool "missing"/);
    expect(text).toMatch(/\[3\] read \(success\):\nnote b$/);
  });

  it('answers a malformed or nested batch with an error the model can act on', async () => {
    for (const [input, message] of [
      [{ calls: [] }, /expected \{ "calls"/],
      [{ calls: [{ tool: 'batch', input: {} }] }, /batches do not nest/],
      ['{"calls": [', /not valid JSON/],
    ] as const) {
      const scheduler = new Scheduler({ tools: [read] });
      const { model: m } = model({ toolCalls: [{ id: 'b', name: 'batch', input }] });
      const result = await runAgent({ model: m, scheduler, messages: 'go', batchTool: true });
      const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
      expect(tool.results[0]?.status).toBe('error');
      expect(tool.results[0]?.error?.message).toMatch(message);
    }
  });

  it('is not offered unless asked for', async () => {
    const scheduler = new Scheduler({ tools: [read] });
    const { model: m, requests } = model({ text: 'hi' });
    await runAgent({ model: m, scheduler, messages: 'go' });
    expect(requests[0]?.tools.map((t) => t.name)).toEqual(['read']);
  });
});
