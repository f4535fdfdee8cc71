import type OpenAI from 'openai';
import type { FinishReason, ModelEvent, ProviderData } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { argumentsText, parseArguments } from './tool-arguments.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type ToolCallDelta = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall;

interface OpenCall {
  id: string;
  name: string;
  args: string;
  /** What the server attached to the call and wants back (Gemini's `extra_content`). */
  extra: unknown;
  /** `tool-call-start` was sent: the name is known. */
  started: boolean;
  /** `tool-call` was sent. */
  complete: boolean;
}

/**
 * Turns Chat Completions stream chunks into {@link ModelEvent}s, one chunk at a time (first
 * choice only).
 *
 * Calls are keyed by `id` when the server sends one, and by `index` for the pieces that carry
 * only an index: several calls may stream interleaved, and servers that give every call `index:
 * 0` (some Gemini adapters, proxies, older LiteLLM) still get one call per id. A call yields
 * `tool-call-start` once its name is known, then one `tool-call-delta` per arguments piece, and
 * `tool-call` as soon as its arguments parse as a JSON object or when `finish_reason` arrives.
 * A piece for a call that is complete already starts a new call rather than being dropped. With
 * `finish_reason: 'length'`, a call whose arguments are still incomplete was cut off: it yields
 * no `tool-call`.
 *
 * Reasoning (`reasoning_content`, DeepSeek and vLLM; `reasoning`, OpenRouter) streams as
 * `reasoning-delta` and is kept as one `reasoning` part, sent back with an answer that made
 * calls. Errors sent in the stream (`{ error }` with HTTP 200, as OpenRouter does; vLLM's
 * `{ object: 'error', message }`) throw a `ModelApiError` with the server's message.
 */
export class OpenAIStreamMapper {
  readonly #provider: string;
  readonly #calls: OpenCall[] = [];
  /** The latest call of each index, for the pieces that name no id. */
  readonly #byIndex = new Map<number, OpenCall>();
  #reasoning = '';
  #finishReason: string | undefined;
  #inputTokens = 0;
  #outputTokens = 0;

  /** `provider` is the `Model.provider` its reasoning parts and call data are tagged with. */
  constructor(provider = 'openai') {
    this.#provider = provider;
  }

  push(chunk: Chunk): ModelEvent[] {
    const out: ModelEvent[] = [];
    streamError(chunk, this.#provider);
    if (chunk.usage) {
      this.#inputTokens = chunk.usage.prompt_tokens ?? 0;
      this.#outputTokens = chunk.usage.completion_tokens ?? 0;
    }
    // Some compatible servers send `choices: null` in the usage chunk.
    const choice = (chunk.choices ?? []).find((c) => (c.index ?? 0) === 0);
    if (!choice) return out;
    const delta = choice.delta as (typeof choice)['delta'] & {
      reasoning_content?: unknown;
      reasoning?: unknown;
    };
    if (delta) {
      const thought = delta.reasoning_content ?? delta.reasoning;
      if (typeof thought === 'string' && thought !== '') {
        this.#reasoning += thought;
        out.push({ type: 'reasoning-delta', text: thought });
      }
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
      if ((choice.finish_reason as string) === 'error') {
        throw new ModelApiError({
          provider: this.#provider,
          kind: 'api',
          apiMessage: 'the server ended the answer with an error (finish_reason "error")',
        });
      }
      const cutOff = choice.finish_reason === 'length';
      for (const call of this.#calls) {
        if (call.complete) continue;
        call.complete = true;
        if (cutOff) continue;
        if (!call.started) this.#start(call, out);
        out.push(this.#toolCall(call));
      }
    }
    return out;
  }

  /** The `finish`. Throws when the stream ended with no `finish_reason` (it was cut short). */
  end(): ModelEvent[] {
    if (this.#finishReason === undefined) {
      throw new ModelApiError({
        provider: this.#provider,
        kind: 'connection-lost',
        apiMessage: 'the stream ended before the answer was complete (no finish_reason)',
      });
    }
    const out: ModelEvent[] = [];
    if (this.#reasoning !== '') {
      out.push({
        type: 'reasoning',
        part: { provider: this.#provider, kind: 'reasoning_content', text: this.#reasoning },
      });
    }
    const usage = { inputTokens: this.#inputTokens, outputTokens: this.#outputTokens };
    out.push({ type: 'finish', reason: finishReason(this.#finishReason), usage });
    return out;
  }

  #toolCallDelta(part: ToolCallDelta, out: ModelEvent[]): void {
    let call = this.#find(part);
    const name = part.function?.name ?? '';
    const piece = part.function?.arguments ?? '';
    const extra = (part as { extra_content?: unknown }).extra_content;
    if (call?.complete) {
      // Nothing new, or the same call sent again whole: it has run already.
      if (name === '' && piece === '' && extra === undefined) return;
      if (part.id === call.id && (piece === '' || piece === call.args)) return;
      // Anything else is another call that reused an index or an id: it runs too (a reused id
      // gets the scheduler's duplicate-id result), never dropped.
      call = undefined;
    }
    if (!call) {
      call = {
        id: part.id || `call_${this.#calls.length}`,
        name: '',
        args: '',
        extra: undefined,
        started: false,
        complete: false,
      };
      this.#calls.push(call);
    }
    if (typeof part.index === 'number') this.#byIndex.set(part.index, call);
    if (extra !== undefined) call.extra = extra;
    if (name !== '' && call.name === '') call.name = name;
    call.args += piece;
    if (!call.started) {
      if (call.name !== '') this.#start(call, out);
    } else if (piece !== '') {
      out.push({ type: 'tool-call-delta', id: call.id, delta: piece });
    }
    if (call.started && parseArguments(call.args) !== undefined) {
      call.complete = true;
      out.push(this.#toolCall(call));
    }
  }

  /**
   * The call a piece belongs to: by id when it has one (a new id is a new call, whatever its
   * index), else by index, else the latest call (servers that send neither after the first).
   */
  #find(part: ToolCallDelta): OpenCall | undefined {
    if (part.id) return this.#calls.find((c) => c.id === part.id);
    if (typeof part.index === 'number') return this.#byIndex.get(part.index);
    return this.#calls.at(-1);
  }

  /** Sends `tool-call-start`, then the arguments that arrived before the name, as one delta. */
  #start(call: OpenCall, out: ModelEvent[]): void {
    call.started = true;
    out.push({ type: 'tool-call-start', id: call.id, name: call.name });
    if (call.args !== '') out.push({ type: 'tool-call-delta', id: call.id, delta: call.args });
  }

  #toolCall(call: OpenCall): ModelEvent {
    const event: ModelEvent = {
      type: 'tool-call',
      id: call.id,
      name: call.name,
      input: argumentsText(call.args),
    };
    if (call.extra !== undefined) {
      const data: ProviderData = { provider: this.#provider, extra_content: call.extra };
      event.providerData = data;
    }
    return event;
  }
}

/** Throws the error a server sent as a chunk, HTTP 200 notwithstanding. */
function streamError(chunk: Chunk, provider: string): void {
  const raw = chunk as unknown as Record<string, unknown>;
  const body =
    typeof raw.error === 'object' && raw.error !== null
      ? (raw.error as Record<string, unknown>)
      : raw.object === 'error'
        ? raw
        : undefined;
  if (!body) return;
  const message = typeof body.message === 'string' && body.message !== '' ? body.message : '';
  const code = body.code ?? body.type;
  throw new ModelApiError({
    provider,
    kind: 'api',
    type: typeof code === 'string' || typeof code === 'number' ? String(code) : undefined,
    apiMessage: message || 'the server sent an error in the stream',
  });
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
