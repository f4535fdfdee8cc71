import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../model.js';
import { OpenAIStreamMapper } from './openai-stream.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

function chunk(delta: object, finishReason: string | null = null): Chunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  } as Chunk;
}

function run(...chunks: Chunk[]): ModelEvent[] {
  const mapper = new OpenAIStreamMapper();
  return [...chunks.flatMap((c) => mapper.push(c)), ...mapper.end()];
}

// Quirks of compatible servers (Ollama, vLLM, llama.cpp) that the real API does not show.
describe('OpenAIStreamMapper with compatible servers', () => {
  it('takes whole calls with no index, one per id', () => {
    const events = run(
      chunk({
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          { id: 'b', type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } },
        ],
      }),
      chunk({}, 'tool_calls'),
    );
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'a', name: 'read_file', input: '{"path":"a"}' },
      { type: 'tool-call', id: 'b', name: 'read_file', input: '{"path":"b"}' },
    ]);
  });

  it('starts a call once its name arrives, with the arguments sent before it', () => {
    const events = run(
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{"pa' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'read_file', arguments: 'th":1}' } }] }),
      chunk({}, 'tool_calls'),
    );
    expect(events.slice(0, 3)).toEqual([
      { type: 'tool-call-start', id: 'a', name: 'read_file' },
      { type: 'tool-call-delta', id: 'a', delta: '{"path":1}' },
      { type: 'tool-call', id: 'a', name: 'read_file', input: '{"path":1}' },
    ]);
  });

  it('reads usage from a chunk whose choices are null, and refusals as text', () => {
    const events = run(
      chunk({ refusal: 'I cannot help with that.' }),
      chunk({}, 'content_filter'),
      {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'm',
        choices: null,
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
      } as unknown as Chunk,
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'I cannot help with that.' },
      { type: 'finish', reason: 'content-filter', usage: { inputTokens: 5, outputTokens: 7 } },
    ]);
  });
});
