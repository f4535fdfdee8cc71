import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { ResponsesStreamMapper } from './openai-responses-stream.js';

type Event = OpenAI.Responses.ResponseStreamEvent;

const call = (id: string, callId: string, args = '', status = 'in_progress') => ({
  id,
  type: 'function_call',
  call_id: callId,
  name: 'read_file',
  arguments: args,
  status,
});
const added = (output_index: number, item: object) => ({
  type: 'response.output_item.added',
  output_index,
  item,
});
const itemDone = (output_index: number, item: object) => ({
  type: 'response.output_item.done',
  output_index,
  item,
});
const delta = (item_id: string, output_index: number, d: string) => ({
  type: 'response.function_call_arguments.delta',
  item_id,
  output_index,
  delta: d,
});
const completed = (response: object = {}) => ({ type: 'response.completed', response });

function run(...events: object[]): ModelEvent[] {
  const mapper = new ResponsesStreamMapper();
  const out = events.flatMap((e) => mapper.push(e as Event));
  mapper.end();
  return out;
}

const calls = (events: ModelEvent[]) => events.filter((e) => e.type === 'tool-call');

describe('ResponsesStreamMapper', () => {
  it('completes a call on response.output_item.done when no arguments.done came', () => {
    const events = run(
      added(0, call('fc_1', 'call_a')),
      delta('fc_1', 0, '{"path":"a"}'),
      itemDone(0, call('fc_1', 'call_a', '{"path":"a"}', 'completed')),
      completed(),
    );
    expect(calls(events)).toEqual([
      { type: 'tool-call', id: 'call_a', name: 'read_file', input: '{"path":"a"}' },
    ]);
    expect(events.at(-1)).toMatchObject({ reason: 'tool-calls' });
  });

  it('matches argument events by output_index when item_id is missing', () => {
    const events = run(
      added(3, { ...call('fc_1', 'call_a'), id: undefined }),
      { type: 'response.function_call_arguments.delta', output_index: 3, delta: '{}' },
      { type: 'response.function_call_arguments.done', output_index: 3, arguments: '{}' },
      completed(),
    );
    expect(events.map((e) => e.type)).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call',
      'finish',
    ]);
  });

  it('takes a function call found only in the completed output, and yields it once', () => {
    const events = run(
      itemDone(0, call('fc_1', 'call_a', '{"path":"a"}', 'completed')),
      completed({
        output: [
          call('fc_1', 'call_a', '{"path":"a"}', 'completed'),
          call('fc_2', 'call_b', '{}', 'completed'),
        ],
      }),
    );
    expect(calls(events).map((e) => e.id)).toEqual(['call_a', 'call_b']);
    expect(events.filter((e) => e.type === 'tool-call-start').map((e) => e.id)).toEqual([
      'call_a',
      'call_b',
    ]);
  });

  it('drops a call whose item is done with status incomplete', () => {
    const events = run(
      added(0, call('fc_1', 'call_a')),
      delta('fc_1', 0, '{"pa'),
      itemDone(0, call('fc_1', 'call_a', '{"pa', 'incomplete')),
      {
        type: 'response.incomplete',
        response: { incomplete_details: { reason: 'max_output_tokens' } },
      },
    );
    expect(calls(events)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
  });

  it('drops a call still open at response.incomplete, even when its text parses', () => {
    const events = run(added(0, call('fc_1', 'call_a')), delta('fc_1', 0, '{"path":"a"}'), {
      type: 'response.incomplete',
      response: { incomplete_details: { reason: 'max_output_tokens' } },
    });
    expect(calls(events)).toEqual([]);
  });

  it('completes calls still open at response.completed with what streamed', () => {
    const events = run(
      added(0, call('fc_1', 'call_a')),
      delta('fc_1', 0, '{"path": x}'),
      completed(),
    );
    expect(calls(events)).toEqual([
      { type: 'tool-call', id: 'call_a', name: 'read_file', input: '{"path": x}' },
    ]);
  });

  it('never crashes on a terminal event with missing fields', () => {
    expect(run({ type: 'response.completed' }).at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    expect(
      run({ type: 'response.incomplete', response: { usage: { input_tokens: 5 } } }).at(-1),
    ).toEqual({
      type: 'finish',
      reason: 'other',
      usage: { inputTokens: 5, outputTokens: 0 },
    });
  });

  it('ignores events it does not know and events after the terminal one', () => {
    const mapper = new ResponsesStreamMapper();
    expect(mapper.push({ type: 'response.web_search_call.searching' } as unknown as Event)).toEqual(
      [],
    );
    mapper.push(completed() as Event);
    expect(mapper.done).toBe(true);
    expect(
      mapper.push({ type: 'response.output_text.delta', delta: 'late' } as unknown as Event),
    ).toEqual([]);
  });

  it('yields a reasoning item once, without text when it has no summary', () => {
    const item = { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'enc' };
    const events = run(itemDone(0, item), completed({ output: [item] }));
    expect(events.filter((e) => e.type === 'reasoning')).toEqual([
      {
        type: 'reasoning',
        part: {
          provider: 'openai-responses',
          kind: 'reasoning',
          data: { id: 'rs_1', encrypted_content: 'enc', summary: [] },
        },
      },
    ]);
  });

  it('streams reasoning text of open models, and separates summary parts', () => {
    const events = run(
      { type: 'response.reasoning_text.delta', item_id: 'rs_1', content_index: 0, delta: 'a' },
      {
        type: 'response.reasoning_summary_text.delta',
        item_id: 'rs_2',
        summary_index: 0,
        delta: 'b',
      },
      {
        type: 'response.reasoning_summary_text.delta',
        item_id: 'rs_2',
        summary_index: 0,
        delta: 'c',
      },
      {
        type: 'response.reasoning_summary_text.delta',
        item_id: 'rs_2',
        summary_index: 1,
        delta: 'd',
      },
      completed(),
    );
    expect(events.filter((e) => e.type === 'reasoning-delta').map((e) => e.text)).toEqual([
      'a',
      'b',
      'c',
      '\n\nd',
    ]);
  });

  it('throws ModelApiErrors for response.failed, error events and a stream cut short', () => {
    const mapper = new ResponsesStreamMapper();
    expect(() =>
      mapper.push({ type: 'response.failed', response: {} } as unknown as Event),
    ).toThrow('openai-responses: the response failed');
    expect(() =>
      mapper.push({ type: 'error', code: null, message: 'Bad.' } as unknown as Event),
    ).toThrow(ModelApiError);
    expect(() => new ResponsesStreamMapper().end()).toThrow(ModelApiError);
  });
});
