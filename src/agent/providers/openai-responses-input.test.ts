import { describe, expect, it } from 'vitest';
import type { AgentMessage, ReasoningPart } from '../model.js';
import { toResponsesInput, toResponsesTools } from './openai-responses-input.js';
import { failure, readFileTool } from './test-model-request.js';

const mine = (id: unknown, extra: Record<string, unknown> = {}): ReasoningPart => ({
  provider: 'openai-responses',
  kind: 'reasoning',
  data: { id, encrypted_content: 'enc', summary: [], ...extra },
});

describe('toResponsesInput', () => {
  it('sends back only its own reasoning with an item id, in order, before text and calls', () => {
    const messages: AgentMessage[] = [
      {
        role: 'assistant',
        content: 'Reading.',
        reasoning: [
          mine('rs_1'),
          { provider: 'openai', kind: 'reasoning_content', text: 'other server' },
          mine(undefined),
          { provider: 'openai-responses', kind: 'reasoning', data: 'garbled' },
          mine('rs_2', { encrypted_content: null }),
        ],
        toolCalls: [{ id: 'call_a', name: 'read_file', input: '{"path":"a"}' }],
      },
    ];
    expect(toResponsesInput(messages)).toEqual([
      { type: 'reasoning', id: 'rs_1', encrypted_content: 'enc', summary: [] },
      { type: 'reasoning', id: 'rs_2', encrypted_content: null, summary: [] },
      { role: 'assistant', content: 'Reading.' },
      { type: 'function_call', call_id: 'call_a', name: 'read_file', arguments: '{"path":"a"}' },
    ]);
  });

  it('leaves out an assistant message with neither text nor calls, reasoning included', () => {
    const messages: AgentMessage[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '  ', toolCalls: [], reasoning: [mine('rs_1')] },
      { role: 'user', content: 'Again' },
    ];
    expect(toResponsesInput(messages)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'user', content: 'Again' },
    ]);
  });

  it('writes results as text: errors as their message, images as a line, nothing as a note', () => {
    const messages: AgentMessage[] = [
      {
        role: 'tool',
        results: [
          failure('call_a', 'read_file', 'ENOENT: no such file'),
          {
            id: 'call_b',
            name: 'screenshot',
            status: 'success',
            isError: false,
            content: [{ type: 'image', mimeType: 'image/png', data: 'AAAA' }],
          },
          { id: 'call_c', name: 'touch', status: 'success', isError: false, content: [] },
        ],
      },
    ];
    expect(toResponsesInput(messages)).toEqual([
      { type: 'function_call_output', call_id: 'call_a', output: 'ENOENT: no such file' },
      { type: 'function_call_output', call_id: 'call_b', output: '[image image/png, 3 B omitted]' },
      { type: 'function_call_output', call_id: 'call_c', output: '(no output)' },
    ]);
  });
});

describe('toResponsesTools', () => {
  it('sends function tools, not strict', () => {
    expect(toResponsesTools([readFileTool])).toEqual([
      {
        type: 'function',
        name: 'read_file',
        description: 'Read a UTF-8 file',
        parameters: readFileTool.inputSchema,
        strict: false,
      },
    ]);
  });
});
