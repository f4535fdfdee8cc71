/**
 * The arguments of a tool call parsed as a JSON object, or `undefined` when `text` is not one
 * (cut off, invalid, or another JSON value). Providers stream arguments as JSON text; a JSON
 * object is complete exactly when it parses, since no text appended to it parses again.
 */
export function parseArguments(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The arguments text a `tool-call` event carries: `{}` for a call streamed with none. */
export function argumentsText(text: string): string {
  return text.trim() === '' ? '{}' : text;
}
