import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors.js';
import { estimateTokens, modelContextWindow, shouldCompact } from './context-window.js';
import type { AgentMessage } from './model.js';

describe('modelContextWindow', () => {
  it.each<[string, number | undefined]>([
    ['claude-sonnet-4-5', 200_000],
    ['claude-3-5-haiku-20241022', 200_000],
    ['anthropic/claude-opus-4.1', 200_000],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 200_000],
    ['gpt-5', 272_000],
    ['gpt-5-mini-2025-08-07', 272_000],
    ['gpt-5-chat-latest', 128_000],
    ['gpt-4.1-mini', 1_047_576],
    ['openai/gpt-4o-mini', 128_000],
    ['gpt-4-turbo', 128_000],
    ['gpt-4', 8_192],
    ['gpt-4-0613', 8_192],
    ['gpt-4-32k', 32_768],
    ['gpt-3.5-turbo-0125', 16_385],
    ['o3-mini', 200_000],
    ['o4-mini', 200_000],
    ['o1', 200_000],
    ['o1-mini', 128_000],
    ['gpt-oss-120b', 131_072],
    ['models/gemini-2.5-pro', 1_048_576],
    ['gemini-1.5-pro-002', 2_097_152],
    ['deepseek-reasoner', 128_000],
    ['grok-4-0709', 256_000],
    ['qwen3-coder-480b-a35b-instruct', 262_144],
    ['llama3.1:8b', undefined],
    ['my-local-model', undefined],
    ['scripted', undefined],
  ])('%s → %s', (id, tokens) => {
    expect(modelContextWindow(id)).toBe(tokens);
  });

  it('takes the config override over the table, and checks it', () => {
    expect(modelContextWindow('claude-sonnet-4-5', 1_000_000)).toBe(1_000_000);
    expect(modelContextWindow('llama3.1:8b', 8_192)).toBe(8_192);
    expect(() => modelContextWindow('x', 0)).toThrow(InvalidOptionError);
    expect(() => modelContextWindow('x', 1.5)).toThrow(/contextWindow/);
  });
});

describe('shouldCompact', () => {
  it('says yes from the threshold share of the window on', () => {
    expect(shouldCompact({ lastInputTokens: 159_999, contextWindow: 200_000 })).toBe(false);
    expect(shouldCompact({ lastInputTokens: 160_000, contextWindow: 200_000 })).toBe(true);
    expect(shouldCompact({ lastInputTokens: 50, contextWindow: 100, threshold: 0.5 })).toBe(true);
    expect(shouldCompact({ lastInputTokens: 49, contextWindow: 100, threshold: 0.5 })).toBe(false);
  });

  it('never compacts for a window it does not know', () => {
    expect(shouldCompact({ lastInputTokens: 10 ** 9, contextWindow: undefined })).toBe(false);
  });

  it('rejects a threshold outside (0, 1] and a negative count', () => {
    expect(() => shouldCompact({ lastInputTokens: 1, contextWindow: 9, threshold: 0 })).toThrow(
      /threshold/,
    );
    expect(() => shouldCompact({ lastInputTokens: 1, contextWindow: 9, threshold: 1.2 })).toThrow(
      /threshold/,
    );
    expect(() => shouldCompact({ lastInputTokens: -1, contextWindow: 9 })).toThrow(
      /lastInputTokens/,
    );
  });
});

describe('estimateTokens', () => {
  it('counts about four characters a token, over every part of the conversation', () => {
    const messages: AgentMessage[] = [
      { role: 'user', content: 'x'.repeat(40) },
      {
        role: 'assistant',
        content: 'y'.repeat(20),
        toolCalls: [{ id: 'c1', name: 'read', input: '{"p":1}' }],
        reasoning: [{ provider: 'anthropic', kind: 'thinking', text: 'z'.repeat(8) }],
      },
      {
        role: 'tool',
        results: [
          {
            id: 'c1',
            name: 'read',
            status: 'success',
            isError: false,
            content: [
              { type: 'text', text: 'w'.repeat(12) },
              { type: 'image', data: 'AAAA', mimeType: 'image/png' },
            ],
          },
        ],
      },
    ];
    // 4 (system) + 40 + 20 + 4 + 7 + 8 + 12 = 95 characters → 24 tokens, plus one image.
    expect(estimateTokens(messages, 'sys!')).toBe(24 + 1_500);
    expect(estimateTokens([])).toBe(0);
  });
});
