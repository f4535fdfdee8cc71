import { Buffer } from 'node:buffer';
import { formatPath } from './input-schema.js';

/** The largest input accepted by default: 1 MiB of UTF-8. */
export const defaultMaxInputBytes = 1024 * 1024;

/** A call's arguments as an object, or a message telling the model what to fix. */
export type ParsedInput =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string };

/** Options of {@link parseToolInput}. */
export interface ParseToolInputOptions {
  /** The tool's name, used in messages for the model. */
  toolName: string;
  /**
   * The largest input accepted, in bytes of UTF-8 (for a host's object, an estimate of its JSON).
   * @default defaultMaxInputBytes (1 MiB)
   */
  maxInputBytes?: number;
}

/** Deeper input is refused so that no later recursive step (validation, JSON) can overflow. */
const maxDepth = 100;
/** Keys that pollute prototypes when input is merged into other objects. */
const isForbiddenKey = (key: string) => key === '__proto__' || key === 'constructor';

/**
 * Turns a call's raw arguments into an object. Providers send a JSON string (OpenAI sends `""`
 * for a tool without parameters), hosts may pass an object. Never throws: every problem becomes a
 * short message for the model saying what was wrong and what is expected.
 */
export function parseToolInput(raw: unknown, options: ParseToolInputOptions): ParsedInput {
  const { toolName, maxInputBytes = defaultMaxInputBytes } = options;
  const fail = (problem: string): ParsedInput => ({
    ok: false,
    message: `Invalid input for ${toolName}: ${problem}`,
  });

  let value: unknown;
  let budget = Number.POSITIVE_INFINITY;
  if (typeof raw === 'string') {
    // UTF-8 takes at least one byte per UTF-16 unit and at most three, so the exact count is
    // needed only between those bounds.
    if (raw.length > maxInputBytes) return fail(tooLargeMessage(raw.length, maxInputBytes));
    if (raw.length * 3 > maxInputBytes) {
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes > maxInputBytes) return fail(tooLargeMessage(bytes, maxInputBytes));
    }
    if (raw.trim() === '') return { ok: true, value: {} };
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'parse error';
      return fail(
        `the arguments are not valid JSON (${reason}). Send the arguments as one JSON object.`,
      );
    }
  } else if (raw === undefined) {
    return { ok: true, value: {} };
  } else {
    value = raw;
    // A parsed string was measured already; a host's object is measured during the walk.
    budget = maxInputBytes;
  }

  let problem: string | undefined;
  try {
    if (!isPlainObject(value)) {
      return fail(`arguments must be a JSON object of named parameters, got ${describe(value)}.`);
    }
    problem = checkTree(value, budget);
  } catch (error) {
    // A host's object with a throwing getter or a hostile proxy.
    const reason = error instanceof Error ? error.message.slice(0, 200) : typeof error;
    problem = `the arguments could not be read (${reason}).`;
  }
  return problem === undefined
    ? { ok: true, value: value as Record<string, unknown> }
    : fail(problem);
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

/**
 * Walks the input without recursion, looking for forbidden keys and excessive depth, and (for a
 * host's object) adding up an estimate of its JSON size that stops as soon as it passes `budget`.
 * Every element counts at least one byte, so the walk is bounded even for sparse arrays or
 * shared sub-objects.
 */
function checkTree(root: object, budget: number): string | undefined {
  const stack: Frame[] = [{ value: root, depth: 1, parent: undefined, key: undefined }];
  let size = 0;
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (frame.depth > maxDepth) {
      return `the arguments are nested more than ${maxDepth} levels deep; send a flatter object.`;
    }
    const container = frame.value;
    if (Array.isArray(container)) {
      size += 2;
      for (let i = 0; i < container.length; i++) {
        const item: unknown = container[i];
        size += 1 + sizeOf(item);
        if (size > budget) return tooLargeMessage(size, budget, 'over ');
        if (isWalkable(item))
          stack.push({ value: item, depth: frame.depth + 1, parent: frame, key: i });
      }
    } else {
      size += 2;
      for (const key of Object.keys(container)) {
        if (isForbiddenKey(key)) {
          return `the key "${key}" (at ${pathOf(frame, key)}) is not allowed; remove or rename it.`;
        }
        const item: unknown = (container as Record<string, unknown>)[key];
        size += key.length + 4 + sizeOf(item);
        if (size > budget) return tooLargeMessage(size, budget, 'over ');
        if (isWalkable(item))
          stack.push({ value: item, depth: frame.depth + 1, parent: frame, key });
      }
    }
  }
  return undefined;
}

/** The JSON size of a leaf, roughly; containers are counted when they are walked. */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) {
    return value.byteLength;
  }
  return 4;
}

/** Only arrays and plain objects are walked: other objects (Date, Map...) have no JSON keys. */
function isWalkable(value: unknown): value is object {
  return (
    typeof value === 'object' && value !== null && (Array.isArray(value) || isPlainObject(value))
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  // `Object.prototype` of any realm, or no prototype at all.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function pathOf(frame: Frame, key: string): string {
  const keys: Array<string | number> = [key];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
  return formatPath(keys.reverse());
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    // Models sometimes encode the object twice: `"{\"path\": \"a\"}"`.
    return value.trimStart().startsWith('{')
      ? 'a string holding JSON (send the object itself, not a string that encodes it)'
      : 'a string';
  }
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } })?.constructor
      ?.name;
    if (typeof name !== 'string' || name === '') return 'an object that is not plain';
    return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
  }
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

function tooLargeMessage(bytes: number, limit: number, qualifier = ''): string {
  return `the arguments are too large (${qualifier}${formatBytes(bytes)}; the limit is ${formatBytes(limit)}). Split the work into smaller calls.`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}
