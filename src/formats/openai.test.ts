import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallResult, CallStatus } from '../tool/call.js';
import type { ContentBlock, JsonValue } from '../tool/content.js';
import { fromOpenAI, type OpenAIToolCall, toOpenAI } from './openai.js';

function result(
  id: string,
  status: CallStatus,
  content: ContentBlock[],
  error?: CallResult['error'],
): CallResult {
  return { id, name: 'tool', status, content, isError: status !== 'success', error };
}

const text = (t: string): ContentBlock => ({ type: 'text', text: t });

// Abridged copies of `openai` types: assigning across them checks at compile time that the
// structural types match the SDK both ways.
type SdkToolCall =
  | { id: string; type: 'function'; function: { name: string; arguments: string } }
  | { id: string; type: 'custom'; custom: { name: string; input: string } };
interface SdkChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: SdkToolCall[];
}
interface SdkToolMessageParam {
  role: 'tool';
  tool_call_id: string;
  content: string | Array<{ type: 'text'; text: string }>;
}

const sdkMessage: SdkChatCompletionMessage = {
  role: 'assistant',
  content: null,
  refusal: null,
  tool_calls: [
    { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
    { id: 'call_2', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
    { id: 'call_3', type: 'function', function: { name: 'read_file', arguments: '{"path":' } },
  ],
};

describe('fromOpenAI', () => {
  it('returns every tool call in order, arguments kept as the raw string', () => {
    expect(fromOpenAI(sdkMessage)).toEqual([
      { id: 'call_1', name: 'read_file', input: '{"path":"a"}' },
      { id: 'call_2', name: 'apply_patch', input: '*** Begin Patch' },
      // Invalid JSON is the scheduler's to report, not a reason to drop the call.
      { id: 'call_3', name: 'read_file', input: '{"path":' },
    ]);
  });

  it('accepts the tool_calls array itself', () => {
    const calls: OpenAIToolCall[] = sdkMessage.tool_calls ?? [];
    expect(fromOpenAI(calls).map((call) => call.id)).toEqual(['call_1', 'call_2', 'call_3']);
  });

  it('returns no calls for a message without tool calls', () => {
    expect(fromOpenAI({ tool_calls: null })).toEqual([]);
    expect(fromOpenAI({})).toEqual([]);
    expect(fromOpenAI({ ...sdkMessage, tool_calls: [] })).toEqual([]);
  });

  it('never throws on a null or shapeless message', () => {
    expect(fromOpenAI(null)).toEqual([]);
    expect(fromOpenAI(undefined)).toEqual([]);
    for (const message of [42, 'text', { tool_calls: 'x' }, { tool_calls: { id: 'a' } }]) {
      expect(fromOpenAI(message as never)).toEqual([]);
    }
  });

  it('keeps every malformed entry as a call the scheduler can answer with an error', () => {
    const entries = [
      null,
      { id: 'call_1', type: 'function' },
      { type: 'function', function: { name: 'ls', arguments: '{}' } },
      { id: 'call_3', type: 'function', function: { arguments: '{}' } },
      { id: 'call_4', type: 'function', function: { name: 'ls', arguments: { path: '.' } } },
      { id: 'call_5', type: 'function', function: { name: 'ls' } },
      { id: 'call_6', type: 'function', function: { name: 'ls', arguments: null } },
      { id: 'call_7', function: { name: 'ls', arguments: '{}' } },
      { id: 'call_8', type: 'mystery', custom: { name: 'x', input: 'raw' } },
      { id: 9, type: 'custom', custom: { name: 3, input: 'raw' } },
    ] as unknown as OpenAIToolCall[];
    expect(fromOpenAI(entries)).toEqual([
      { id: '', name: '', input: undefined },
      { id: 'call_1', name: '', input: undefined },
      { id: '', name: 'ls', input: '{}' },
      { id: 'call_3', name: '', input: '{}' },
      // Some compatible servers send parsed arguments: the scheduler validates them as input.
      { id: 'call_4', name: 'ls', input: { path: '.' } },
      { id: 'call_5', name: 'ls', input: undefined },
      { id: 'call_6', name: 'ls', input: null },
      { id: 'call_7', name: 'ls', input: '{}' },
      { id: 'call_8', name: 'x', input: 'raw' },
      { id: '', name: '', input: 'raw' },
    ]);
  });
});

describe('toOpenAI', () => {
  it('answers every call with one tool message, in order', () => {
    const messages = toOpenAI([
      result('call_2', 'success', [text('two')]),
      result('call_1', 'success', [text('one')]),
    ]);
    expect(messages).toEqual([
      { role: 'tool', tool_call_id: 'call_2', content: 'two' },
      { role: 'tool', tool_call_id: 'call_1', content: 'one' },
    ]);
    const asParams: SdkToolMessageParam[] = messages;
    expect(asParams).toHaveLength(2);
  });

  it('joins text and JSON blocks with newlines', () => {
    const value: JsonValue = { files: ['a.ts'], count: 1 };
    const [message] = toOpenAI([
      result('a', 'success', [text('Found:'), { type: 'json', value }, text('done')]),
    ]);
    expect(message?.content).toBe(`Found:\n${JSON.stringify(value)}\ndone`);
  });

  it('describes images, which tool messages cannot carry', () => {
    const [message] = toOpenAI([
      result('a', 'success', [
        text('Screenshot:'),
        { type: 'image', mimeType: 'image/png', data: 'A'.repeat(16_384) },
        { type: 'image', mimeType: 'image/gif', data: 'R0lGODlhAQABAAAAACw=' },
      ]),
    ]);
    expect(message?.content).toBe(
      'Screenshot:\n[image image/png, 12 KB omitted]\n[image image/gif, 14 B omitted]',
    );
  });

  it.each<[CallStatus, string]>([
    ['success', '(no output)'],
    ['error', 'The tool call failed.'],
    ['denied', 'The tool call was denied.'],
    ['cancelled', 'The tool call was cancelled.'],
    ['timeout', 'The tool call timed out.'],
  ])('gives an empty %s result a line the model can read', (status, expected) => {
    expect(toOpenAI([result('a', status, [])])[0]?.content).toBe(expected);
    expect(toOpenAI([result('a', status, [text(''), text(' ')])])[0]?.content).toBe(expected);
  });

  it("sends an error's content, or its message when it has none", () => {
    const [withContent, withMessage] = toOpenAI([
      result('a', 'error', [text('Unknown tool `rm`.')], { message: 'unknown tool' }),
      result('b', 'timeout', [], { message: 'Timed out after 30 s.' }),
    ]);
    expect(withContent?.content).toBe('Unknown tool `rm`.');
    expect(withMessage?.content).toBe('Timed out after 30 s.');
  });

  it('never throws on a result without content', () => {
    const broken = {
      id: 'a',
      name: 't',
      status: 'success',
      isError: false,
    } as unknown as CallResult;
    expect(toOpenAI([broken])).toEqual([
      { role: 'tool', tool_call_id: 'a', content: '(no output)' },
    ]);
  });

  it('round-trips: every tool call gets its tool message, in the same order', () => {
    const calls = fromOpenAI(sdkMessage);
    const messages = toOpenAI(calls.map((call) => result(call.id, 'success', [text(call.name)])));
    expect(messages.map((m) => [m.tool_call_id, m.content])).toEqual([
      ['call_1', 'read_file'],
      ['call_2', 'apply_patch'],
      ['call_3', 'read_file'],
    ]);
  });
});

const contentBlock: fc.Arbitrary<ContentBlock> = fc.oneof(
  fc.string().map((t): ContentBlock => ({ type: 'text', text: t })),
  fc.jsonValue().map((value): ContentBlock => ({ type: 'json', value: value as JsonValue })),
  fc.record({
    type: fc.constant('image' as const),
    mimeType: fc.constantFrom('image/png', 'image/jpeg', ''),
    data: fc.base64String(),
  }),
);

const callResult: fc.Arbitrary<CallResult> = fc
  .record({
    id: fc.string(),
    status: fc.constantFrom<CallStatus>('success', 'error', 'denied', 'cancelled', 'timeout'),
    content: fc.array(contentBlock, { maxLength: 4 }),
  })
  .map(({ id, status, content }) => result(id, status, content));

describe('toOpenAI properties', () => {
  it('emits one non-empty tool message per result, in order, ids matching', () => {
    fc.assert(
      fc.property(fc.array(callResult, { maxLength: 8 }), (results) => {
        const messages = toOpenAI(results);
        expect(messages.map((m) => m.tool_call_id)).toEqual(results.map((r) => r.id));
        for (const message of messages) {
          expect(message.role).toBe('tool');
          expect(message.content.trim()).not.toBe('');
        }
      }),
    );
  });

  it('round-trips ids through fromOpenAI and toOpenAI', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 8 }), (ids) => {
        const calls = fromOpenAI(
          ids.map(
            (id): OpenAIToolCall => ({
              id,
              type: 'function',
              function: { name: 'f', arguments: '{}' },
            }),
          ),
        );
        const messages = toOpenAI(calls.map((call) => result(call.id, 'success', [])));
        expect(messages.map((m) => m.tool_call_id)).toEqual(ids);
      }),
    );
  });
});
