import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors.js';
import type { CallResult } from '../tool/call.js';
import {
  compactionCut,
  compactionSummaryPrefix,
  compactMessages,
  isCompactionSummary,
} from './compact-messages.js';
import type { AgentMessage, Model, ModelRequest, ModelToolCall } from './model.js';
import { scriptedModel } from './scripted-model.js';

const result = (call: ModelToolCall, text: string): CallResult => ({
  id: call.id,
  name: call.name,
  status: 'success',
  isError: false,
  content: [{ type: 'text', text }],
});

function step(text: string, calls: ModelToolCall[], outputs: string[] = []): AgentMessage[] {
  const answer: AgentMessage = { role: 'assistant', content: text, toolCalls: calls };
  if (calls.length === 0) return [answer];
  return [answer, { role: 'tool', results: calls.map((c, i) => result(c, outputs[i] ?? 'ok')) }];
}

const readCall = (id: string, path: string): ModelToolCall => ({
  id,
  name: 'read_file',
  input: JSON.stringify({ path }),
});

/** Two user turns with tool calls, then a third. */
const conversation: AgentMessage[] = [
  { role: 'user', content: 'Find why the parser test fails.' },
  ...step(
    'Reading both files.',
    [readCall('c1', 'src/parse.ts'), readCall('c2', 'test/parse.ts')],
    ['export function parse() { /* ... */ }', 'x'.repeat(5_000)],
  ),
  {
    role: 'assistant',
    content: 'The parser drops the last token.',
    toolCalls: [],
    reasoning: [
      { provider: 'anthropic', kind: 'thinking', text: 'PRIVATE-THOUGHT', signature: 's' },
    ],
  },
  { role: 'user', content: 'Fix it.' },
  ...step('Editing.', [{ id: 'c3', name: 'edit_file', input: '{"path":"src/parse.ts"}' }]),
  { role: 'assistant', content: 'Fixed.', toolCalls: [] },
  { role: 'user', content: 'Now run the tests.' },
  ...step('', [{ id: 'c4', name: 'shell', input: '{"command":"npm test"}' }], ['1 passed']),
];

/** A model that writes `summary`, and keeps the requests it was sent. */
function summarizer(summary = 'Goals: fix the parser. State: fixed, tests next.') {
  const requests: ModelRequest[] = [];
  const model = scriptedModel({
    turns: (request) => {
      requests.push(request);
      return { text: summary, usage: { inputTokens: 900, outputTokens: 40 } };
    },
  });
  return { model, requests };
}

/** The text of the first summary request. */
function requestText(requests: readonly ModelRequest[]): string {
  const message = requests[0]?.messages[0];
  return message?.role === 'user' ? message.content : '';
}

/** A model whose request fails the way an overloaded API does. */
function failing(message = '529 overloaded'): Model {
  return {
    provider: 'test',
    modelId: 'failing',
    // biome-ignore lint/correctness/useYield: it fails before its first event
    async *stream() {
      throw new Error(message);
    },
    toProviderMessages: (messages) => [...messages],
  };
}

