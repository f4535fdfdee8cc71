// The whole loop through the real provider SDKs: runAgent, each provider's model, the scheduler
// and a loopback server speaking the providers' wire formats.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred } from '../../schedule/test-support.js';
import { defineTool } from '../../tool/define-tool.js';
import { runAgent } from '../run-agent.js';
import { anthropicModel } from './anthropic-model.js';
import { openAIModel } from './openai-model.js';
import { messageStream, textBlock, toolUseBlock } from './test-anthropic-sse.js';
import { completionStream, textChunk, toolArgs, toolStart } from './test-openai-sse.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

/** A tool whose first call opens `started`: the server holds the rest of the stream until then. */
function lookupTool() {
  const started = deferred();
  const tool = defineTool({
    name: 'lookup',
    description: 'Looks a word up',
    input: z.object({ word: z.string() }),
    claims: [],
    execute: (i) => {
      started.resolve();
      return `${i.word}: found`;
    },
  });
  return { tool, started };
}

describe('runAgent through the real SDKs', () => {
  it('Anthropic: runs the first call while the message still streams, then answers', async () => {
    const { tool, started } = lookupTool();
    server.enqueue(
      messageStream(
        [
          ...textBlock(0, 'Looking up.'),
          ...toolUseBlock(1, 'toolu_1', 'lookup', '{"word":', '"salvo"}'),
          { wait: started.promise }, // only a tool running mid-stream lets the stream go on
          ...toolUseBlock(2, 'toolu_2', 'lookup', '{"word":"volley"}'),
        ],
        'tool_use',
      ),
      messageStream(textBlock(0, 'Both found.'), 'end_turn'),
    );
    const model = anthropicModel({
      model: 'claude-test',
      apiKey: 'k',
      baseURL: server.url,
      maxRetries: 0,
    });
    const result = await runAgent({ model, tools: [tool], messages: 'look up salvo and volley' });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe('Both found.');
    const second = (await server.request(1)).body as {
      messages: { role: string; content: unknown }[];
    };
    // Every tool_use got its tool_result in the next user message, results first, in order.
    expect(second.messages.at(-1)).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [{ type: 'text', text: 'salvo: found' }],
        },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_2',
          content: [{ type: 'text', text: 'volley: found' }],
        },
      ],
    });
  });

  it('OpenAI-compatible: interleaved calls, a tool message per call, the answer', async () => {
    const { tool, started } = lookupTool();
    server.enqueue(
      completionStream(
        [
          toolStart(0, 'call_a', 'lookup', '{"word":'),
          toolStart(1, 'call_b', 'lookup', '{"word":'),
          toolArgs(0, '"salvo"}'),
          { wait: started.promise },
          toolArgs(1, '"volley"}'),
        ],
        'tool_calls',
      ),
      completionStream([textChunk('Both found.')], 'stop'),
    );
    const model = openAIModel({
      model: 'gpt-test',
      apiKey: 'k',
      baseURL: server.url,
      maxRetries: 0,
    });
    const result = await runAgent({ model, tools: [tool], messages: 'look up salvo and volley' });
    expect(result.text).toBe('Both found.');
    const second = (await server.request(1)).body as { messages: { role: string }[] };
    expect(second.messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'salvo: found' },
      { role: 'tool', tool_call_id: 'call_b', content: 'volley: found' },
    ]);
  });
});
