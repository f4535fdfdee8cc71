import {
  type Attributes,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import type { ModelRequestTrace } from './call-trace.js';

/**
 * Starts the span of one model request, as a child of the active context (the agent's: a
 * subagent's requests nest under its `task` call). Named and attributed per the OpenTelemetry
 * GenAI conventions for inference (`chat {model}`, kind CLIENT, `gen_ai.operation.name`,
 * `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.request.stream`). It is not made the
 * active span: the tool calls of the answer are its siblings, as the conventions draw an agent.
 */
export function startModelSpan(tracer: Tracer, provider: string, model: string): Span {
  return tracer.startSpan(`chat ${model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      'gen_ai.request.stream': true,
    },
  });
}

/** The conventions' finish reasons (OpenAI's words, which the conventions use as examples). */
const finishReasons: Record<string, string> = {
  stop: 'stop',
  'tool-calls': 'tool_calls',
  length: 'length',
  'content-filter': 'content_filter',
  other: 'other',
};

/**
 * Ends a model request's span with what the answer came to: time to first chunk (seconds, as the
 * conventions say), tokens, finish reason, or the error; salvo's own facts as `salvo.*`.
 */
export function endModelSpan(
  span: Span,
  request: ModelRequestTrace,
  path: readonly string[],
  error?: Error,
): void {
  if (!span.isRecording()) {
    span.end();
    return;
  }
  const attributes: Attributes = {
    'salvo.step': request.step,
    'salvo.wait.slot_ms': Math.max(0, request.sentAt - request.queuedAt),
  };
  if (request.firstTokenAt !== undefined) {
    attributes['gen_ai.response.time_to_first_chunk'] =
      Math.max(0, request.firstTokenAt - request.sentAt) / 1000;
  }
  if (request.inputTokens !== undefined) {
    attributes['gen_ai.usage.input_tokens'] = request.inputTokens;
  }
  if (request.outputTokens !== undefined) {
    attributes['gen_ai.usage.output_tokens'] = request.outputTokens;
  }
  const reason = finishReasons[request.finishReason];
  if (reason !== undefined) attributes['gen_ai.response.finish_reasons'] = [reason];
  else
    attributes['error.type'] =
      request.finishReason === 'cancelled' ? 'cancelled' : errorType(error);
  if (request.retries) attributes['salvo.retries'] = request.retries;
  if (request.limitWaitedOn !== undefined)
    attributes['salvo.limit_waited_on'] = request.limitWaitedOn;
  if (path.length > 0) attributes['salvo.agent.path'] = path.join(' > ');
  span.setAttributes(attributes);
  if (request.finishReason === 'error') {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error?.message ?? 'the model request failed',
    });
  }
  span.end();
}

/** A low-cardinality name for the error: its class, as the conventions suggest. */
function errorType(error: Error | undefined): string {
  const name = error?.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : '_OTHER';
}
