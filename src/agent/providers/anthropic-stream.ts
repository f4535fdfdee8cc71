import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { FinishReason, ModelEvent, ReasoningPart } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { argumentsText, parseArguments } from './tool-arguments.js';

interface ToolBlock {
  id: string;
  name: string;
  json: string;
  /** The `input` of `content_block_start`, used when no `input_json_delta` follows. */
  startInput: unknown;
}

interface ThinkingBlock {
  text: string;
  signature: string;
}

/**
 * Turns the Messages API's raw stream events into {@link ModelEvent}s, one event at a time.
 *
 * Thinking blocks stream as `reasoning-delta` and end as a `reasoning` part with their
 * signature; a `redacted_thinking` block becomes a part with its encrypted `data`. Both go back
 * unchanged with the next request, as the API requires with tool use.
 *
 * A `tool_use` block yields its `tool-call` at its `content_block_stop`, as soon as its arguments
 * parse as a JSON object. When they do not (cut off, or invalid JSON the scheduler must answer
 * with an error), the call waits for proof that it was not cut off: the start of another block,
 * or a stop reason other than `max_tokens`. A block cut off by `max_tokens`, closed or not, never
 * yields a `tool-call`: the API closes every open block before `message_delta`, so its
 * `content_block_stop` alone does not mean the arguments are complete.
 */
export class AnthropicStreamMapper {
  readonly #open = new Map<number, ToolBlock>();
  readonly #thinking = new Map<number, ThinkingBlock>();
  #undecided: ToolBlock | undefined;
  #inputTokens = 0;
  #outputTokens = 0;
  #stopReason: string | null | undefined;
  #finished = false;

  push(event: RawMessageStreamEvent): ModelEvent[] {
    const out: ModelEvent[] = [];
    switch (event.type) {
      case 'message_start': {
        // Some examples and compatible servers send no usage here.
        const usage = event.message?.usage;
        if (usage) {
          this.#inputTokens = totalInput(usage);
          this.#outputTokens = usage.output_tokens ?? 0;
        }
        break;
      }
      case 'content_block_start': {
        this.#settleUndecided(out, true);
        const block = event.content_block;
        if (block.type === 'tool_use') {
          this.#open.set(event.index, {
            id: block.id,
            name: block.name,
            json: '',
            startInput: block.input,
          });
          out.push({ type: 'tool-call-start', id: block.id, name: block.name });
        } else if (block.type === 'text' && block.text !== '') {
          out.push({ type: 'text-delta', text: block.text });
        } else if (block.type === 'thinking') {
          const text = block.thinking ?? '';
          this.#thinking.set(event.index, { text, signature: block.signature ?? '' });
          if (text !== '') out.push({ type: 'reasoning-delta', text });
        } else if (block.type === 'redacted_thinking') {
          // Encrypted: nothing to show, everything to send back as it came.
          out.push({
            type: 'reasoning',
            part: { provider: 'anthropic', kind: 'redacted_thinking', data: block.data },
          });
        }
        break;
      }
      case 'content_block_delta': {
        const { delta } = event;
        if (delta.type === 'text_delta') {
          if (delta.text !== '') out.push({ type: 'text-delta', text: delta.text });
        } else if (delta.type === 'thinking_delta') {
          const block = this.#thinking.get(event.index);
          if (block && delta.thinking !== '') {
            block.text += delta.thinking;
            out.push({ type: 'reasoning-delta', text: delta.thinking });
          }
        } else if (delta.type === 'signature_delta') {
          const block = this.#thinking.get(event.index);
          if (block) block.signature += delta.signature;
        } else if (delta.type === 'input_json_delta') {
          const block = this.#open.get(event.index);
          if (block && delta.partial_json !== '') {
            block.json += delta.partial_json;
            out.push({ type: 'tool-call-delta', id: block.id, delta: delta.partial_json });
          }
        }
        break;
      }
      case 'content_block_stop': {
        const thinking = this.#thinking.get(event.index);
        if (thinking) {
          this.#thinking.delete(event.index);
          const part: ReasoningPart = {
            provider: 'anthropic',
            kind: 'thinking',
            text: thinking.text,
          };
          if (thinking.signature !== '') part.signature = thinking.signature;
          out.push({ type: 'reasoning', part });
          break;
        }
        const block = this.#open.get(event.index);
        if (!block) break;
        this.#open.delete(event.index);
        if (block.json === '' && hasKeys(block.startInput)) {
          block.json = JSON.stringify(block.startInput);
        }
        if (parseArguments(block.json) !== undefined) out.push(toolCall(block));
        else {
          this.#settleUndecided(out, true);
          this.#undecided = block;
        }
        break;
      }
      case 'message_delta': {
        this.#stopReason = event.delta.stop_reason;
        const usage = event.usage ?? {};
        if (typeof usage.output_tokens === 'number') this.#outputTokens = usage.output_tokens;
        if (typeof usage.input_tokens === 'number') {
          this.#inputTokens = totalInput(usage as Parameters<typeof totalInput>[0]);
        }
        this.#settleUndecided(out, !isCutOff(this.#stopReason));
        // Blocks still open now never got their end: their arguments are incomplete.
        this.#open.clear();
        break;
      }
      case 'message_stop':
        out.push(this.#finish());
        break;
    }
    return out;
  }

  /**
   * The events due when the stream ends: the `finish`, when `message_stop` never came but
   * `message_delta` did. Throws when the stream ended before the message was complete.
   */
  end(): ModelEvent[] {
    if (this.#finished) return [];
    if (this.#stopReason === undefined) {
      throw new ModelApiError({
        provider: 'anthropic',
        kind: 'connection-lost',
        apiMessage: 'the stream ended before the message was complete (no message_delta)',
      });
    }
    return [this.#finish()];
  }

  #finish(): ModelEvent {
    this.#finished = true;
    const usage = { inputTokens: this.#inputTokens, outputTokens: this.#outputTokens };
    return { type: 'finish', reason: finishReason(this.#stopReason), usage };
  }

  #settleUndecided(out: ModelEvent[], complete: boolean): void {
    const block = this.#undecided;
    this.#undecided = undefined;
    if (block && complete) out.push(toolCall(block));
  }
}

function toolCall(block: ToolBlock): ModelEvent {
  return { type: 'tool-call', id: block.id, name: block.name, input: argumentsText(block.json) };
}

/** Input tokens in all: uncached, written to the cache and read from it. */
function totalInput(usage: {
  input_tokens: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}): number {
  return (
    (usage.input_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

function isCutOff(stopReason: string | null | undefined): boolean {
  return stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded';
}

export function finishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool-calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

function hasKeys(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