describe('compactMessages', () => {
  it('replaces the older turns by a summary and keeps the last user turn verbatim', async () => {
    const { model, requests } = summarizer();
    const compacted = await compactMessages({ model, messages: conversation });
    const cut = conversation.findIndex(
      (m) => m.role === 'user' && m.content === 'Now run the tests.',
    );
    expect(compacted).toMatchObject({
      compacted: true,
      summary: 'Goals: fix the parser. State: fixed, tests next.',
      usage: { inputTokens: 900, outputTokens: 40 },
      messagesBefore: conversation.length,
      messagesAfter: 1 + conversation.length - cut,
    });
    const [head, ...kept] = compacted.messages;
    expect(head?.role).toBe('user');
    expect(head && isCompactionSummary(head)).toBe(true);
    expect((head as { content: string }).content).toBe(
      `${compactionSummaryPrefix} ${cut} earlier messages were replaced by this summary to save context; the messages after it are verbatim.\n\nGoals: fix the parser. State: fixed, tests next.`,
    );
    expect(kept).toEqual(conversation.slice(cut));
    expect(kept[0]).toBe(conversation[cut]); // the very objects, untouched
    // One request, no tools, the older part as text: calls, cut results, no reasoning.
    expect(requests).toHaveLength(1);
    const request = requests[0] as ModelRequest;
    expect(request.tools).toEqual([]);
    expect(request.messages).toHaveLength(1);
    const text = (request.messages[0] as { content: string }).content;
    expect(text).toContain('[user]\nFind why the parser test fails.');
    expect(text).toContain('-> read_file (c1) {"path":"src/parse.ts"}');
    expect(text).toContain('<- read_file (c1) success: export function parse()');
    expect(text).toMatch(/\[… 3000 characters left out …\]/);
    expect(text).toContain('[user]\nFix it.');
    expect(text).not.toContain('Now run the tests.');
    expect(text).not.toContain('PRIVATE-THOUGHT');
    expect(text).toContain('5. State:');
  });

  it('keeps more turns with keepRecent, and summarizes everything with 0', async () => {
    const two = await compactMessages({
      model: summarizer().model,
      messages: conversation,
      keepRecent: 2,
    });
    expect(two.messages.slice(1)).toEqual(
      conversation.slice(
        conversation.findIndex((m) => m.role === 'user' && m.content === 'Fix it.'),
      ),
    );
    const none = await compactMessages({
      model: summarizer().model,
      messages: conversation,
      keepRecent: 0,
    });
    expect(none.messages).toHaveLength(1);
    expect(none.messagesAfter).toBe(1);
  });

  it('passes the focus the user asked for', async () => {
    const { model, requests } = summarizer();
    await compactMessages({ model, messages: conversation, instructions: '  the test command  ' });
    expect(requestText(requests)).toMatch(/Pay most attention to: the test command$/);
  });

  it('re-summarizes an earlier summary with the turns after it, and never a summary alone', async () => {
    const first = await compactMessages({
      model: summarizer('FIRST').model,
      messages: conversation,
    });
    const { model, requests } = summarizer('SECOND');
    const longer = [
      ...first.messages,
      ...step('All green.', []),
      { role: 'user' as const, content: 'Commit.' },
    ];
    const second = await compactMessages({ model, messages: longer });
    expect(requestText(requests)).toContain('[earlier summary]');
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'user']);
    // Now there is nothing older than the kept turn but the summary: no request at all.
    const { model: idle, requests: none } = summarizer();
    const again = await compactMessages({ model: idle, messages: second.messages });
    expect(none).toHaveLength(0);
    expect(again).toMatchObject({ compacted: false, messages: second.messages });
    expect(again.error).toBeUndefined();
  });

  it('has nothing to compact in a single turn', async () => {
    const { model, requests } = summarizer();
    const single = conversation.slice(0, 4);
    const outcome = await compactMessages({ model, messages: single });
    expect(outcome).toEqual({
      messages: single,
      compacted: false,
      usage: { inputTokens: 0, outputTokens: 0 },
      messagesBefore: 4,
      messagesAfter: 4,
    });
    expect(requests).toHaveLength(0);
  });

  it('leaves the conversation unchanged and says why when the summary request fails', async () => {
    const copy = structuredClone(conversation);
    const outcome = await compactMessages({ model: failing(), messages: conversation });
    expect(outcome.compacted).toBe(false);
    expect(outcome.messages).toEqual(copy);
    expect(outcome.messages).not.toBe(conversation);
    expect(conversation).toEqual(copy);
    expect(outcome.error?.message).toBe(
      'the summary request failed, nothing was compacted: 529 overloaded',
    );
  });

  it('leaves it unchanged when cancelled, or when the model writes nothing or is filtered', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    const cancelled = await compactMessages({
      model: summarizer().model,
      messages: conversation,
      signal: controller.signal,
    });
    expect(cancelled).toMatchObject({ compacted: false, messages: conversation });
    expect(cancelled.error?.message).toContain('cancelled by the user');

    const empty = await compactMessages({ model: summarizer('  ').model, messages: conversation });
    expect(empty.error?.message).toBe('the model wrote no summary, nothing was compacted');

    const filtered = scriptedModel({ turns: [{ text: 'partial', finish: 'content-filter' }] });
    const outcome = await compactMessages({ model: filtered, messages: conversation });
    expect(outcome).toMatchObject({ compacted: false, messages: conversation });
    expect(outcome.error?.message).toMatch(/content filter/);
  });

  it('rejects bad options', async () => {
    const model = summarizer().model;
    await expect(compactMessages({ model, messages: [], keepRecent: -1 })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(compactMessages({ model, messages: [], keepRecent: 1.5 })).rejects.toThrow(
      /keepRecent/,
    );
    await expect(compactMessages({ model: {} as Model, messages: [] })).rejects.toThrow(/model/);
  });
});

