import { type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { type Runnable, RunnableLambda } from '@langchain/core/runnables';
import type { Scheduler } from '../schedule/scheduler.js';
import type { ToolCall } from '../tool/call.js';
import {
  type AdapterOptions,
  callIdOf,
  parametersOf,
  prepareAdapter,
  resultText,
} from './adapter-support.js';

export { tracesOf } from './adapter-support.js';

// LangGraph's `ToolNode` runs an AI message's `tool_calls` with a bare `Promise.all`. This node
// takes the same input and gives the same output, and runs the calls as one salvo turn.

export type SalvoToolNodeOptions = Omit<AdapterOptions, 'approvals'> & {
  /** The node's name in traces and LangSmith. @default 'tools' */
  name?: string;
};

/** An OpenAI-style function definition, as `model.bindTools` takes it. */
export interface LangChainToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** What LangGraph passes a node: the message list, or a state holding it. */
type ToolNodeInput = BaseMessage[] | { messages: BaseMessage[] } | Record<string, unknown>;
type ToolNodeOutput = ToolMessage[] | { messages: ToolMessage[] };

/**
 * A drop-in for LangGraph's `ToolNode` (`@langchain/langgraph` 1.x): give it the scheduler
 * instead of the tools. It runs the last AI message's `tool_calls` (those without a
 * `ToolMessage` yet) as one salvo turn, with claims, named limits, the scheduler's approver,
 * timeouts and the graph's `signal`, and returns one `ToolMessage` per call in call order
 * (`status: 'error'` for a call that did not succeed, its content saying why). Bind the
 * scheduler's tools to the model with `model.bindTools(toLangChainTools(scheduler))`.
 * `tracesOf(node)` gives the traces.
 */
export function salvoToolNode(
  scheduler: Scheduler,
  options: SalvoToolNodeOptions = {},
): Runnable<ToolNodeInput, ToolNodeOutput> {
  const adapter = prepareAdapter(scheduler, { ...options, approvals: 'scheduler' });
  let ids = 0;
  const node = new RunnableLambda<ToolNodeInput, ToolNodeOutput>({
    func: async (input: ToolNodeInput, config?: { signal?: AbortSignal }) => {
      const calls = callsOf(input, () => `salvo-langchain-${++ids}`);
      const signal = config?.signal;
      const turn = scheduler.turn({ ...adapter.turnOptions, ...(signal ? { signal } : {}) });
      for (const call of calls) turn.add(call);
      turn.end();
      const { results, trace } = await turn.done;
      adapter.record(trace);
      const messages = results.map(
        (result) =>
          new ToolMessage({
            content: resultText(result),
            tool_call_id: result.id,
            name: result.name,
            status: result.status === 'success' ? 'success' : 'error',
          }),
      );
      return Array.isArray(input) ? messages : { messages };
    },
  }).withConfig({ runName: options.name ?? 'tools' });
  return adapter.expose(node);
}

/** The scheduler's tools as function definitions for `model.bindTools`. */
export function toLangChainTools(
  scheduler: Scheduler,
  options: Pick<AdapterOptions, 'tools'> = {},
): LangChainToolDefinition[] {
  return prepareAdapter(scheduler, options).tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: parametersOf(tool) },
  }));
}

/** The calls to run: the last AI message's, less those answered already (as `ToolNode`). */
function callsOf(input: ToolNodeInput, newId: () => string): ToolCall[] {
  const sent = (input as { lg_tool_call?: unknown }).lg_tool_call;
  if (sent !== undefined) return [toCall(sent, newId)]; // one call sent by the Send API
  const messages = Array.isArray(input) ? input : (input as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) {
    throw new TypeError('salvoToolNode takes BaseMessage[] or { messages: BaseMessage[] }.');
  }
  const answered = new Set<string>();
  for (const message of messages as BaseMessage[]) {
    if (typeOf(message) === 'tool') answered.add(String((message as ToolMessage).tool_call_id));
  }
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as BaseMessage;
    if (typeOf(message) !== 'ai') continue;
    const toolCalls = (message as { tool_calls?: unknown[] }).tool_calls ?? [];
    return toolCalls.map((call) => toCall(call, newId)).filter((call) => !answered.has(call.id));
  }
  throw new TypeError('salvoToolNode takes messages with an AI message among them.');
}

function toCall(value: unknown, newId: () => string): ToolCall {
  const call = (typeof value === 'object' && value !== null ? value : {}) as {
    id?: unknown;
    name?: unknown;
    args?: unknown;
  };
  return { id: callIdOf(call.id, newId), name: String(call.name ?? ''), input: call.args ?? {} };
}

function typeOf(message: unknown): string | undefined {
  try {
    return (message as BaseMessage).getType();
  } catch {
    return undefined;
  }
}
