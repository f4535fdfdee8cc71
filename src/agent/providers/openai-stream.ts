import type OpenAI from 'openai';
import type { FinishReason, ModelEvent } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { argumentsText, parseArguments } from './tool-arguments.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type ToolCallDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall;

interface OpenCall {
  id: string;
  name: string;
  args: string;
  /** `tool-call-start` was sent: the name is known. */
  started: boolean;
  /** `tool-call` was sent. */
  complete: boolean;
}

/**
 * Turns Chat Completions stream chunks into {@link ModelEvent}s, one chunk at a time (first
 * choice only).
 *
 * Tool calls are gathered by `index`, so several calls may stream interleaved. A call yields
 * `tool-call-start` once its name is known, then one `tool-call-delta` per arguments piece, and
 * `tool-call` as soon as its arguments parse as a JSON object (no further text could make them
 * valid again) or when `finish_reason` arrives. With `finish_reason: 'length'`, a call whose
 * arguments are still incomplete was cut off: it yields no `tool-call`. The `finish` comes when
 * the stream ends, since the usage chunk follows `finish_reason`.
 */
export class OpenAIStreamMapper {
  readonly #calls = new Map<number, OpenCall>();
  #finishReason: string | undefined;
  #inputTokens = 0;
  #outputTokens = 0;

  push(chunk: Chunk): ModelEvent[] {
    const out: ModelEvent[] = [];
    if (chunk.usage) {
      this.#inputTokens = chunk.usage.prompt_tokens ?? 0;
      this.#outputTokens = chunk.usage.completion_tokens ?? 0;
    }
    // Some compatible servers send `choices: null` in the usage chunk.
    const choice = (chunk.choices ?? []).find((c) => (c.index ?? 0) === 0);
    if (!choice) return out;
    const { delta } = choice;
    if (delta) {
      if (typeof delta.content === 'string' && delta.content !== '') {
        out.push({ type: 'text-delta', text: delta.content });
      }
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        out.push({ type: 'text-delta', text: delta.refusal });
      }
      for (const part of delta.tool_calls ?? []) this.#toolCallDelta(part, out);
    }
    if (choice.finish_reason) {
      this.#finishReason = choice.finish_reason;
      const cutOff = choice.finish_reason === 'length';
      for (const call of this.#calls.values()) {
        if (call.complete) continue;
        call.complete = true;
        if (cutOff) continue;
        if (!call.started) this.#start(call, out);
        out.push(toolCall(call));
      }
    }
    return out;
  }

  /** The `finish`. Throws when the stream ended with no `finish_reason` (it was cut short). */
  end(): ModelEvent[] {
    if (this.#finishReason === undefined) {
      throw new ModelApiError({
        provider: 'openai',
        apiMessage: 'the stream ended before the answer was complete (no finish_reason)',
      });
    }
    const usage = { inputTokens: this.#inputTokens, outputTokens: this.#outputTokens };
    return [{ type: 'finish', reason: finishReason(this.#finishReason), usage }];
  }

  #toolCallDelta(part: ToolCallDelta, out: ModelEvent[]): void {
    const index = this.#indexOf(part);
    let call = this.#calls.get(index);
    if (!call) {
      call = {
        id: part.id ?? `call_${index}`,
        name: '',
        args: '',
        started: false,
        complete: false,
      };
      this.#calls.set(index, call);
    }
    if (call.complete) return;
    if (part.function?.name && call.name === '') call.name = part.function.name;
    const piece = part.function?.arguments ?? '';
    call.args += piece;
    if (!call.started) {
      if (call.name !== '') this.#start(call, out);
    } else if (piece !== '') {
      out.push({ type: 'tool-call-delta', id: call.id, delta: piece });
    }
    if (call.started && parseArguments(call.args) !== undefined) {
      call.complete = true;
      out.push(toolCall(call));
    }
  }

  /** Sends `tool-call-start`, then the arguments that arrived before the name, as one delta. */
  #start(call: OpenCall, out: ModelEvent[]): void {
    call.started = true;
    out.push({ type: 'tool-call-start', id: call.id, name: call.name });
    if (call.args !== '') out.push({ type: 'tool-call-delta', id: call.id, delta: call.args });
  }

  /** The call's `index`; servers that omit it are matched by `id`, or start a new call. */
  #indexOf(part: ToolCallDelta): number {
    if (typeof part.index === 'number') return part.index;
    if (part.id !== undefined) {
      for (const [index, call] of this.#calls) if (call.id === part.id) return index;
      return this.#calls.size;
    }
    return Math.max(-1, ...this.#calls.keys());
  }
}

function toolCall(call: OpenCall): ModelEvent {
  return { type: 'tool-call', id: call.id, name: call.name, input: argumentsText(call.args) };
}

export function finishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}
