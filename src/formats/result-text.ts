import type { CallResult } from '../tool/call.js';

/**
 * Text that stands in for an image a format cannot carry, e.g. `[image image/png, 12 KB omitted]`.
 * The model learns that an image existed and how big it was, without the bytes.
 */
export function describeImage(mimeType: unknown, data: unknown, reason?: string): string {
  const type = typeof mimeType === 'string' && mimeType.trim() !== '' ? mimeType.trim() : 'unknown';
  const size = typeof data === 'string' ? `, ${formatBytes(base64Bytes(data))}` : '';
  return `[image ${type}${size} omitted${reason === undefined ? '' : `: ${reason}`}]`;
}

/** The decoded size of base64 `data`, without decoding it. */
export function base64Bytes(data: string): number {
  let length = data.length;
  // Line breaks and padding carry no bytes.
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    if (code === 10 || code === 13 || code === 32) length--;
  }
  if (data.endsWith('==')) length -= 2;
  else if (data.endsWith('=')) length -= 1;
  return Math.max(0, Math.floor((length * 3) / 4));
}

/** `512 B`, `12 KB`, `3.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A JSON block's text; never throws, never `undefined` (a malformed block may hold anything). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * What the model reads when a result has no content worth sending. Providers reject or
 * mishandle empty tool results (Anthropic: empty text blocks are a 400), and an empty error
 * tells the model nothing, so it gets the error message or a line naming the status.
 */
export function emptyResultText(result: Pick<CallResult, 'status' | 'error'>): string {
  const message = result.error?.message;
  if (result.status !== 'success' && typeof message === 'string' && message.trim() !== '') {
    return message;
  }
  switch (result.status) {
    case 'success':
      return '(no output)';
    case 'denied':
      return 'The tool call was denied.';
    case 'cancelled':
      return 'The tool call was cancelled.';
    case 'timeout':
      return 'The tool call timed out.';
    default:
      return 'The tool call failed.';
  }
}

/** True for every status but `success`; a result marked `isError` counts as an error too. */
export function isErrorResult(result: Pick<CallResult, 'status' | 'isError'>): boolean {
  return result.status !== 'success' || result.isError === true;
}

/** A string from a field the server may have left out or mistyped. */
export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** True for a non-null object, so its fields can be read without a TypeError. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
