import type { ContentBlock, JsonValue } from '../tool/content.js';

/** The parts of an MCP `CallToolResult` salvo reads (loose: servers send what they send). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

/** A tool's `isError: true` result: the server's own words, thrown so salvo records an error. */
export class McpToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpToolError';
  }
}

/**
 * Turns an MCP tool result into salvo content: text and images as they are, audio, resource
 * links and embedded resources as JSON (text resources keep their text), `structuredContent` as
 * a trailing JSON block. `isError: true` throws `McpToolError` with the server's text.
 */
export function mapCallToolResult(result: McpCallResult): ContentBlock[] {
  const items = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  const blocks = items.map(toBlock);
  if (result.isError === true) {
    const text = blocks
      .map((b) => (b.type === 'text' ? b.text : b.type === 'json' ? JSON.stringify(b.value) : ''))
      .filter((t) => t.length > 0)
      .join('\n');
    throw new McpToolError(text || 'The tool reported an error without a message.');
  }
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    blocks.push({ type: 'json', value: result.structuredContent as JsonValue });
  }
  return blocks.length > 0 ? blocks : [{ type: 'text', text: '' }];
}

function toBlock(item: Record<string, unknown>): ContentBlock {
  switch (item.type) {
    case 'text':
      return { type: 'text', text: String(item.text ?? '') };
    case 'image':
      return { type: 'image', data: String(item.data ?? ''), mimeType: String(item.mimeType) };
    case 'audio':
      return {
        type: 'json',
        value: { type: 'audio', mimeType: String(item.mimeType), bytes: base64Bytes(item.data) },
      };
    case 'resource_link':
      return {
        type: 'json',
        value: pick(item, ['type', 'uri', 'name', 'title', 'mimeType', 'description']),
      };
    case 'resource': {
      const resource = (item.resource ?? {}) as Record<string, unknown>;
      if (typeof resource.blob === 'string' && String(resource.mimeType).startsWith('image/')) {
        return { type: 'image', data: resource.blob, mimeType: String(resource.mimeType) };
      }
      const value = pick(resource, ['uri', 'mimeType', 'text']) as Record<string, JsonValue>;
      if (typeof resource.blob === 'string') value.bytes = base64Bytes(resource.blob);
      return { type: 'json', value: { type: 'resource', ...value } };
    }
    default:
      return { type: 'json', value: JSON.parse(JSON.stringify(item)) as JsonValue };
  }
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key] as JsonValue;
  return out;
}

function base64Bytes(data: unknown): number {
  return typeof data === 'string' ? Math.floor((data.length * 3) / 4) : 0;
}
