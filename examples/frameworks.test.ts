import { describe, expect, it } from 'vitest';
import { runAiSdkExample } from './ai-sdk.js';
import { runLangGraphExample } from './langgraph.js';
import { runOpenAIAgentsExample } from './openai-agents.js';

describe('framework examples', () => {
  it.each([
    ['ai-sdk', runAiSdkExample],
    ['openai-agents', runOpenAIAgentsExample],
    ['langgraph', runLangGraphExample],
  ])('%s keeps both edits, in call order, and prints the timeline', async (_name, run) => {
    const lines: string[] = [];
    expect(await run({ editMs: 20, print: (line: string) => lines.push(line) })).toBe('v0+one+two');
    const text = lines.join('\n');
    expect(text).toContain('a.txt = v0+one+two');
    expect(text).toMatch(/e2/);
  });
});
