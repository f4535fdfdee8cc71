import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModelEvent, ModelRequest } from './model.js';
import { scriptedModel } from './scripted-model.js';

const request = (signal = new AbortController().signal): ModelRequest => ({
  system: '',
  messages: [],
  tools: [],
  signal,
});

async function collect(events: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const out: ModelEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scriptedModel', () => {
  it('streams text, then each call as start, argument deltas and a complete call', async () => {
    const model = scriptedModel({
      turns: [{ text: 'hello world', toolCalls: [{ id: 'a', name: 't', input: { x: 1 } }] }],
      chunkSize: 5,
    });
    const events = await collect(model.stream(request()));
    expect(events).toEqual([
      { type: 'text-delta', text: 'hello' },
      { type: 'text-delta', text: ' worl' },
      { type: 'text-delta', text: 'd' },
      { type: 'tool-call-start', id: 'a', name: 't' },
      { type: 'tool-call-delta', id: 'a', delta: '{"x":' },
      { type: 'tool-call-delta', id: 'a', delta: '1}' },
      { type: 'tool-call', id: 'a', name: 't', input: '{"x":1}' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('cuts the last call off with finish length', async () => {
    const events = await collect(
      scriptedModel({
        turns: [
          { toolCalls: [{ id: 'a', name: 't', input: { long: 'x'.repeat(50) } }], cutOff: true },
        ],
      }).stream(request()),
    );
    expect(events.some((e) => e.type === 'tool-call')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
  });

  it('paces chunks with its delay and stops when aborted', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const model = scriptedModel({ turns: [{ text: 'abcdef' }], chunkSize: 2, chunkDelayMs: 100 });
    const seen: ModelEvent[] = [];
    const done = (async () => {
      for await (const event of model.stream(request(controller.signal))) seen.push(event);
    })();
    await vi.advanceTimersByTimeAsync(250);
    expect(seen).toHaveLength(2);
    controller.abort(new Error('stop'));
    await expect(done).rejects.toThrow('stop');
  });

  it('says clearly when it has no answer left', async () => {
    const model = scriptedModel({ turns: [] });
    await expect(collect(model.stream(request()))).rejects.toThrow(
      'scripted model: no answer scripted for request 1 (0 scripted)',
    );
  });
});
