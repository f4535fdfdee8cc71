import type { CallResult } from '../tool/call.js';

/** Why the model stopped. `length`: it ran out of output tokens, possibly mid tool call. */
export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Reasoning a model produced before or between its answer's parts: readable text (Anthropic's
 * thinking, DeepSeek's `reasoning_content`, a Responses summary), a signature, or opaque data
 * (a redacted thinking block, encrypted reasoning). It goes back, unchanged, to the provider
 * that made it (APIs require it with tool use), and is left out for any other provider.
 */
export interface ReasoningPart {
  /** The `Model.provider` that made it: only that provider is sent it back. */
  provider: string;
  /**
   * What it is, in that provider's terms: `thinking`, `redacted_thinking` (Anthropic),
   * `reasoning_content` (Chat Completions servers), `reasoning` (a Responses item).
   */
  kind: string;
  /** Readable reasoning, when there is any (shown dimmed in the CLI). */
  text?: string;
  /** Anthropic's signature of the thinking text. */
  signature?: string;
  /** Opaque data to send back as it came (redacted thinking, encrypted content, an item id). */
  data?: unknown;
}

/** What a model streams while it answers. */
export type ModelEvent =
  | { type: 'text-delta'; text: string }
  /** Reasoning text as it streams, for display; the whole part comes as `reasoning`. */
  | { type: 'reasoning-delta'; text: string }
  /** A complete reasoning part, in answer order: it goes into the transcript. */
  | { type: 'reasoning'; part: ReasoningPart }
  /** A tool call began; its arguments follow as deltas. */
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; delta: string }
  /**
   * A tool call's arguments are complete: it can run now, while the model goes on.
   * `providerData` is what the provider wants echoed back on this call (Gemini's thought
   * signature).
   */
  | { type: 'tool-call'; id: string; name: string; input: string; providerData?: ProviderData }
  | { type: 'finish'; reason: FinishReason; usage: Usage }
  /** The request failed before any answer came, and is sent again after a wait. */
  | ({ type: 'retry' } & ModelRetry);

/** Why a request is sent again: the HTTP status or the connection failure it met. */
export type RetryReason = 'rate-limited' | 'overloaded' | 'server-error' | 'timeout' | 'connection';

/** A model request about to be sent again, for a host to show ("rate limited, retrying in 2 s"). */
export interface ModelRetry {
  /** The attempt about to be made: 2 for the first retry. */
  attempt: number;
  /** Attempts at most (the retries plus the first). */
  maxAttempts: number;
  /** The wait before it: the server's `retry-after`, else a growing backoff. */
  delayMs: number;
  reason: RetryReason;
  /** The failed attempt's HTTP status, when it got one. */
  status?: number;
  /** Who failed: the host of the API's base URL (`api.openai.com`, `127.0.0.1:11434`). */
  server: string;
  /** What the failed attempt met, in the API's words when it said any. */
  message: string;
}

/** Data a provider attached to a call and wants back unchanged, tagged with that provider. */
export interface ProviderData {
  provider: string;
  [field: string]: unknown;
}

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
  /** What the provider wants echoed back on this call (see `ModelEvent`). */
  providerData?: ProviderData;
}

/**
 * The transcript, independent of any provider. Each provider turns it into its own wire format
 * (`Model.toProviderMessages`), so a run can be resumed or inspected in that format.
 */
export type AgentMessage =
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string;
      toolCalls: ModelToolCall[];
      /** The reasoning of this answer, in the order it came (see `ReasoningPart`). */
      reasoning?: ReasoningPart[];
    }
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
