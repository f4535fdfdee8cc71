import { parseDocument } from 'yaml';

/** A subagent the model can hand work to, read from a Markdown file with YAML frontmatter. */
export interface AgentDefinition {
  /** Letters, digits, `_` and `-` (1 to 64 of them); unique among the loaded definitions. */
  name: string;
  /** When to use this agent; shown to the model. */
  description: string;
  /** The Markdown body after the frontmatter: the subagent's system prompt. */
  prompt: string;
  /** Allowlist of tool names (a subset of the parent's); absent = all the parent's tools. */
  tools?: string[];
  /** Model id override. */
  model?: string;
  /** Most model turns the subagent may take: a whole number from 1. */
  maxTurns?: number;
  /** Deadline of the whole subagent run in milliseconds: a whole number from 1 to 2147483647. */
  timeoutMs?: number;
  /** The file the definition came from. */
  source: string;
}

/** Why a definition file was skipped (or, for an unknown field, what was ignored). */
export interface DefinitionProblem {
  file: string;
  /** The frontmatter field at fault, when there is one. */
  field?: string;
  message: string;
}

export type ParseAgentDefinitionResult =
  | { ok: true; definition: AgentDefinition; warnings: DefinitionProblem[] }
  | { ok: false; problem: DefinitionProblem };

/** Definition files larger than this (in UTF-8 bytes) are refused. */
export const maxAgentDefinitionBytes = 1024 * 1024;

export const agentNamePattern = /^[A-Za-z0-9_-]{1,64}$/;
const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;
const maxTimerMs = 2_147_483_647;

const knownFields = new Set(['name', 'description', 'tools', 'model', 'maxTurns', 'timeoutMs']);

/**
 * Parses one agent definition file: YAML frontmatter between a first line `---` and the next
 * `---` line, then the Markdown body as the system prompt. Never throws for the content: an
 * invalid file comes back as a problem naming the file, the field and what was expected. Unknown
 * fields are ignored and each reported as a warning.
 */
