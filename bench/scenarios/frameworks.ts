import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { tool as langchainTool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import {
  Agent,
  type Model,
  type ModelResponse,
  tool as openaiTool,
  Runner,
  Usage,
} from '@openai/agents';
import { generateText, jsonSchema, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { toAiSdkTools } from '../../src/adapters/ai-sdk.js';
import { salvoToolNode } from '../../src/adapters/langchain.js';
import { toOpenAIAgentsTools } from '../../src/adapters/openai-agents.js';
import { defineTool, Scheduler, type ToolContext } from '../../src/index.js';
import { type Contender, measure, type Row, type Scenario, sleep } from '../harness.js';

/**
 * The lost-update step under each framework, 20 times: a model step of four calls (two
 * read-modify-write edits of a.txt, then two reads of b.txt), with the framework's own tool
 * execution and with salvo's adapter. `lostUpdates` counts edits missing from a.txt after each
 * step; salvo's rows must have none (its edits run one after the other, so they take longer).
 */

const steps = 20;

/** a.txt's edits, reset and checked between steps. */
class Files {
  a = 'v0';
  lost = 0;
  /** Called as the model is asked again: counts the previous step's missing edits. */
  nextStep(): void {
    if (this.a !== 'v0') {
      const present = ['+one', '+two'].filter((edit) => this.a.includes(edit)).length;
      this.lost += 2 - present;
    }
    this.a = 'v0';
  }
  async run(name: string, input: { append?: string }, editMs: number, signal?: AbortSignal) {
    if (name === 'edit_file') {
      const before = this.a;
      await sleep(editMs, signal);
      this.a = `${before}+${input.append}`;
      return 'edited a.txt';
    }
    await sleep(editMs / 4, signal);
    return 'b0';
  }
}

function stepCalls(step: number) {
  return [
    { id: `s${step}e1`, name: 'edit_file', input: { path: 'a.txt', append: 'one' } },
    { id: `s${step}e2`, name: 'edit_file', input: { path: 'a.txt', append: 'two' } },
    { id: `s${step}r1`, name: 'read_file', input: { path: 'b.txt' } },
    { id: `s${step}r2`, name: 'read_file', input: { path: 'b.txt' } },
  ];
}

function salvoScheduler(files: Files, editMs: number): Scheduler {
  const execute = (input: { path: string; append?: string }, ctx: ToolContext) =>
    files.run(ctx.toolName, input, editMs, ctx.signal);
  const input = z.object({ path: z.string(), append: z.string().optional() });
  return new Scheduler({
    tools: [
      defineTool({
        name: 'edit_file',
        description: 'Append to a file',
        input,
        claims: (i) => [{ key: `fs:/w/${i.path}`, mode: 'write' }],
        execute,
      }),
      defineTool({
        name: 'read_file',
        description: 'Read a file',
        input,
        claims: (i) => [{ key: `fs:/w/${i.path}`, mode: 'read' }],
        execute,
      }),
    ],
    tracer: false,
  });
}

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

async function aiSdk(salvo: boolean, editMs: number): Promise<number> {
  const files = new Files();
  let step = 0;
  const model = new MockLanguageModelV3({
    doGenerate: async () => {
      files.nextStep();
      step++;
      if (step > steps) {
        return {
          content: [{ type: 'text', text: 'done' }],
          finishReason: { unified: 'stop', raw: undefined },
          usage,
          warnings: [],
        };
      }
      return {
        content: stepCalls(step).map((c) => ({
          type: 'tool-call' as const,
          toolCallId: c.id,
          toolName: c.name,
          input: JSON.stringify(c.input),
        })),
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage,
        warnings: [],
      };
    },
  });
  const tools = salvo
    ? toAiSdkTools(salvoScheduler(files, editMs))
    : Object.fromEntries(
        ['edit_file', 'read_file'].map((name) => [
          name,
          {
            description: name,
            inputSchema: jsonSchema<{ append?: string }>({ type: 'object' }),
            execute: (input: { append?: string }) => files.run(name, input, editMs),
          },
        ]),
      );
  await generateText({ model, tools, prompt: 'edit', stopWhen: stepCountIs(steps + 1) });
  return files.lost;
}

async function openAIAgents(salvo: boolean, editMs: number): Promise<number> {
  const files = new Files();
  let step = 0;
  const model: Model = {
    async getResponse(): Promise<ModelResponse> {
      files.nextStep();
      step++;
      const output =
        step > steps
          ? [
              {
                type: 'message' as const,
                role: 'assistant' as const,
                status: 'completed' as const,
                content: [{ type: 'output_text' as const, text: 'done' }],
              },
            ]
          : stepCalls(step).map((c) => ({
              type: 'function_call' as const,
              callId: c.id,
              name: c.name,
              arguments: JSON.stringify(c.input),
              status: 'completed' as const,
            }));
      return { usage: new Usage(), output };
    },
    getStreamedResponse() {
      throw new Error('not streamed');
    },
  };
  const tools = salvo
    ? toOpenAIAgentsTools(salvoScheduler(files, editMs))
    : ['edit_file', 'read_file'].map((name) =>
        openaiTool({
          name,
          description: name,
          parameters: { type: 'object', properties: {}, additionalProperties: true } as never,
          strict: false,
          execute: (input) => files.run(name, input as { append?: string }, editMs),
        }),
      );
  const agent = new Agent({ name: 'bench', model, tools });
  await new Runner({ tracingDisabled: true }).run(agent, 'edit', { maxTurns: steps + 2 });
  return files.lost;
}

class StepChatModel extends BaseChatModel {
  step = 0;
  constructor(readonly files: Files) {
    super({});
  }
  _llmType(): string {
    return 'bench';
  }
  async _generate(): Promise<ChatResult> {
    this.files.nextStep();
    this.step++;
    const message =
      this.step > steps
        ? new AIMessage('done')
        : new AIMessage({
            content: '',
            tool_calls: stepCalls(this.step).map((c) => ({
              id: c.id,
              name: c.name,
              args: c.input,
            })),
          });
    return { generations: [{ text: '', message }] };
  }
}

async function langGraph(salvo: boolean, editMs: number): Promise<number> {
  const files = new Files();
  const model = new StepChatModel(files);
  const tools = salvo
    ? salvoToolNode(salvoScheduler(files, editMs))
    : new ToolNode(
        ['edit_file', 'read_file'].map((name) =>
          langchainTool((input: { append?: string }) => files.run(name, input, editMs), {
            name,
            description: name,
            schema: z.object({ path: z.string(), append: z.string().optional() }),
          }),
        ),
      );
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('tools', tools as never)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile();
  await graph.invoke(
    { messages: [{ role: 'user', content: 'edit' }] },
    { recursionLimit: 2 * steps + 5 },
  );
  return files.lost;
}

const frameworkRuns = [
  ['ai-sdk', aiSdk],
  ['openai-agents', openAIAgents],
  ['langgraph', langGraph],
] as const;

export const frameworks: Scenario = {
  name: 'frameworks',
  description: `the lost-update step (2 edits of a.txt, 50 ms each, 2 reads) over ${steps} steps per framework, its own tool execution and salvo's adapter`,
  target: 'salvo rows lose no edit (lostUpdates 0); each framework alone loses one per step',
  contenders: frameworkRuns.flatMap(([name]) => [name, `${name}+salvo`]),
  async run({ reps = 3, quick = false } = {}) {
    const editMs = quick ? 2 : 50;
    const contenders: Contender[] = frameworkRuns.flatMap(([name, run]) =>
      [false, true].map((salvo) => ({
        name: salvo ? `${name}+salvo` : name,
        async run() {
          const lostUpdates = await run(salvo, editMs);
          return { fields: { lostUpdates } };
        },
      })),
    );
    // Edits of one file done right take 2 edits per step, one after the other.
    return measure({ scenario: this.name, lowerBoundMs: steps * 2 * editMs, contenders, reps });
  },
  verdicts(rows: readonly Row[]) {
    return rows.map((row) => {
      const lost = Number(row.lostUpdates);
      const salvo = row.contender.endsWith('+salvo');
      return {
        label: `${row.contender} lostUpdates`,
        value: lost,
        goal: salvo ? '0' : '> 0 (the race salvo removes)',
        met: salvo ? lost === 0 : undefined,
      };
    });
  },
};
