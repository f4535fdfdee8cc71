// salvo under the OpenAI Agents SDK, with a fake Model: no API key needed.
// `npx tsx examples/openai-agents.ts`
import { fileURLToPath } from 'node:url';
import {
  Agent,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Runner,
  Usage,
} from '@openai/agents';
import { toOpenAIAgentsTools, tracesOf } from '../src/adapters/openai-agents.js'; // 'salvo/openai-agents'
import { renderTimeline } from '../src/index.js';
import { filesScheduler, freshFiles, stepCalls } from './files-world.js';

/** Asks for the step's calls, then answers. */
class ScriptedModel implements Model {
  #requests = 0;
  async getResponse(_request: ModelRequest): Promise<ModelResponse> {
    this.#requests++;
    const output =
      this.#requests === 1
        ? stepCalls.map((c) => ({
            type: 'function_call' as const,
            callId: c.id,
            name: c.name,
            arguments: JSON.stringify(c.input),
            status: 'completed' as const,
          }))
        : [
            {
              type: 'message' as const,
              role: 'assistant' as const,
              status: 'completed' as const,
              content: [{ type: 'output_text' as const, text: 'Both edits are in.' }],
            },
          ];
    return { usage: new Usage(), output };
  }
  // biome-ignore lint/correctness/useYield: this example never streams.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not streamed');
  }
}

export async function runOpenAIAgentsExample({ editMs = 200, print = console.log } = {}) {
  const files = freshFiles();
  const tools = toOpenAIAgentsTools(filesScheduler(files, editMs));
  const agent = new Agent({ name: 'editor', model: new ScriptedModel(), tools });
  // Leave `toolExecution.maxFunctionToolConcurrency` unset: the scheduler's limits are the caps.
  const result = await new Runner({ tracingDisabled: true }).run(agent, 'Edit a.txt twice');
  print(`model: ${result.finalOutput}`);
  print(`a.txt = ${files.get('a.txt')}`);
  print(renderTimeline([...tracesOf(tools)]));
  return files.get('a.txt');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runOpenAIAgentsExample();
