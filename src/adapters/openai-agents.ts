import { type FunctionTool, type RunContext, tool } from '@openai/agents';
import type { Scheduler } from '../schedule/scheduler.js';
import { StepBatcher } from '../schedule/step-batcher.js';
import {
  type AdapterOptions,
  callIdOf,
  parametersOf,
  prepareAdapter,
  resultText,
} from './adapter-support.js';

export { tracesOf } from './adapter-support.js';

// The OpenAI Agents SDK runs a response's function calls with a bare `Promise.all` (or a pool
// of `toolExecution.maxFunctionToolConcurrency` workers), each after its own approval check,
// guardrails and hooks. It asks every call's `needsApproval` first, in the response's order,
// before any of those awaits: that is where each call takes its place in the step's salvo turn.

export interface OpenAIAgentsToolsOptions extends AdapterOptions {
  /**
   * Longest a call the SDK checked but has not run yet holds back later calls that conflict
   * with it (the run was cancelled, or a guardrail rejected it). @default 1_000
   */
  arrivalTimeoutMs?: number;
}

/**
 * The scheduler's tools as `@openai/agents` function tools (`new Agent({ tools })`): the calls
 * of each model response run as one salvo turn, in the response's order, with claims, named
 * limits, approvals, timeouts and the run's `signal`. The model reads what salvo's result says,
 * a refusal ("Denied: ...") included. Leave `toolExecution.maxFunctionToolConcurrency` unset:
 * the scheduler's `maxConcurrency` and `limits` are the caps, and a pool slot of the SDK would
 * be held by a call salvo holds back. `tracesOf(tools)` gives the traces.
 */
export function toOpenAIAgentsTools(
  scheduler: Scheduler,
  options: OpenAIAgentsToolsOptions = {},
): FunctionTool[] {
  const adapter = prepareAdapter(scheduler, options);
  const batcher = new StepBatcher(scheduler, {
    turn: adapter.turnOptions,
    onStepEnd: (outcome) => adapter.record(outcome.trace),
    ...(options.arrivalTimeoutMs === undefined
      ? {}
      : { arrivalTimeoutMs: options.arrivalTimeoutMs }),
  });
  // Calls of a run with no context (a tool invoked by hand) share one step.
  const lonelyStep = {};
  let ids = 0;
  const tools = adapter.tools.map((salvoTool) => {
    const name = salvoTool.name;
    const asks = (input: unknown) =>
      adapter.framework && scheduler.approvalPolicy({ name, input }) === 'ask';
    return tool({
      name,
      description: salvoTool.description,
      parameters: parametersOf(salvoTool) as never,
      // Salvo validates (its messages, its trace); the SDK's strict mode would reject schemas.
      strict: false,
      needsApproval: async (runContext: RunContext, input: unknown, callId?: string) => {
        const pauses = asks(input);
        // Synchronous, before any await: the SDK calls this in the response's order.
        if (!pauses && callId)
          batcher.announce(runContext ?? lonelyStep, { id: callId, name, input });
        return pauses;
      },
      execute: async (input: unknown, runContext, details) => {
        const id = callIdOf(details?.toolCall?.callId, () => `salvo-openai-agents-${++ids}`);
        // Approved in the SDK's own flow (an interruption the host approved).
        const approved =
          asks(input) && runContext?.isToolApproved({ toolName: name, callId: id }) === true;
        const result = await batcher.run(
          runContext ?? lonelyStep,
          { id, name, input },
          { approved, ...(details?.signal ? { signal: details.signal } : {}) },
        );
        return resultText(result);
      },
    }) as FunctionTool;
  });
  return adapter.expose(tools);
}
