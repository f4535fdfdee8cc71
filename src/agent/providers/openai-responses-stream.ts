import type OpenAI from 'openai';
import { isRecord } from '../../formats/result-text.js';
import type { FinishReason, ModelEvent, ReasoningPart, Usage } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { responsesProvider } from './openai-responses-input.js';
import { argumentsText } from './tool-arguments.js';

type StreamEvent = OpenAI.Responses.ResponseStreamEvent;

interface OpenCall {
  /** The item's `id` (`fc_...`), which argument events name as `item_id`. */
  itemId: string | undefined;
  outputIndex: number | undefined;
  /** The item's `call_id` (`call_...`): what the results answer. */
  callId: string;
  name: string;
  args: string;
  /** `tool-call` was sent, or the call was found cut off. */
  complete: boolean;
}

/**
 * Turns Responses API stream events into {@link ModelEvent}s, one event at a time.
 *
 * A `function_call` output item yields `tool-call-start` (with its `call_id`) when it is added,
 * a `tool-call-delta` per arguments piece (matched by `item_id`, else `output_index`), and
 * `tool-call` as soon as `response.function_call_arguments.done` or its
 * `response.output_item.done` arrives, so several calls may stream interleaved and each runs the
 * moment its own arguments are complete. A call still open when the response ends incomplete was
 * cut off: it yields no `tool-call`. Each finished `reasoning` item yields a `reasoning` part
 * that holds what the API needs to have it back (`id`, `encrypted_content`, `summary`).
 *
 * `response.completed` and `response.incomplete` yield the `finish`; `response.failed` and
 * `error` throw a `ModelApiError`. Fields a compatible server leaves out are never relied on.
 */
export class ResponsesStreamMapper {
  readonly #calls: OpenCall[] = [];
  /** Reasoning items already yielded, by id. */
  readonly #reasoning = new Set<string>();
  /** The summary part the last reasoning delta belonged to, to separate parts. */
  #lastSummary: { itemId: string; index: number } | undefined;
  /** How many `tool-call`s were yielded. */
  #toolCalls = 0;
  #done = false;

  /** True once a terminal event (`response.completed` or `response.incomplete`) arrived. */
  get done(): boolean {
    return this.#done;
  }

