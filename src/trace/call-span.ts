import {
  type Attributes,
  context,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallResult } from '../tool/call.js';

/** What a call span needs to know about its call when it ends. */
export interface SpanFacts {
  turnId: number;
  index: number;
  queuedAt: number;
  conflictsClearedAt: number | undefined;
  approvedAt: number | undefined;
  readyAt: number | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
  waitedFor: readonly string[];
  limitWaitedOn: string | undefined;
  sharedWith: string | undefined;
  approval: string;
}

/**
 * Starts the span of one call, as a child of the context the call was added in. Named and
 * attributed per the OpenTelemetry GenAI conventions for tool execution (`execute_tool {name}`,
 * `gen_ai.operation.name`, `gen_ai.tool.name`, `gen_ai.tool.call.id`); salvo's own facts go in
 * `salvo.*` attributes when the call ends.
 */
export function startCallSpan(tracer: Tracer, toolName: string, callId: string): Span {
  return tracer.startSpan(`execute_tool ${toolName}`, {
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': toolName,
      'gen_ai.tool.call.id': callId,
      'gen_ai.tool.type': 'function',
    },
  });
}

/** Runs `fn` with `span` as the active span, so the tool's own spans nest under its call. */
export function runInSpan<T>(span: Span, fn: () => T): T {
  if (!span.isRecording()) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Ends a call's span with its status and where its time went. */
export function endCallSpan(
  span: Span,
  result: CallResult,
  facts: SpanFacts,
  path: readonly string[],
): void {
  if (!span.isRecording()) {
    span.end();
    return;
  }
  const end = facts.endedAt ?? facts.queuedAt;
  const attributes: Attributes = {
    'salvo.status': result.status,
    'salvo.turn.id': facts.turnId,
    'salvo.call.index': facts.index,
    'salvo.approval': facts.approval,
    'salvo.wait.conflicts_ms': (facts.conflictsClearedAt ?? end) - facts.queuedAt,
    'salvo.wait.approval_ms':
      facts.approval === 'auto' ? 0 : (facts.approvedAt ?? end) - facts.queuedAt,
    'salvo.wait.slot_ms':
      facts.readyAt === undefined ? 0 : (facts.startedAt ?? end) - facts.readyAt,
    'salvo.run_ms': facts.startedAt === undefined ? 0 : end - facts.startedAt,
  };
  if (path.length > 0) attributes['salvo.agent.path'] = path.join(' > ');
  if (facts.waitedFor.length > 0) attributes['salvo.waited_for'] = [...facts.waitedFor];
  if (facts.limitWaitedOn !== undefined) attributes['salvo.limit_waited_on'] = facts.limitWaitedOn;
  if (facts.sharedWith !== undefined) attributes['salvo.shared_with'] = facts.sharedWith;
  if (result.status !== 'success') attributes['error.type'] = result.status;
  span.setAttributes(attributes);
  if (result.isError) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.error?.message ?? result.status });
  }
  span.end();
}
