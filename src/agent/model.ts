import type { CallResult } from '../tool/call.js';

/** Why the model stopped. `length`: it ran out of output tokens, possibly mid tool call. */
export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What a model streams while it answers. */
export type ModelEvent =
  | { type: 'text-delta'; text: string }
  /** A tool call began; its arguments follow as deltas. */
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; delta: string }
  /** A tool call's arguments are complete: it can run now, while the model goes on. */
  | { type: 'tool-call'; id: string; name: string; input: string }
  | { type: 'finish'; reason: FinishReason; usage: Usage };

/** A tool as the model sees it. */
export interface ModelTool {
  name: string;
  description: string;
  /** JSON Schema of the input (an object schema). */
  inputSchema: Record<string, unknown>;
}

/** A tool call as the model made it: `input` is the raw JSON text of its arguments. */
export interface ModelToolCall {
  id: string;
  name: string;
  input: string;
}

/**
 * The transcript, independent of any provider. Each provider turns it into its own wire format
 * (`Model.toProviderMessages`), so a run can be resumed or inspected in that format.
 */
export type AgentMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: ModelToolCall[] }
  /** Every result of the previous assistant message, in its call order. */
  | { role: 'tool'; results: CallResult[] };

export interface ModelRequest {
  system: string;
  messages: readonly AgentMessage[];
  tools: readonly ModelTool[];
  /** Aborts the request and its stream. */
  signal: AbortSignal;
}

/** A language model that streams. Providers: Anthropic, OpenAI-compatible, scripted. */
export interface Model {
  /** `anthropic`, `openai`, `scripted`, or a host's own. */
  readonly provider: string;
  readonly modelId: string;
  /**
   * Streams one answer. Throws (or the iterator throws) on an API error, with a message naming
   * the provider and what went wrong; the caller keeps the transcript so far.
   */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
  /** The transcript in the provider's own message format (for logs, resuming, its own SDK). */
  toProviderMessages(messages: readonly AgentMessage[]): unknown[];
}
