// salvo under the Vercel AI SDK (ai 6), with the SDK's own mock model: no API key needed.
// `npx tsx examples/ai-sdk.ts`
import { fileURLToPath } from 'node:url';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { toAiSdkTools, tracesOf } from '../src/adapters/ai-sdk.js'; // in an app: 'salvo/ai-sdk'
import { renderTimeline } from '../src/index.js';
import { filesScheduler, freshFiles, stepCalls } from './files-world.js';

export async function runAiSdkExample({ editMs = 200, print = console.log } = {}) {
  const files = freshFiles();
  const tools = toAiSdkTools(filesScheduler(files, editMs));
  const usage = {
    inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 1, text: 1, reasoning: 0 },
  };
  const model = new MockLanguageModelV3({
    doGenerate: [
      {
        content: stepCalls.map((c) => ({
          type: 'tool-call' as const,
          toolCallId: c.id,
          toolName: c.name,
          input: JSON.stringify(c.input),
        })),
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage,
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Both edits are in.' }],
        finishReason: { unified: 'stop', raw: undefined },
        usage,
        warnings: [],
      },
    ],
  });
  const result = await generateText({
    model,
    tools,
    prompt: 'Edit a.txt twice',
    stopWhen: stepCountIs(3),
  });
  print(`model: ${result.text}`);
  print(`a.txt = ${files.get('a.txt')}`);
  print(renderTimeline([...tracesOf(tools)]));
  return files.get('a.txt');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runAiSdkExample();
