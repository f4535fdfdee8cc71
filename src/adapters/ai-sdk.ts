import type { ToolSet } from 'ai';
import type { Scheduler } from '../schedule/scheduler.js';
import { StepBatcher } from '../schedule/step-batcher.js';
import type { CallResult } from '../tool/call.js';
import type { Tool } from '../tool/define-tool.js';
import {
  type AdapterOptions,
  callIdOf,
  parametersOf,
  prepareAdapter,
  resultText,
} from './adapter-support.js';

export { tracesOf } from './adapter-support.js';

// The Vercel AI SDK (`ai` 5 and 6) runs a step's tool calls with a bare `Promise.all` of
// `execute`, each after its own hooks. Here every `execute` of a step joins one salvo turn, in
// the model's order: the SDK shows each call first (`onInputAvailable`, in order, before any
// runs), and the step's message list is the same object for all of its calls.

export interface AiSdkToolsOptions extends AdapterOptions {
  /**
   * Longest a call the SDK showed but has not run yet holds back later calls that conflict
   * with it (the SDK dropped it: a finish reason that runs no tools). @default 1_000
   */
  arrivalTimeoutMs?: number;
}

/** What `execute` and `onInputAvailable` receive from the SDK (the fields used here). */
interface ExecuteOptions {
  toolCallId?: string;
  messages?: unknown;
  abortSignal?: AbortSignal;
}

// The AI SDK's marks of a schema (`jsonSchema()` from `ai`), set here so that no version of the
// SDK has to be imported: 5 and 6 both read them.
const schemaMark = Symbol.for('vercel.ai.schema');
const validatorMark = Symbol.for('vercel.ai.validator');

/**
 * The scheduler's tools as an AI SDK `ToolSet` for `generateText`, `streamText` or an `Agent`:
 * the calls of each step run as one salvo turn (claims, named limits, approvals, timeouts, the
 * SDK's `abortSignal`), in the model's order. A call that does not succeed reaches the model as
 * a tool error saying why ("Denied: ...", "Timed out: ..."). `tracesOf(tools)` gives the traces.
 */
export function toAiSdkTools(scheduler: Scheduler, options: AiSdkToolsOptions = {}): ToolSet {
  const adapter = prepareAdapter(scheduler, options);
  const batcher = new StepBatcher(scheduler, {
    turn: adapter.turnOptions,
    onStepEnd: (outcome) => adapter.record(outcome.trace),
    ...(options.arrivalTimeoutMs === undefined
      ? {}
      : { arrivalTimeoutMs: options.arrivalTimeoutMs }),
  });
  /** Per step: calls the SDK was to hold for its own approval (never run unless it did). */
  const heldForApproval = new WeakMap<object, Set<string>>();
  // One key for steps the SDK gives no message list for (it always has, in 5 and 6).
  const lonelyStep = {};
  let ids = 0;
  const set: Record<string, unknown> = {};
  for (const tool of adapter.tools) {
    const asks = (input: unknown) =>
      adapter.framework && scheduler.approvalPolicy({ name: tool.name, input }) === 'ask';
    const callOf = (input: unknown, id: string | undefined) => ({
      id: callIdOf(id, () => `salvo-ai-sdk-${++ids}`),
      name: tool.name,
      input,
    });
    set[tool.name] = {
      description: tool.description,
      inputSchema: schemaOf(tool),
      ...(adapter.framework ? { needsApproval: (input: unknown) => asks(input) } : {}),
      onInputAvailable: ({
        input,
        toolCallId,
        messages,
        abortSignal,
      }: ExecuteOptions & { input: unknown }) => {
        const step = stepOf(messages, lonelyStep);
        if (asks(input)) {
          // The SDK pauses for approval: it runs the call (approved) in a later request.
          const held = heldForApproval.get(step) ?? new Set<string>();
          heldForApproval.set(step, held);
          if (toolCallId) held.add(toolCallId);
          return;
        }
        batcher.announce(step, callOf(input, toolCallId), signalOption(abortSignal));
      },
      execute: async (input: unknown, { toolCallId, messages, abortSignal }: ExecuteOptions) => {
        const step = stepOf(messages, lonelyStep);
        // Approved through the SDK's flow: asked for it, and not run in the step that asked
        // (an SDK without the flow runs it at once: then salvo's approver decides).
        const approved = asks(input) && !(toolCallId && heldForApproval.get(step)?.has(toolCallId));
        const result = await batcher.run(step, callOf(input, toolCallId), {
          ...signalOption(abortSignal),
          approved,
        });
        return outputOf(result);
      },
    };
  }
  return adapter.expose(set as ToolSet);
}

function schemaOf(tool: Tool): object {
  // Validation is salvo's (its messages, its trace): the SDK passes the input through.
  return {
    [schemaMark]: true,
    [validatorMark]: true,
    _type: undefined,
    jsonSchema: parametersOf(tool),
    validate: undefined,
  };
}

function stepOf(messages: unknown, fallback: object): object {
  return typeof messages === 'object' && messages !== null ? messages : fallback;
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** The tool's own value on success; otherwise an error the SDK hands the model as text. */
function outputOf(result: CallResult): unknown {
  if (result.status === 'success') return result.output ?? resultText(result);
  throw new Error(resultText(result));
}
