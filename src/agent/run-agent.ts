import { InvalidOptionError } from '../errors.js';
import { Scheduler } from '../schedule/scheduler.js';
import type { TurnOutcome } from '../schedule/turn.js';
import type { TurnHold } from '../schedule/turn-hold.js';
import type { CallResult } from '../tool/call.js';
import type { Tool, TurnParent } from '../tool/define-tool.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { assertCount } from '../validate-options.js';
import {
  type BatchInvocation,
  batchCallId,
  batchResult,
  batchToolName,
  batchToolSpec,
  parseBatch,
} from './batch-tool.js';
import { systemPrompt } from './guidance.js';
import type {
  AgentMessage,
  FinishReason,
  Model,
  ModelRetry,
  ModelTool,
  ModelToolCall,
  ReasoningPart,
  Usage,
} from './model.js';
import { ModelRequestTimer } from './model-request-timer.js';

/** Why the loop ended. */
export type AgentFinish =
  | 'stop'
  | 'max-steps'
  | 'length'
  | 'content-filter'
  | 'cancelled'
  | 'error';

/** What the loop reports while it runs; listeners never hold it up. */
export type AgentEvent =
  | { type: 'step-start'; step: number }
  | { type: 'text-delta'; step: number; text: string }
  /** The model's reasoning as it streams (shown dimmed, or summed up in a line). */
  | { type: 'reasoning-delta'; step: number; text: string }
  | { type: 'tool-call'; step: number; call: ModelToolCall }
  | { type: 'tool-result'; step: number; result: CallResult }
  /** The step's model request failed before its answer began and is sent again after a wait. */
  | ({ type: 'retry'; step: number } & ModelRetry)
  | {
      type: 'step-finish';
      step: number;
      reason: FinishReason | 'error' | 'cancelled';
      /** This step's model request: its input tokens say how full the context window is. */
      usage?: Usage;
    };

export interface RunAgentOptions {
  model: Model;
  /** The host's system prompt; salvo's tool-use guidance is appended unless `guidance` says not. */
  system?: string;
  /** The tools the model may call. @default the scheduler's tools, as they are at each step */
  tools?: readonly Tool[];
  /** A prompt, or a transcript to continue. */
  messages: string | readonly AgentMessage[];
  /** Runs the calls. @default a new Scheduler over `tools` */
  scheduler?: Scheduler;
  /** Model requests at most. @default 20 */
  maxSteps?: number;
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** Replaces salvo's tool-use guidance, or `false` to leave it out. */
  guidance?: string | false;
  /** The agent's path, for approvals and traces (subagents). @default [] */
  path?: readonly string[];
  /**
   * The call this agent works inside (a subagent run by a `task` call: `ctx.asParent`): its
   * calls are that call's descendants, never wait for it, and its turns' traces name it.
   */
  parent?: TurnParent;
  /**
   * The agent's own slot (a subagent's, from its manager): taken before each model request and
   * held by its running calls; given back while all of its calls wait.
   */
  hold?: TurnHold;
  /**
   * Offer the model a `batch` tool: several `{ tool, input }` calls in one, each run as its own
   * call of the turn (claims, approvals, limits, a result each), their results returned
   * together. For providers that forbid parallel calls, and models that make one call per
   * answer. @default false
   */
  batchTool?: boolean;
}

export interface AgentResult {
  /** The last assistant message's text. */
  text: string;
  finishReason: AgentFinish;
  /** The whole transcript, salvo's format: every tool call has its result. */
  messages: AgentMessage[];
  /** The same transcript in the provider's message format. */
  transcript: unknown[];
  usage: Usage;
  /** One per step that made tool calls, each with its model request (`model`). */
  traces: TurnTrace[];
  /**
   * One per step, the final answer's included (a turn without calls): the agent's whole run,
   * model time and all, for `summarizeRun` and `writeTrace`.
   */
  stepTraces: TurnTrace[];
  steps: number;
  /** What went wrong, when `finishReason` is `error`. */
  error?: Error;
}

const cutOffMessage =
  'Not run: the response hit the output token limit before the arguments of this call were complete. Send the call again, with shorter arguments if you can.';