describe('compactionCut', () => {
  it('is the index of the keepRecent-th user message from the end, or the first one', () => {
    const users = conversation.flatMap((m, i) => (m.role === 'user' ? [i] : []));
    expect(compactionCut(conversation, 1)).toBe(users[2]);
    expect(compactionCut(conversation, 3)).toBe(users[0]);
    expect(compactionCut(conversation, 9)).toBe(users[0]);
    expect(compactionCut(conversation, 0)).toBe(conversation.length);
    expect(compactionCut([], 1)).toBe(0);
  });
});

// Random conversations, as the agent loop makes them: user turns, each with steps whose tool
// calls are answered by the next message. Whatever the conversation, the number of turns kept
// and whether the summary request works, the result is a valid conversation.

const callArb = fc.record({
  name: fc.constantFrom('read_file', 'edit_file', 'shell', 'grep'),
  input: fc.constantFrom('{}', '{"path":"a.ts"}', '{"command":"ls"}'),
});
const stepArb = fc.record({
  text: fc.constantFrom('', 'Looking.', 'Done.'),
  calls: fc.array(callArb, { maxLength: 3 }),
  reasoning: fc.boolean(),
});
const turnArb = fc.record({
  prompt: fc.string({ minLength: 1, maxLength: 20 }),
  steps: fc.array(stepArb, { maxLength: 4 }),
});
const conversationArb = fc
  .record({ summaryFirst: fc.boolean(), turns: fc.array(turnArb, { maxLength: 6 }) })
  .map(({ summaryFirst, turns }) => {
    let next = 0;
    const messages: AgentMessage[] = [];
    if (summaryFirst) messages.push({ role: 'user', content: `${compactionSummaryPrefix} old` });
    for (const turn of turns) {
      messages.push({ role: 'user', content: turn.prompt });
      for (const s of turn.steps) {
        const calls = s.calls.map((c) => ({ ...c, id: `call_${++next}` }));
        messages.push(...step(s.text, calls));
        if (s.reasoning) {
          const answer = messages.findLast((m) => m.role === 'assistant');
          if (answer?.role === 'assistant') {
            answer.reasoning = [
              { provider: 'anthropic', kind: 'thinking', text: 'r', signature: 'sig' },
            ];
          }
        }
      }
    }
    return messages;
  });

/** Every call answered by the very next message, in order; no result without its call. */
function assertValid(messages: readonly AgentMessage[]): void {
  messages.forEach((message, i) => {
    const previous = messages[i - 1];
    if (message.role === 'assistant' && message.toolCalls.length > 0) {
      const next = messages[i + 1];
      expect(next?.role).toBe('tool');
      if (next?.role === 'tool') {
        expect(next.results.map((r) => r.id)).toEqual(message.toolCalls.map((c) => c.id));
      }
    }
    if (message.role === 'tool') {
      expect(previous?.role).toBe('assistant');
      if (previous?.role === 'assistant') expect(previous.toolCalls.length).toBeGreaterThan(0);
    }
  });
}

describe('compactMessages, properties', () => {
  it('never orphans a tool call or a result, keeps the recent turns verbatim, and loses nothing on failure', async () => {
    await fc.assert(
      fc.asyncProperty(
        conversationArb,
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        async (messages, keepRecent, works) => {
          const before = structuredClone(messages);
          const model = works ? summarizer('S').model : failing();
          const outcome = await compactMessages({ model, messages, keepRecent });
          expect(messages).toEqual(before); // the input is never touched
          expect(outcome.messagesBefore).toBe(messages.length);
          expect(outcome.messagesAfter).toBe(outcome.messages.length);
          assertValid(outcome.messages);
          if (!outcome.compacted) {
            expect(outcome.messages).toEqual(messages);
            return;
          }
          expect(works).toBe(true);
          const [head, ...kept] = outcome.messages;
          expect(head && isCompactionSummary(head)).toBe(true);
          // The kept part is the input's tail, object for object, starting at a user message.
          const cut = messages.length - kept.length;
          expect(cut).toBeGreaterThan(0);
          for (const [i, m] of kept.entries()) expect(m).toBe(messages[cut + i]);
          if (kept.length > 0) expect(kept[0]?.role).toBe('user');
          // The last `keepRecent` prompts of the user are all there.
          const prompts = (list: readonly AgentMessage[]) =>
            list.filter((m) => m.role === 'user' && !isCompactionSummary(m));
          const wanted = Math.min(keepRecent, prompts(messages).length);
          expect(prompts(kept).length).toBe(wanted);
        },
      ),
      { numRuns: 300 },
    );
  });
});
