import type { AgentFinish, AgentResult } from '../../agent/run-agent.js';

/** What a worker sends back: an `AgentResult` as JSON, its error as a message. */
export interface WireResult {
  text: string;
  finishReason: AgentFinish;
  messages: unknown[];
  usage: { inputTokens: number; outputTokens: number };
  traces: unknown[];
  stepTraces: unknown[];
  steps: number;
  error?: string;
  /** The worker that ran it. */
  worker: string;
}

// Every reason, checked by the compiler: a new one must be added here.
const finishReasonSet: Record<AgentFinish, true> = {
  stop: true,
  'max-steps': true,
  length: true,
  'content-filter': true,
  cancelled: true,
  error: true,
};
const finishReasons: readonly string[] = Object.keys(finishReasonSet);

export function toWire(result: AgentResult, worker: string): WireResult {
  return {
    text: result.text,
    finishReason: result.finishReason,
    messages: result.messages,
    usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
    traces: result.traces,
    stepTraces: result.stepTraces,
    steps: result.steps,
    ...(result.error ? { error: result.error.message } : {}),
    worker,
  };
}

/**
 * A worker's answer, read as untrusted: anything that is not a result becomes an error result
 * that says what came instead.
 */
export function fromWire(value: unknown): AgentResult & { worker?: string } {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<WireResult>;
  const valid =
    typeof v.text === 'string' &&
    typeof v.finishReason === 'string' &&
    finishReasons.includes(v.finishReason);
  if (!valid) {
    return errorResult(
      `the worker sent something that is not a result (${JSON.stringify(value)?.slice(0, 80)})`,
    );
  }
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0);
  return {
    text: v.text as string,
    finishReason: v.finishReason as AgentFinish,
    messages: Array.isArray(v.messages) ? (v.messages as AgentResult['messages']) : [],
    transcript: [],
    usage: { inputTokens: count(v.usage?.inputTokens), outputTokens: count(v.usage?.outputTokens) },
    traces: Array.isArray(v.traces) ? (v.traces as AgentResult['traces']) : [],
    stepTraces: Array.isArray(v.stepTraces) ? (v.stepTraces as AgentResult['stepTraces']) : [],
    steps: count(v.steps),
    ...(typeof v.error === 'string' ? { error: new Error(v.error) } : {}),
    ...(typeof v.worker === 'string' ? { worker: v.worker } : {}),
  };
}

export function errorResult(message: string, finishReason: AgentFinish = 'error'): AgentResult {
  return {
    text: '',
    finishReason,
    messages: [],
    transcript: [],
    usage: { inputTokens: 0, outputTokens: 0 },
    traces: [],
    stepTraces: [],
    steps: 0,
    ...(finishReason === 'error' ? { error: new Error(message) } : {}),
  };
}