/**
 * The agent loop: model, tools, results back to the model, until the model is done. Each tool
 * call starts the moment its arguments are complete, while the model is still streaming the rest
 * of its answer. Never throws for what the model or a tool does: problems end the loop with a
 * `finishReason` and the transcript kept valid.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentResult> {
  const { model, maxSteps = 20, signal, onEvent, path = [], parent, hold } = options;
  if (typeof model?.stream !== 'function') throw new InvalidOptionError('model', 'a Model', model);
  assertCount('maxSteps', maxSteps, { allowInfinity: false });
  const scheduler = options.scheduler ?? new Scheduler({ tools: options.tools ?? [] });
  const withBatch = (specs: ModelTool[]) =>
    options.batchTool === true && !specs.some((s) => s.name === batchToolName)
      ? [...specs, batchToolSpec]
      : specs;
  const fixedSpecs = options.tools ? withBatch(toolSpecs(options.tools)) : undefined;
  // Without a fixed list, each request shows the scheduler's tools as they are then (an MCP
  // server's tools/list_changed reaches the model at its next step).
  let shownTools: ReadonlyMap<string, Tool> | undefined;
  let shownSpecs: ModelTool[] = [];
  const currentSpecs = (): ModelTool[] => {
    if (fixedSpecs) return fixedSpecs;
    if (shownTools !== scheduler.tools) {
      shownTools = scheduler.tools;
      shownSpecs = withBatch(toolSpecs([...shownTools.values()]));
    }
    return shownSpecs;
  };
  let namedSpecs: ModelTool[] | undefined;
  let names: readonly string[] = [];
  const namesOf = (specs: ModelTool[]): readonly string[] => {
    if (specs !== namedSpecs) {
      namedSpecs = specs;
      // `batch` is the loop's, not the scheduler's: its calls are what the turn runs.
      names = specs.map((t) => t.name).filter((n) => !(options.batchTool && n === batchToolName));
    }
    return names;
  };
  const system = systemPrompt(options.system, options.guidance);
  const messages: AgentMessage[] =
    typeof options.messages === 'string'
      ? [{ role: 'user', content: options.messages }]
      : [...options.messages];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const outcomes: TurnOutcome[] = [];
  const emit = (event: AgentEvent) => {
    try {
      onEvent?.(event);
    } catch {
      // A listener's failure is its own.
    }
  };
  // The host's signal as it is; without one, a signal nothing aborts.
  const runSignal = signal ?? new AbortController().signal;

  let text = '';
  let finishReason: AgentFinish = 'max-steps';
  let error: Error | undefined;
  let steps = 0;
  while (steps < maxSteps) {
    const queuedAt = scheduler.now();
    // A subagent waits for its slot before each model request (never while it holds none).
    const slot = hold ? await takeSlot(hold, runSignal) : 'held';
    if (slot === 'cancelled') {
      finishReason = 'cancelled';
      break;
    }
    steps++;
    emit({ type: 'step-start', step: steps });
    const specs = currentSpecs();
    const step = await runStep({
      model,
      system,
      specs,
      names: namesOf(specs),
      messages,
      scheduler,
      path,
      parent,
      hold,
      batch: options.batchTool === true,
      signal: runSignal,
      step: steps,
      queuedAt: slot === 'waited' ? queuedAt : undefined,
      emit,
    });
    usage.inputTokens += step.usage.inputTokens;
    usage.outputTokens += step.usage.outputTokens;
    outcomes.push(step.outcome);
    messages.push(...step.messages);
    text = step.text;
    emit({ type: 'step-finish', step: steps, reason: step.reason, usage: { ...step.usage } });
    if (step.reason === 'error' || step.reason === 'cancelled') {
      finishReason = step.reason;
      error = step.error;
      break;
    }
    if (runSignal.aborted) {
      finishReason = 'cancelled';
      break;
    }
    if (step.calls === 0) {
      finishReason =
        step.reason === 'length' || step.reason === 'content-filter' ? step.reason : 'stop';
      break;
    }
  }
  // The transcript and traces are built on first read: a subagent whose parent reads only
  // its text does not pay for them.
  let transcript: unknown[] | undefined;
  let traces: TurnTrace[] | undefined;
  let stepTraces: TurnTrace[] | undefined;
  const result: AgentResult = {
    text,
    finishReason,
    messages,
    get transcript() {
      transcript ??= model.toProviderMessages(messages);
      return transcript;
    },
    usage,
    get traces() {
      traces ??= this.stepTraces.filter((t) => t.calls.length > 0);
      return traces;
    },
    get stepTraces() {
      stepTraces ??= outcomes.map((o) => o.trace);
      return stepTraces;
    },
    steps,
  };
  if (error) result.error = error;
  return result;
}

interface StepOptions {
  model: Model;
  system: string;
  specs: ModelTool[];
  /** The specs' names, one array per list of specs: the scheduler keeps a turn's tools by it. */
  names: readonly string[];
  messages: readonly AgentMessage[];
  scheduler: Scheduler;
  path: readonly string[];
  parent: TurnParent | undefined;
  hold: TurnHold | undefined;
  /** `batch` calls are expanded into calls of their own. */
  batch: boolean;
  signal: AbortSignal;
  step: number;
  /** When the agent was ready to ask, if it then waited for its slot. */
  queuedAt: number | undefined;
  emit: (event: AgentEvent) => void;
}

interface StepOutcome {
  text: string;
  reason: FinishReason | 'error' | 'cancelled';
  calls: number;
  messages: AgentMessage[];
  usage: Usage;
  /** The step's turn: its trace is built only if someone reads it. */
  outcome: TurnOutcome;
  error?: Error;
}

