import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallResult, CallStatus } from '../tool/call.js';
import type { ContentBlock, JsonValue } from '../tool/content.js';
import {
  type AnthropicContentBlock,
  type AnthropicToolResultBlock,
  type AnthropicUserMessage,
  fromAnthropic,
  toAnthropic,
} from './anthropic.js';

function result(
  id: string,
  status: CallStatus,
  content: ContentBlock[],
  error?: CallResult['error'],
): CallResult {
  return { id, name: 'tool', status, content, isError: status !== 'success', error };
}

const text = (t: string): ContentBlock => ({ type: 'text', text: t });

function toolResult(message: AnthropicUserMessage, index: number): AnthropicToolResultBlock {
  const block = message.content[index];
  if (block?.type !== 'tool_result') throw new Error(`block ${index} is not a tool_result`);
  return block;
}

// Abridged copies of `@anthropic-ai/sdk` types: assigning across them checks at compile time
// that the structural types match the SDK both ways.
interface SdkTextBlock {
  type: 'text';
  text: string;
  citations: unknown[] | null;
}
interface SdkToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
interface SdkThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}
interface SdkServerToolUseBlock {
  type: 'server_tool_use';
  id: string;
  name: 'web_search';
  input: unknown;
}
interface SdkMessage {
  id: string;
  role: 'assistant';
  content: Array<SdkTextBlock | SdkToolUseBlock | SdkThinkingBlock | SdkServerToolUseBlock>;
  stop_reason: 'tool_use' | 'end_turn' | null;
}
interface SdkTextBlockParam {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' } | null;
}
interface SdkImageBlockParam {
  type: 'image';
  source:
    | {
        type: 'base64';
        media_type: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
        data: string;
      }
    | { type: 'url'; url: string };
}
interface SdkToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<SdkTextBlockParam | SdkImageBlockParam>;
  is_error?: boolean;
}
interface SdkMessageParam {
  role: 'user' | 'assistant';
  content: string | Array<SdkTextBlockParam | SdkImageBlockParam | SdkToolResultBlockParam>;
}

const sdkMessage: SdkMessage = {
  id: 'msg_1',
  role: 'assistant',
  stop_reason: 'tool_use',
  content: [
    { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
    { type: 'text', text: 'Reading both files.', citations: null },
    { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.ts' } },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
    { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'b.ts' } },
  ],
};

describe('fromAnthropic', () => {
  it('returns the tool_use blocks in order and ignores text, thinking and server tools', () => {
    expect(fromAnthropic(sdkMessage)).toEqual([
      { id: 'toolu_1', name: 'read_file', input: { path: 'a.ts' } },
      { id: 'toolu_2', name: 'read_file', input: { path: 'b.ts' } },
    ]);
  });

  it('accepts the content array itself', () => {
    expect(fromAnthropic(sdkMessage.content).map((call) => call.id)).toEqual([
      'toolu_1',
      'toolu_2',
    ]);
  });

  it('returns no calls for a message without tool_use blocks', () => {
    expect(fromAnthropic({ content: [{ type: 'text', text: 'Done.' }] })).toEqual([]);
    expect(fromAnthropic({ content: 'Done.' })).toEqual([]);
    expect(fromAnthropic([])).toEqual([]);
  });

  it('never throws on a null or shapeless message', () => {
    expect(fromAnthropic(null)).toEqual([]);
    expect(fromAnthropic(undefined)).toEqual([]);
    for (const message of [42, 'text', {}, { content: null }, { content: { type: 'tool_use' } }]) {
      expect(fromAnthropic(message as never)).toEqual([]);
    }
  });

  it('keeps malformed tool_use blocks as calls the scheduler can answer with an error', () => {
    const content = [
      null,
      'tool_use',
      { type: 'tool_use', name: 'read_file', input: {} },
      { type: 'tool_use', id: 'toolu_2', input: { path: 'a' } },
      { type: 'tool_use', id: 7, name: ['x'] },
      { type: 'tool_use', id: 'toolu_4', name: 'ls', input: '{"raw": true}' },
    ] as unknown as AnthropicContentBlock[];
    expect(fromAnthropic(content)).toEqual([
      { id: '', name: 'read_file', input: {} },
      { id: 'toolu_2', name: '', input: { path: 'a' } },
      { id: '', name: '', input: undefined },
      { id: 'toolu_4', name: 'ls', input: '{"raw": true}' },
    ]);
  });
});

describe('toAnthropic', () => {
  it('answers every call in one user message, tool results first and in order', () => {
    const message = toAnthropic(
      [result('b', 'success', [text('B')]), result('a', 'success', [text('A')])],
      { text: 'Keep going.' },
    );
    expect(message).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: 'B' }] },
        { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'text', text: 'A' }] },
        { type: 'text', text: 'Keep going.' },
      ],
    });
    const asParam: SdkMessageParam = message;
    expect(asParam.role).toBe('user');
  });

  it('leaves out blank text', () => {
    for (const extra of [undefined, '', '  \n']) {
      const message = toAnthropic([result('a', 'success', [text('A')])], { text: extra });
      expect(message.content).toHaveLength(1);
    }
  });

  it.each<[CallStatus, boolean]>([
    ['success', false],
    ['error', true],
    ['denied', true],
    ['cancelled', true],
    ['timeout', true],
  ])('marks a %s result with is_error: %s', (status, isError) => {
    const block = toolResult(toAnthropic([result('a', status, [text('msg')])]), 0);
    expect(block.is_error === true).toBe(isError);
    // The flag is only ever sent as `true`.
    expect('is_error' in block).toBe(isError);
  });

  it('trusts isError when it disagrees with a success status', () => {
    const mixed: CallResult = { ...result('a', 'success', [text('x')]), isError: true };
    expect(toolResult(toAnthropic([mixed]), 0).is_error).toBe(true);
  });

  it('sends JSON blocks as their JSON text', () => {
    const value: JsonValue = { files: ['a.ts', 'b.ts'], count: 2, ok: true, none: null };
    const block = toolResult(toAnthropic([result('a', 'success', [{ type: 'json', value }])]), 0);
    expect(block.content).toEqual([{ type: 'text', text: JSON.stringify(value) }]);
  });

  it('sends images as base64 image blocks, between the text around them', () => {
    const content: ContentBlock[] = [
      text('before'),
      { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
      { type: 'image', mimeType: 'image/JPG', data: '/9j/4AAQ' },
      text('after'),
    ];
    expect(toolResult(toAnthropic([result('a', 'success', content)]), 0).content).toEqual([
      { type: 'text', text: 'before' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'text', text: 'after' },
    ]);
  });

  it('describes an image type Anthropic does not accept instead of sending it', () => {
    const svg: ContentBlock = { type: 'image', mimeType: 'image/svg+xml', data: 'A'.repeat(4096) };
    expect(toolResult(toAnthropic([result('a', 'success', [svg])]), 0).content).toEqual([
      { type: 'text', text: '[image image/svg+xml, 3 KB omitted: unsupported type]' },
    ]);
  });

  it('never sends an empty text block', () => {
    const cases: CallResult[] = [
      result('a', 'success', []),
      result('b', 'success', [text('')]),
      result('c', 'success', [text('  \n\t')]),
      result('d', 'error', [], { message: 'ENOENT: no such file a.ts' }),
      result('e', 'timeout', [text('')]),
      result('f', 'denied', []),
    ];
    const message = toAnthropic(cases);
    expect(message.content.map((block) => (block as AnthropicToolResultBlock).content)).toEqual([
      [{ type: 'text', text: '(no output)' }],
      [{ type: 'text', text: '(no output)' }],
      [{ type: 'text', text: '(no output)' }],
      [{ type: 'text', text: 'ENOENT: no such file a.ts' }],
      [{ type: 'text', text: 'The tool call timed out.' }],
      [{ type: 'text', text: 'The tool call was denied.' }],
    ]);
  });

  it('drops blank text blocks next to real content', () => {
    const block = toolResult(toAnthropic([result('a', 'success', [text(' '), text('x')])]), 0);
    expect(block.content).toEqual([{ type: 'text', text: 'x' }]);
  });

  it('never throws on a result without content', () => {
    const broken = { id: 'a', name: 't', status: 'error', isError: true } as unknown as CallResult;
    const block = toolResult(toAnthropic([broken]), 0);
    expect(block).toEqual({
      type: 'tool_result',
      tool_use_id: 'a',
      content: [{ type: 'text', text: 'The tool call failed.' }],
      is_error: true,
    });
  });

  it('returns an empty content array for no results and no text', () => {
    expect(toAnthropic([])).toEqual({ role: 'user', content: [] });
  });

  it('round-trips: every tool_use gets its tool_result, in the same order', () => {
    const calls = fromAnthropic(sdkMessage);
    const results = calls.map((call, i) =>
      result(call.id, i === 0 ? 'error' : 'success', [text(`out ${i}`)]),
    );
    const message = toAnthropic(results);
    expect(message.content.map((block) => (block as AnthropicToolResultBlock).tool_use_id)).toEqual(
      ['toolu_1', 'toolu_2'],
    );
    expect(message.content.map((block) => (block as AnthropicToolResultBlock).is_error)).toEqual([
      true,
      undefined,
    ]);
  });
});

