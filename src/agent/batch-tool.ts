import type { CallResult } from '../tool/call.js';
import { contentToText } from '../tool/content.js';
import type { ModelTool } from './model.js';

/** The name of the tool that carries several calls in one. */
export const batchToolName = 'batch';

/** Calls one `batch` may carry. */
export const maxBatchCalls = 25;

/**
 * `batch`: several tool calls in one, for providers that forbid parallel calls and models that
 * make one call per answer. The agent loop runs each invocation as its own call of the same
 * turn (claims, approvals, limits, a result each) and answers the batch with their results, in
 * order.
 */
export const batchToolSpec: ModelTool = {
  name: batchToolName,
  description: `Runs several tool calls at once: list each as { "tool": name, "input": its arguments }. They run together (in your order where they touch the same thing) and their results come back together, in order. Use it whenever you need more than one call: reading several files, several searches. At most ${maxBatchCalls} calls.`,
  inputSchema: {
    type: 'object',
    properties: {
      calls: {
        type: 'array',
        minItems: 1,
        maxItems: maxBatchCalls,
        items: {
          type: 'object',
          properties: {
            tool: { type: 'string', description: 'The name of a tool' },
            input: { type: 'object', description: "The tool's arguments" },
          },
          required: ['tool', 'input'],
        },
      },
    },
    required: ['calls'],
  },
};

/** One call of a batch. */
export interface BatchInvocation {
  tool: string;
  input: unknown;
}

/**
 * The calls of a batch from the model's JSON text, or what is wrong with it, for the model.
 * A call naming `batch` itself is refused: batches do not nest.
 */
export function parseBatch(
  text: string,
): { ok: true; calls: BatchInvocation[] } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'batch: the arguments are not valid JSON.' };
  }
  const calls = (value as { calls?: unknown } | null)?.calls;
  if (!Array.isArray(calls) || calls.length === 0) {
    return {
      ok: false,
      message: 'batch: expected { "calls": [{ "tool": name, "input": {...} }, ...] }.',
    };
  }
  if (calls.length > maxBatchCalls) {
    return {
      ok: false,
      message: `batch: ${calls.length} calls; at most ${maxBatchCalls}. Split them into several batches.`,
    };
  }
  const out: BatchInvocation[] = [];
  for (const [i, call] of calls.entries()) {
    const tool = (call as { tool?: unknown } | null)?.tool;
    if (typeof tool !== 'string' || tool === '') {
      return { ok: false, message: `batch: calls[${i}] needs a "tool" name.` };
    }
    if (tool === batchToolName) {
      return { ok: false, message: `batch: calls[${i}] is a batch; batches do not nest.` };
    }
    out.push({ tool, input: (call as { input?: unknown }).input ?? {} });
  }
  return { ok: true, calls: out };
}

/** The id of the `i`-th call of a batch (0-based): the batch's id and its position. */
export function batchCallId(batchId: string, index: number): string {
  return `${batchId}#${index + 1}`;
}

/**
 * The batch's own result: each call's result under its position, tool and status. It is a
 * success when at least one call succeeded (the model reads what failed), an error otherwise.
 */
export function batchResult(
  id: string,
  calls: readonly BatchInvocation[],
  results: readonly CallResult[],
): CallResult {
  const parts = results.map((result, i) => {
    const body = contentToText(result.content);
    return `[${i + 1}] ${calls[i]?.tool ?? result.name} (${result.status}):\n${body}`;
  });
  const text = parts.join('\n\n');
  const ok = results.some((r) => r.status === 'success');
  const result: CallResult = {
    id,
    name: batchToolName,
    status: ok ? 'success' : 'error',
    isError: !ok,
    content: [{ type: 'text', text }],
    output: results.map((r, i) => ({ tool: calls[i]?.tool, status: r.status, output: r.output })),
  };
  if (!ok) result.error = { message: 'Every call of the batch failed.' };
  return result;
}