/** One model request: streams the answer, running each complete call at once. */
async function runStep(o: StepOptions): Promise<StepOutcome> {
  // The model may only use the tools it was shown, whatever else the scheduler has.
  const turn = o.scheduler.turn({
    signal: o.signal,
    path: o.path,
    parent: o.parent,
    tools: o.names,
    ...(o.hold ? { hold: o.hold } : {}),
  });
  const calls: ModelToolCall[] = [];
  /** Where each complete call's results are among the turn's (a batch has several, or none). */
  const slots = new Map<ModelToolCall, number[]>();
  const batches = new Map<ModelToolCall, BatchInvocation[] | string>();
  let added = 0;
  /** By id: the first call with it, and the one still streaming its arguments. */
  const firstById = new Map<string, ModelToolCall>();
  const openById = new Map<string, ModelToolCall>();
  let text = '';
  const reasoning: ReasoningPart[] = [];
  let reason: StepOutcome['reason'] = 'other';
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let error: Error | undefined;
  const timer = new ModelRequestTimer({
    scheduler: o.scheduler,
    model: o.model,
    step: o.step,
    queuedAt: o.queuedAt,
    limit: o.hold?.limit?.name,
  });
  try {
    for await (const event of o.model.stream({
      system: o.system,
      messages: o.messages,
      tools: o.specs,
      signal: o.signal,
    })) {
      timer.saw(event);
      switch (event.type) {
        case 'text-delta':
          text += event.text;
          o.emit({ type: 'text-delta', step: o.step, text: event.text });
          break;
        case 'reasoning-delta':
          o.emit({ type: 'reasoning-delta', step: o.step, text: event.text });
          break;
        case 'reasoning':
          reasoning.push(event.part);
          break;
        case 'retry':
          o.emit({ ...event, step: o.step });
          break;
        case 'tool-call-start':
          if (!firstById.has(event.id)) {
            const call = { id: event.id, name: event.name, input: '' };
            calls.push(call);
            firstById.set(event.id, call);
            openById.set(event.id, call);
          }
          break;
        case 'tool-call-delta': {
          const call = firstById.get(event.id);
          if (call) call.input += event.delta;
          break;
        }
        case 'tool-call': {
          let call = openById.get(event.id);
          if (!call) {
            call = { id: event.id, name: event.name, input: event.input };
            calls.push(call);
            if (!firstById.has(event.id)) firstById.set(event.id, call);
          }
          openById.delete(event.id);
          call.input = event.input;
          if (event.providerData) call.providerData = event.providerData;
          o.emit({ type: 'tool-call', step: o.step, call: { ...call } });
          if (o.batch && call.name === batchToolName) {
            // Each call of the batch joins the turn on its own, now.
            const parsed = parseBatch(call.input);
            batches.set(call, parsed.ok ? parsed.calls : parsed.message);
            const positions: number[] = [];
            for (const [i, inner] of (parsed.ok ? parsed.calls : []).entries()) {
              positions.push(added++);
              turn.add({ id: batchCallId(call.id, i), name: inner.tool, input: inner.input });
            }
            slots.set(call, positions);
            break;
          }
          slots.set(call, [added++]);
          // Runs now, while the model streams the rest of its answer.
          turn.add({ id: call.id, name: call.name, input: call.input });
          break;
        }
        case 'finish':
          reason = event.reason;
          usage = event.usage;
          break;
      }
    }
  } catch (thrown) {
    const aborted = o.signal.aborted;
    reason = aborted ? 'cancelled' : 'error';
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
    // Calls already running are stopped: nobody will read their results.
    turn.cancel(aborted ? 'the run was cancelled' : `the model's stream failed: ${error.message}`);
  } finally {
    // The model's time, for the turn's trace: the calls it made sit inside it.
    turn.end({ model: timer.finish(reason, o.path, error) });
  }
  const outcome = await turn.done;
  const failed = (call: ModelToolCall, message: string): CallResult => ({
    id: call.id,
    name: call.name,
    status: 'error',
    isError: true,
    content: [{ type: 'text', text: message }],
    error: { message },
  });
  const results = calls.map((call): CallResult => {
    const positions = slots.get(call);
    if (!positions) return failed(call, cutOffMessage);
    const batch = batches.get(call);
    if (typeof batch === 'string') return failed(call, batch);
    const own = positions.map((p) => outcome.results[p] as CallResult);
    return batch ? batchResult(call.id, batch, own) : (own[0] as CallResult);
  });
  for (const result of results) o.emit({ type: 'tool-result', step: o.step, result });
  const answer: AgentMessage = { role: 'assistant', content: text, toolCalls: calls };
  if (reasoning.length > 0) answer.reasoning = reasoning;
  const messages: AgentMessage[] = [answer];
  if (calls.length > 0) messages.push({ role: 'tool', results });
  const step: StepOutcome = { text, reason, calls: calls.length, messages, usage, outcome };
  if (error) step.error = error;
  return step;
}

/** Waits for the agent's slot: held at once, held after a wait, or the run was cancelled first. */
async function takeSlot(
  hold: TurnHold,
  signal: AbortSignal,
): Promise<'held' | 'waited' | 'cancelled'> {
  if (signal.aborted) return 'cancelled';
  const pending = hold.resume();
  if (!pending) return 'held';
  const onAbort = () => hold.pause();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await pending;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return signal.aborted ? 'cancelled' : 'waited';
}

function toolSpecs(tools: readonly Tool[]): ModelTool[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    inputSchema: t.inputSchema.jsonSchema,
  }));
}