const contentBlock: fc.Arbitrary<ContentBlock> = fc.oneof(
  fc.string().map((t): ContentBlock => ({ type: 'text', text: t })),
  fc.jsonValue().map((value): ContentBlock => ({ type: 'json', value: value as JsonValue })),
  fc.record({
    type: fc.constant('image' as const),
    mimeType: fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml', ''),
    data: fc.base64String(),
  }),
);

const callResult: fc.Arbitrary<CallResult> = fc
  .record({
    id: fc.string(),
    status: fc.constantFrom<CallStatus>('success', 'error', 'denied', 'cancelled', 'timeout'),
    content: fc.array(contentBlock, { maxLength: 4 }),
    message: fc.option(fc.string(), { nil: undefined }),
  })
  .map(({ id, status, content, message }) =>
    result(id, status, content, message === undefined ? undefined : { message }),
  );

describe('toAnthropic properties', () => {
  it('emits one tool_result per result, in order, ids matching, and no blank text', () => {
    fc.assert(
      fc.property(
        fc.array(callResult, { maxLength: 8 }),
        fc.option(fc.string(), { nil: undefined }),
        (results, extra) => {
          const message = toAnthropic(results, { text: extra });
          const toolResults = message.content.filter((block) => block.type === 'tool_result');
          expect(toolResults.map((block) => block.tool_use_id)).toEqual(results.map((r) => r.id));
          // Tool results come first: only the optional text may follow them.
          expect(message.content.slice(0, results.length)).toEqual(toolResults);
          expect(message.content.length - results.length).toBe(extra?.trim() ? 1 : 0);
          toolResults.forEach((block, i) => {
            expect(block.is_error === true).toBe(results[i]?.status !== 'success');
            expect(Array.isArray(block.content) && block.content.length > 0).toBe(true);
          });
          const inner = toolResults.flatMap((b) => (Array.isArray(b.content) ? b.content : []));
          for (const block of [...message.content, ...inner]) {
            if (block.type === 'text') expect(block.text.trim()).not.toBe('');
          }
        },
      ),
    );
  });
});
