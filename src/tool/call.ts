import type { ContentBlock } from './content.js';

/** A tool call as the model asked for it. `input` may still be a JSON string. */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export type CallStatus = 'success' | 'error' | 'denied' | 'cancelled' | 'timeout';

/** Every {@link CallStatus}, for checking values read from outside. */
export const callStatuses: readonly CallStatus[] = [
  'success',
  'error',
  'denied',
  'cancelled',
  'timeout',
];

/** Exactly one per call, in call order. */
export interface CallResult {
  id: string;
  name: string;
  status: CallStatus;
  /** What the model reads: the tool's output, or a short message saying what went wrong. */
  content: ContentBlock[];
  /** True for every status but `success`. */
  isError: boolean;
  /** The value `execute` returned, on success. */
  output?: unknown;
  /** What went wrong, for statuses other than `success`. */
  error?: { message: string; cause?: unknown };
}
