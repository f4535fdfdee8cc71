import { sanitizeInline } from '../../trace/sanitize-text.js';
import { textWidth, truncateEnd, truncateStart } from './text-width.js';

/** How a part of a summary is shown and cut. */
type PartKind = 'quoted' | 'path' | 'url' | 'bare';

interface Part {
  text: string;
  kind: PartKind;
  /** Written before the part (` in `), dropped with it. */
  lead?: string;
  /** Dropped first when the summary is too long. */
  optional?: boolean;
}

/** Keys whose value is the call's main argument, most telling first. */
const mainKeys = [
  'command',
  'cmd',
  'pattern',
  'query',
  'q',
  'url',
  'uri',
  'path',
  'file_path',
  'filePath',
  'file',
  'filename',
  'paths',
  'files',
  'prompt',
  'description',
  'text',
  'name',
  'id',
];
const pathKeys = new Set(['path', 'file_path', 'filePath', 'file', 'filename', 'paths', 'files']);
const urlKeys = new Set(['url', 'uri']);
/** Where a search looks, shown after its pattern (`grep "TODO" in src`). */
const scopeKeys = ['path', 'cwd', 'dir', 'directory'];
const searchKeys = new Set(['pattern', 'query', 'q']);

/** Longest JSON string parsed whole; beyond it only the first few keys are looked for. */
const maxParsedLength = 256 * 1024;
const leadingField =
  /"(command|cmd|pattern|query|url|uri|path|file_path|filePath|file|prompt|description)"\s*:\s*"((?:[^"\\]|\\.){0,400})/;

/**
 * A one-line summary of a call for people: the tool name and its main argument, at most
 * `maxWidth` columns (`read_file src/a.ts`, `grep "TODO" in src`, `task reviewer "Check auth"`).
 * Any input is accepted, a JSON string included; model-supplied text is stripped of escape
 * sequences and control characters, so the result can be written to a terminal as it is.
 */
export function describeCall(toolName: string, input: unknown, maxWidth: number): string {
  const width = Math.max(0, Math.floor(Number.isFinite(maxWidth) ? maxWidth : 0));
  const name = sanitizeInline(String(toolName ?? '')) || '?';
  const parts = describeInput(name, parseCallInput(input));
  return layout(name, parts, width);
}

/**
 * A call's input as an object when it can be read as one: a JSON string is parsed (a huge one
 * only for its first few well-known fields); anything else is returned as it is.
 */
export function parseCallInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const trimmed = input.trim();
  if (!trimmed.startsWith('{')) return trimmed === '' ? undefined : input;
  if (trimmed.length <= maxParsedLength) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Not JSON after all: look for a field below.
    }
  }
  const field = leadingField.exec(trimmed.slice(0, 4096));
  if (!field) return undefined;
  try {
    return { [field[1] as string]: JSON.parse(`"${field[2]}"`) };
  } catch {
    return { [field[1] as string]: field[2] };
  }
}

function describeInput(toolName: string, input: unknown): Part[] {
  if (input === null || input === undefined) return [];
  if (typeof input !== 'object') return primitivePart(input, 'quoted');
  if (Array.isArray(input)) return [{ text: `[${input.length} items]`, kind: 'bare' }];
  const record = input as Record<string, unknown>;
  if (toolName === 'task') return taskParts(record);
  if (toolName === 'agent') return agentParts(record);
  for (const key of mainKeys) {
    const value = record[key];
    const kind: PartKind = pathKeys.has(key) ? 'path' : urlKeys.has(key) ? 'url' : 'quoted';
    const parts = primitivePart(value, kind);
    if (parts.length === 0) continue;
    if (searchKeys.has(key)) {
      const scope = scopeKeys.map((k) => primitivePart(record[k], 'path')[0]).find(Boolean);
      if (scope && scope.text !== '.') parts.push({ ...scope, lead: ' in ', optional: true });
    }
    return parts;
  }
  // Any other tool: its first simple field, as `key=value`.
  for (const [key, value] of Object.entries(record)) {
    const [part] = primitivePart(value, 'quoted');
    if (part)
      return [
        { text: `${sanitizeInline(key)}=`, kind: 'bare' },
        { ...part, lead: '' },
      ];
  }
  return [];
}

function taskParts(input: Record<string, unknown>): Part[] {
  const parts = primitivePart(input.agent, 'bare');
  const about = primitivePart(input.description, 'quoted');
  return parts.concat(about.length > 0 ? about : primitivePart(input.prompt, 'quoted'));
}

function agentParts(input: Record<string, unknown>): Part[] {
  const parts = primitivePart(input.action, 'bare');
  for (const key of ['agent', 'id', 'ids']) parts.push(...primitivePart(input[key], 'bare'));
  return parts.concat(primitivePart(input.prompt, 'quoted'));
}

/** A string, number or boolean as a part; a list of strings as its first and a count. */
function primitivePart(value: unknown, kind: PartKind): Part[] {
  if (typeof value === 'number' || typeof value === 'boolean') {
    return [{ text: String(value), kind: 'bare' }];
  }
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string');
    if (strings.length === 0) return [];
    const [first] = primitivePart(strings[0], kind);
    if (!first) return [];
    const more =
      strings.length > 1 ? [{ text: `+${strings.length - 1}`, kind: 'bare' as const }] : [];
    return [first, ...more];
  }
  if (typeof value !== 'string') return [];
  // Only the first part of a huge value can be shown: do not sanitize all of it.
  const text = sanitizeInline(value.length > 2000 ? value.slice(0, 2000) : value);
  if (text === '') return [];
  return [{ text, kind: kind === 'path' && /\s/.test(text) ? 'quoted' : kind }];
}

function render(part: Part, width?: number): string {
  const lead = part.lead ?? ' ';
  if (width === undefined)
    return part.kind === 'quoted' ? `${lead}"${part.text}"` : lead + part.text;
  const room = width - textWidth(lead);
  if (part.kind === 'quoted') return `${lead}"${truncateEnd(part.text, Math.max(1, room - 2))}"`;
  if (part.kind === 'path') return lead + truncateStart(part.text, Math.max(1, room));
  return lead + truncateEnd(part.text, Math.max(1, room));
}

/** Drops optional parts, then cuts the last part, then cuts the whole, until it fits. */
function layout(name: string, parts: Part[], width: number): string {
  let kept = parts;
  const full = (list: Part[]) => name + list.map((p) => render(p)).join('');
  while (textWidth(full(kept)) > width && kept.some((p) => p.optional)) {
    const last = kept.map((p) => p.optional).lastIndexOf(true);
    kept = kept.filter((_, i) => i !== last);
  }
  if (kept.length === 0 || textWidth(full(kept)) <= width) return truncateEnd(full(kept), width);
  const head =
    name +
    kept
      .slice(0, -1)
      .map((p) => render(p))
      .join('');
  const last = kept[kept.length - 1] as Part;
  const room = width - textWidth(head);
  // Too little room left to say anything useful about the last part: cut the whole line.
  if (room < textWidth(last.lead ?? ' ') + 4) return truncateEnd(full(kept), width);
  return head + render(last, room);
}
