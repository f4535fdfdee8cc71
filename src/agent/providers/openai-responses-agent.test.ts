// The whole loop through the real `openai` SDK on the Responses API: runAgent, a Scheduler, a
// real tool, and a loopback server speaking the Responses streaming format.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Scheduler } from '../../schedule/scheduler.js';
import { deferred } from '../../schedule/test-support.js';
import { defineTool } from '../../tool/define-tool.js';
import { runAgent } from '../run-agent.js';
import { openAIResponsesModel } from './openai-responses-model.js';
import {
  argumentsDelta,
  argumentsDone,
  completed,
  functionCallItem,
  outputItemAdded,
  outputItemDone,
  reasoning,
  responsesStream,
  textResponse,
} from './test-responses-sse.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe('runAgent on the Responses API', () => {
  it('runs the first call mid-stream, sends reasoning back, and answers every call', async () => {
    const started = deferred();
    const ran: string[] = [];
    const lookup = defineTool({
      name: 'lookup',
      description: 'Looks a word up',
      input: z.object({ word: z.string() }),
      claims: [],
      execute: (i) => {
        ran.push(i.word);
        started.resolve();
        return `${i.word}: found`;
      },
    });
    const thought = reasoning(0, 'rs_1', ['Look both up at once.'], 'gAAAA-opaque==');
    const itemA = functionCallItem('fc_1', 'call_a', 'lookup', '{"word":"salvo"}');
    const itemB = functionCallItem('fc_2', 'call_b', 'lookup', '{"word":"volley"}');
    server.enqueue(
      responsesStream(
        [
          ...thought.steps,
          outputItemAdded(1, functionCallItem('fc_1', 'call_a', 'lookup', '', 'in_progress')),
          outputItemAdded(2, functionCallItem('fc_2', 'call_b', 'lookup', '', 'in_progress')),
          argumentsDelta('fc_1', 1, '{"word":'),
          argumentsDelta('fc_2', 2, '{"word":'),
          argumentsDelta('fc_1', 1, '"salvo"}'),
          argumentsDone('fc_1', 1, 'lookup', '{"word":"salvo"}'),
          // Only the first tool running mid-stream lets the stream go on.
          { wait: started.promise },
          argumentsDelta('fc_2', 2, '"volley"}'),
          argumentsDone('fc_2', 2, 'lookup', '{"word":"volley"}'),
          outputItemDone(1, itemA),
          outputItemDone(2, itemB),
        ],
        completed([thought.item, itemA, itemB]),
      ),
      textResponse(['Both found.']),
    );
    const model = openAIResponsesModel({
      model: 'gpt-test',
      apiKey: 'k',
      baseURL: server.url,
      maxRetries: 0,
      reasoningEffort: 'medium',
    });
    const scheduler = new Scheduler({ tools: [lookup], maxConcurrency: 4 });
    const result = await runAgent({
      model,
      scheduler,
      system: 'Be brief.',
      messages: 'look up salvo and volley',
    });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe('Both found.');
    expect(ran).toEqual(['salvo', 'volley']);
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 40 });

    const second = (await server.request(1)).body as {
      instructions: string;
      input: Record<string, unknown>[];
    };
    expect(second.instructions).toMatch(/^Be brief\./);
    // The user prompt, the reasoning item exactly as it came, the calls, then one output each.
    expect(second.input).toEqual([
      { role: 'user', content: 'look up salvo and volley' },
      {
        type: 'reasoning',
        id: 'rs_1',
        encrypted_content: 'gAAAA-opaque==',
        summary: [{ type: 'summary_text', text: 'Look both up at once.' }],
      },
      { type: 'function_call', call_id: 'call_a', name: 'lookup', arguments: '{"word":"salvo"}' },
      { type: 'function_call', call_id: 'call_b', name: 'lookup', arguments: '{"word":"volley"}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'salvo: found' },
      { type: 'function_call_output', call_id: 'call_b', output: 'volley: found' },
    ]);
    const callIds = second.input.filter((i) => i.type === 'function_call').map((i) => i.call_id);
    const outputIds = second.input
      .filter((i) => i.type === 'function_call_output')
      .map((i) => i.call_id);
    expect(outputIds).toEqual(callIds);
    // The transcript in the provider's format is what the next request would send.
    expect(result.transcript.slice(0, second.input.length)).toEqual(second.input);
  });
});
