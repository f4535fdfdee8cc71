import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../model.js';
import { AnthropicStreamMapper } from './anthropic-stream.js';

type Event = Anthropic.RawMessageStreamEvent;

const start = { type: 'message_start', message: { usage: { input_tokens: 3, output_tokens: 1 } } };
const toolStart = (index: number, id: string) => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name: 'read_file', input: {} },
});
const json = (index: number, partial_json: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json },
});
const stop = (index: number) => ({ type: 'content_block_stop', index });
const delta = (stop_reason: string) => ({
  type: 'message_delta',
  delta: { stop_reason },
  usage: { output_tokens: 9 },
});

function run(...events: object[]): ModelEvent[] {
  const mapper = new AnthropicStreamMapper();
  return [...events.flatMap((e) => mapper.push(e as Event)), ...mapper.end()];
}

describe('AnthropicStreamMapper', () => {
  it('holds back arguments that do not parse until the message proves them complete', () => {
    const mapper = new AnthropicStreamMapper();
    const events = [start, toolStart(0, 'a'), json(0, '{"path": x}'), stop(0)].flatMap((e) =>
      mapper.push(e as Event),
    );
    expect(events.map((e) => e.type)).toEqual(['tool-call-start', 'tool-call-delta']);
    const ended = run(start, toolStart(0, 'a'), json(0, '{"path": x}'), stop(0), delta('tool_use'));
    expect(ended.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'a', name: 'read_file', input: '{"path": x}' },
    ]);
  });

  it('drops a closed block whose arguments max_tokens cut off, but not the calls before it', () => {
    const events = run(
      start,
      toolStart(0, 'a'),
      json(0, '{"path":"a"}'),
      stop(0),
      toolStart(1, 'b'),
      stop(1),
      delta('max_tokens'),
    );
    expect(events.filter((e) => e.type === 'tool-call').map((e) => e.id)).toEqual(['a']);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
  });

  it('uses the input of content_block_start when no delta follows', () => {
    const events = run(
      start,
      {
        ...toolStart(0, 'a'),
        content_block: { type: 'tool_use', id: 'a', name: 'read_file', input: { path: 'a' } },
      },
      stop(0),
      delta('tool_use'),
    );
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'a', name: 'read_file', input: '{"path":"a"}' },
    ]);
  });

  it('counts cached input tokens as input', () => {
    const cached = {
      type: 'message_start',
      message: {
        usage: {
          input_tokens: 3,
          cache_creation_input_tokens: 100,
          cache_read_input_tokens: 1000,
          output_tokens: 1,
        },
      },
    };
    expect(run(cached, delta('end_turn')).at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 1103, outputTokens: 9 },
    });
  });
});
