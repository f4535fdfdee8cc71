// Helpers for provider tests: requests, event collection, and a transcript with tool results.

import type { CallResult } from '../../tool/call.js';
import type { AgentMessage, ModelEvent, ModelRequest, ModelTool } from '../model.js';

export const readFileTool: ModelTool = {
  name: 'read_file',
  description: 'Read a UTF-8 file',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string' } },
    required: ['path'],
  },
};

export function modelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: '',
    messages: [{ role: 'user', content: 'Hi' }],
    tools: [],
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Every event of a stream; rejects with the stream's error, the events so far in `events`. */
export async function collect(
  stream: AsyncIterable<ModelEvent>,
  events: ModelEvent[] = [],
): Promise<ModelEvent[]> {
  for await (const event of stream) events.push(event);
  return events;
}

/** The error a stream throws, and the events it yielded first. */
export async function collectError(
  stream: AsyncIterable<ModelEvent>,
): Promise<{ error: unknown; events: ModelEvent[] }> {
  const events: ModelEvent[] = [];
  try {
    await collect(stream, events);
  } catch (error) {
    return { error, events };
  }
  throw new Error(`expected the stream to fail; it yielded ${JSON.stringify(events)}`);
}

export function success(id: string, name: string, text: string): CallResult {
  return {
    id,
    name,
    status: 'success',
    isError: false,
    content: [{ type: 'text', text }],
    output: text,
  };
}

export function failure(id: string, name: string, message: string): CallResult {
  return {
    id,
    name,
    status: 'error',
    isError: true,
    content: [{ type: 'text', text: message }],
    error: { message },
  };
}

/**
 * A transcript with two calls in one assistant message (the second cut off by the output
 * limit), their results, and a user message after them.
 */
export const transcriptWithTools: AgentMessage[] = [
  { role: 'user', content: 'Read a.ts and b.ts' },
  {
    role: 'assistant',
    content: 'Reading both.',
    toolCalls: [
      { id: 'call_a', name: 'read_file', input: '{"path":"a.ts"}' },
      { id: 'call_b', name: 'read_file', input: '{"path":"b.' },
    ],
  },
  {
    role: 'tool',
    results: [
      success('call_a', 'read_file', 'export const a = 1;'),
      failure('call_b', 'read_file', 'The arguments were cut off by the output limit.'),
    ],
  },
  { role: 'user', content: 'Now b.ts again, please.' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_c', name: 'read_file', input: '' }] },
  { role: 'tool', results: [success('call_c', 'read_file', 'export const b = 2;')] },
];