  push(event: StreamEvent): ModelEvent[] {
    const out: ModelEvent[] = [];
    if (this.#done || typeof event !== 'object' || event === null) return out;
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof event.delta === 'string' && event.delta !== '') {
          out.push({ type: 'text-delta', text: event.delta });
        }
        break;
      case 'response.reasoning_summary_text.delta':
        this.#reasoningDelta(event.item_id, event.summary_index, event.delta, out);
        break;
      case 'response.reasoning_text.delta':
        this.#reasoningDelta(event.item_id, event.content_index, event.delta, out);
        break;
      case 'response.output_item.added':
        if (isRecord(event.item) && event.item.type === 'function_call') {
          this.#addCall(event.item, event.output_index, out);
        }
        break;
      case 'response.function_call_arguments.delta': {
        const call = this.#find(event.item_id, event.output_index);
        if (!call || call.complete || typeof event.delta !== 'string' || event.delta === '') break;
        call.args += event.delta;
        out.push({ type: 'tool-call-delta', id: call.callId, delta: event.delta });
        break;
      }
      case 'response.function_call_arguments.done': {
        const call = this.#find(event.item_id, event.output_index);
        if (!call || call.complete) break;
        if (typeof event.arguments === 'string') call.args = event.arguments;
        if (call.name === '' && typeof event.name === 'string') call.name = event.name;
        this.#complete(call, out);
        break;
      }
      case 'response.output_item.done':
        if (!isRecord(event.item)) break;
        if (event.item.type === 'function_call') {
          this.#itemDone(event.item, event.output_index, out);
        } else if (event.item.type === 'reasoning') {
          this.#reasoningDone(event.item, out);
        }
        break;
      case 'response.completed':
        this.#finish(event.response, 'completed', out);
        break;
      case 'response.incomplete':
        this.#finish(event.response, 'incomplete', out);
        break;
      case 'response.failed': {
        const error = isRecord(event.response) ? event.response.error : undefined;
        throw new ModelApiError({
          provider: responsesProvider,
          type: stringField(error, 'code'),
          apiMessage: stringField(error, 'message') ?? 'the response failed',
        });
      }
      case 'error':
        throw new ModelApiError({
          provider: responsesProvider,
          type: stringField(event, 'code'),
          apiMessage: stringField(event, 'message') ?? 'the server sent an error event',
        });
    }
    return out;
  }

  /** Throws when the stream ended before a terminal event (it was cut short). */
  end(): void {
    if (!this.#done) {
      throw new ModelApiError({
        provider: responsesProvider,
        kind: 'connection-lost',
        apiMessage: 'the stream ended before the response was complete (no response.completed)',
      });
    }
  }

  #reasoningDelta(itemId: unknown, index: unknown, delta: unknown, out: ModelEvent[]): void {
    if (typeof delta !== 'string' || delta === '') return;
    const id = typeof itemId === 'string' ? itemId : '';
    const part = typeof index === 'number' ? index : 0;
    const last = this.#lastSummary;
    // A new part of the same item's summary starts a new paragraph, as the joined text has it.
    const text = last && last.itemId === id && last.index !== part ? `\n\n${delta}` : delta;
    this.#lastSummary = { itemId: id, index: part };
    out.push({ type: 'reasoning-delta', text });
  }

  #addCall(item: Record<string, unknown>, outputIndex: unknown, out: ModelEvent[]): OpenCall {
    const itemId = stringField(item, 'id');
    const index = typeof outputIndex === 'number' ? outputIndex : undefined;
    const call: OpenCall = {
      itemId,
      outputIndex: index,
      callId: stringField(item, 'call_id') ?? itemId ?? `call_${index ?? this.#calls.length}`,
      name: stringField(item, 'name') ?? '',
      args: typeof item.arguments === 'string' ? item.arguments : '',
      complete: false,
    };
    this.#calls.push(call);
    out.push({ type: 'tool-call-start', id: call.callId, name: call.name });
    if (call.args !== '') out.push({ type: 'tool-call-delta', id: call.callId, delta: call.args });
    return call;
  }

  /** The open call an event names: by `item_id`, else by `output_index`. */
  #find(itemId: unknown, outputIndex: unknown): OpenCall | undefined {
    if (typeof itemId === 'string' && itemId !== '') {
      const byId = this.#calls.find((call) => call.itemId === itemId);
      if (byId) return byId;
    }
    if (typeof outputIndex === 'number') {
      return this.#calls.find((call) => call.outputIndex === outputIndex);
    }
    return undefined;
  }

  /** A `function_call` item is done: complete, unless the output limit cut it off. */
  #itemDone(item: Record<string, unknown>, outputIndex: unknown, out: ModelEvent[]): void {
    const call =
      this.#find(item.id, outputIndex) ??
      this.#calls.find((c) => c.callId === item.call_id) ??
      this.#addCall(item, outputIndex, out);
    if (call.complete) return;
    if (typeof item.arguments === 'string') call.args = item.arguments;
    if (call.name === '' && typeof item.name === 'string') call.name = item.name;
    if (item.status === 'incomplete') {
      call.complete = true;
      return;
    }
    this.#complete(call, out);
  }

  #complete(call: OpenCall, out: ModelEvent[]): void {
    call.complete = true;
    this.#toolCalls++;
    out.push({
      type: 'tool-call',
      id: call.callId,
      name: call.name,
      input: argumentsText(call.args),
    });
  }

  #reasoningDone(item: Record<string, unknown>, out: ModelEvent[]): void {
    const id = stringField(item, 'id');
    if (id === undefined || this.#reasoning.has(id)) return;
    this.#reasoning.add(id);
    const summary = Array.isArray(item.summary) ? item.summary : [];
    const content = Array.isArray(item.content) ? item.content : [];
    // The summary is what OpenAI shows; servers with open reasoning send its text as content.
    const text = (summary.length > 0 ? summary : content)
      .map((part: unknown) => stringField(part, 'text') ?? '')
      .filter((part) => part !== '')
      .join('\n\n');
    const part: ReasoningPart = {
      provider: responsesProvider,
      kind: 'reasoning',
      data: {
        id,
        encrypted_content:
          typeof item.encrypted_content === 'string' ? item.encrypted_content : null,
        summary,
      },
    };
    if (text !== '') part.text = text;
    out.push({ type: 'reasoning', part });
  }

  /**
   * The terminal event: yields what the response's `output` holds but the stream did not say
   * (a finished item whose `done` event never came), then the `finish`. Calls still open when
   * the response is incomplete were cut off and yield nothing.
   */
  #finish(response: unknown, status: 'completed' | 'incomplete', out: ModelEvent[]): void {
    this.#done = true;
    const record = isRecord(response) ? response : {};
    const output = Array.isArray(record.output) ? (record.output as unknown[]) : [];
    const cutOff = status === 'incomplete';
    for (const [index, item] of output.entries()) {
      if (!isRecord(item)) continue;
      if (item.type === 'reasoning' && item.status !== 'incomplete') {
        this.#reasoningDone(item, out);
      }
      if (item.type !== 'function_call') continue;
      if (item.status === 'completed' || (!cutOff && item.status !== 'incomplete')) {
        this.#itemDone(item, index, out);
      } else if (item.status === 'incomplete') {
        const call = this.#find(item.id, index);
        if (call) call.complete = true;
      }
    }
    // Calls the output does not settle: complete when the response is, else cut off.
    for (const call of this.#calls) {
      if (call.complete) continue;
      if (cutOff) call.complete = true;
      else this.#complete(call, out);
    }
    out.push({
      type: 'finish',
      reason: cutOff ? incompleteReason(record) : this.#toolCalls > 0 ? 'tool-calls' : 'stop',
      usage: usageOf(record.usage),
    });
  }
}

function incompleteReason(response: Record<string, unknown>): FinishReason {
  const details = response.incomplete_details;
  switch (isRecord(details) ? details.reason : undefined) {
    case 'max_output_tokens':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

function usageOf(usage: unknown): Usage {
  const count = (key: string): number => {
    const value = isRecord(usage) ? usage[key] : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  };
  return { inputTokens: count('input_tokens'), outputTokens: count('output_tokens') };
}

function stringField(record: unknown, key: string): string | undefined {
  const value = isRecord(record) ? record[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
