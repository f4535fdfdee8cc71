import type { Span } from '@opentelemetry/api';
import type { Scheduler } from '../schedule/scheduler.js';
import type { ModelRequestTrace } from '../trace/call-trace.js';
import { endModelSpan, startModelSpan } from '../trace/model-span.js';
import type { Model, ModelEvent, Usage } from './model.js';

/**
 * Times one model request on the scheduler's clock (so it lines up with the calls it makes) and
 * keeps its `chat {model}` span: made when the request is sent, fed every streamed event, and
 * finished once with how the answer ended.
 */
export class ModelRequestTimer {
  readonly #scheduler: Scheduler;
  readonly #model: Model;
  readonly #step: number;
  /** When the agent was ready to ask, if it then had to wait for its slot. */
  readonly #queuedAt: number | undefined;
  /** The limit that slot belongs to. */
  readonly #limit: string | undefined;
  readonly #sentAt: number;
  readonly #span: Span | undefined;
  #firstTokenAt: number | undefined;
  #retries = 0;
  #usage: Usage | undefined;

  constructor(options: {
    scheduler: Scheduler;
    model: Model;
    step: number;
    queuedAt: number | undefined;
    limit: string | undefined;
  }) {
    this.#scheduler = options.scheduler;
    this.#model = options.model;
    this.#step = options.step;
    this.#queuedAt = options.queuedAt;
    this.#limit = options.limit;
    this.#sentAt = options.scheduler.now();
    const tracer = options.scheduler.tracer;
    this.#span = tracer
      ? startModelSpan(tracer, String(options.model.provider), String(options.model.modelId))
      : undefined;
  }

  /** Every event of the stream: the first part of the answer is its first token. */
  saw(event: ModelEvent): void {
    if (event.type === 'retry') this.#retries++;
    else this.#firstTokenAt ??= this.#scheduler.now();
    if (event.type === 'finish') this.#usage = event.usage;
  }

  /** The request's trace as it ended; its span ends with it. */
  finish(
    reason: ModelRequestTrace['finishReason'],
    path: readonly string[],
    error: Error | undefined,
  ): ModelRequestTrace {
    const sentAt = this.#sentAt;
    const request: ModelRequestTrace = {
      provider: String(this.#model.provider),
      model: String(this.#model.modelId),
      step: this.#step,
      queuedAt: this.#queuedAt ?? sentAt,
      sentAt,
      endedAt: this.#scheduler.now(),
      finishReason: reason,
    };
    if (this.#firstTokenAt !== undefined) request.firstTokenAt = this.#firstTokenAt;
    if (this.#queuedAt !== undefined) request.limitWaitedOn = this.#limit ?? 'subagent';
    // A provider's usage is its word: only numbers are kept.
    const usage = this.#usage;
    if (Number.isFinite(usage?.inputTokens)) request.inputTokens = usage?.inputTokens as number;
    if (Number.isFinite(usage?.outputTokens)) request.outputTokens = usage?.outputTokens as number;
    if (this.#retries > 0) request.retries = this.#retries;
    if (this.#span) endModelSpan(this.#span, request, path, error);
    return request;
  }
}