export function parseAgentDefinition(text: string, file: string): ParseAgentDefinitionResult {
  const fail = (message: string, field?: string): ParseAgentDefinitionResult => ({
    ok: false,
    problem: field === undefined ? { file, message } : { file, field, message },
  });

  if (typeof text !== 'string') return fail('expected the file text as a string');
  if (Buffer.byteLength(text, 'utf8') > maxAgentDefinitionBytes) {
    return fail(`file is larger than ${maxAgentDefinitionBytes} bytes; refused`);
  }

  const split = splitFrontmatter(text);
  if (!split.ok) return fail(split.message);

  const doc = parseDocument(split.frontmatter, {
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error', // no process warnings for odd keys: they are reported as fields
  });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const { line, column } = lineAndColumn(split.frontmatter, yamlError.pos[0]);
    // The frontmatter starts on the file's second line, after the opening `---`.
    return fail(`invalid YAML at line ${line + 1}, column ${column}: ${yamlError.message}`);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (data === null || data === undefined) data = {};
  if (!isPlainObject(data)) {
    return fail(`expected the frontmatter to be a mapping of fields, got ${describe(data)}`);
  }
  const fields = data as Record<string, unknown>;
  const has = (key: string) => Object.hasOwn(fields, key);

  // name
  const name = fields.name;
  if (!has('name') || name === null) return fail('required field is missing', 'name');
  if (typeof name !== 'string' || !agentNamePattern.test(name)) {
    return fail(
      `expected letters, digits, '_' or '-' (1 to 64 of them), got ${describe(name)}`,
      'name',
    );
  }

  // description
  const description = fields.description;
  if (!has('description') || description === null) {
    return fail('required field is missing', 'description');
  }
  if (typeof description !== 'string' || description.trim() === '') {
    return fail(`expected a non-empty string, got ${describe(description)}`, 'description');
  }

  // tools
  let tools: string[] | undefined;
  if (has('tools') && fields.tools !== null) {
    const parsed = parseTools(fields.tools);
    if (typeof parsed === 'string') return fail(parsed, 'tools');
    tools = parsed;
  }

  // model
  let model: string | undefined;
  if (has('model') && fields.model !== null) {
    if (typeof fields.model !== 'string' || fields.model.trim() === '') {
      return fail(`expected a non-empty model id, got ${describe(fields.model)}`, 'model');
    }
    model = fields.model.trim();
  }

  // maxTurns
  let maxTurns: number | undefined;
  if (has('maxTurns') && fields.maxTurns !== null) {
    const value = fields.maxTurns;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      return fail(`expected a whole number from 1 and up, got ${describe(value)}`, 'maxTurns');
    }
    maxTurns = value;
  }

  // timeoutMs
  let timeoutMs: number | undefined;
  if (has('timeoutMs') && fields.timeoutMs !== null) {
    const value = fields.timeoutMs;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxTimerMs) {
      return fail(
        `expected a whole number of milliseconds from 1 to ${maxTimerMs}, got ${describe(value)}`,
        'timeoutMs',
      );
    }
    timeoutMs = value;
  }

  const prompt = split.body.trim();
  if (prompt === '') {
    return fail(
      "the Markdown body after the frontmatter is empty; it is the agent's system prompt",
    );
  }

  const warnings: DefinitionProblem[] = doc.warnings.map((warning) => {
    const { line, column } = lineAndColumn(split.frontmatter, warning.pos[0]);
    return { file, message: `YAML at line ${line + 1}, column ${column}: ${warning.message}` };
  });
  for (const key of Object.keys(fields)) {
    if (!knownFields.has(key))
      warnings.push({ file, field: key, message: 'unknown field, ignored' });
  }

  const definition: AgentDefinition = {
    name,
    description: description.trim(),
    prompt,
    source: file,
  };
  if (tools !== undefined) definition.tools = tools;
  if (model !== undefined) definition.model = model;
  if (maxTurns !== undefined) definition.maxTurns = maxTurns;
  if (timeoutMs !== undefined) definition.timeoutMs = timeoutMs;
  return { ok: true, definition, warnings };
}

type Split = { ok: true; frontmatter: string; body: string } | { ok: false; message: string };

/** Splits `---\n<yaml>\n---\n<body>`; a BOM and CRLF line ends are accepted. */
function splitFrontmatter(text: string): Split {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = source.split(/\r?\n/);
  const isFence = (line: string | undefined) => line !== undefined && /^---[ \t]*$/.test(line);
  if (!isFence(lines[0])) {
    return {
      ok: false,
      message: "expected YAML frontmatter: a first line '---', the fields, then a '---' line",
    };
  }
  const close = lines.findIndex((line, index) => index > 0 && isFence(line));
  if (close === -1) {
    return { ok: false, message: "the frontmatter opened by '---' on line 1 is never closed" };
  }
  return {
    ok: true,
    frontmatter: lines.slice(1, close).join('\n'),
    body: lines.slice(close + 1).join('\n'),
  };
}

/** The tool allowlist, or a message saying what was expected. */
function parseTools(value: unknown): string[] | string {
  const expected = 'expected a list of tool names or a comma-separated string of them';
  let names: unknown[];
  if (typeof value === 'string') {
    names = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (names.length === 0) return `${expected}, got an empty string`;
  } else if (Array.isArray(value)) {
    names = value.map((item) => (typeof item === 'string' ? item.trim() : item));
  } else {
    return `${expected}, got ${describe(value)}`;
  }
  for (const item of names) {
    if (typeof item !== 'string' || !toolNamePattern.test(item)) {
      return `${expected}; each name is letters, digits, '_' or '-' (1 to 64 of them), got ${describe(item)}`;
    }
  }
  return [...new Set(names as string[])];
}

/** 1-based line and column of `offset` in `text` (lines split on `\n`). */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lastNewline = before.lastIndexOf('\n');
  return {
    line: before.split('\n').length,
    column: offset - lastNewline,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value as shown in a problem message: `"three"`, `0`, `a list`, `a mapping`, `nothing`. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
