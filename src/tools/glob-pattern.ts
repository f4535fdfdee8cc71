import { ToolError } from './tool-error.js';

/** Options of {@link compileGlob}. */
export interface CompileGlobOptions {
  /** The glob: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}`, `**` for any number of folders. */
  pattern: string;
  /**
   * A pattern without `/` matches the file name at any depth (`*.ts` matches `src/a.ts`), as in
   * ripgrep's `-g` and `.gitignore`. Otherwise the pattern matches the whole relative path.
   * @default false
   */
  matchBase?: boolean;
}

/** A compiled glob. */
export interface CompiledGlob {
  /** Tests a `/`-separated path relative to where the glob applies. */
  regex: RegExp;
  /**
   * The leading folders without wildcards (`src/lib` for `src/lib/**\/*.ts`), `''` if none: a
   * walk can start there. Empty when brace alternatives start in different folders.
   */
  prefix: string;
}

const magic = /[*?[\]{}\\]/;
/** Brace expansion stops here: `{a,b}{c,d}...` can grow fast. */
const maxAlternatives = 256;

/**
 * Compiles a glob into a regular expression on relative paths.
 * @throws {ToolError} `invalid-pattern` for an absolute pattern or one that climbs with `..`.
 */
export function compileGlob(options: CompileGlobOptions): CompiledGlob {
  const { pattern, matchBase = false } = options;
  if (pattern === '') throw new ToolError('invalid-pattern', 'The glob pattern is empty.');
  if (pattern.startsWith('/')) {
    throw new ToolError(
      'invalid-pattern',
      `The glob \`${pattern}\` is absolute: patterns are relative to \`path\` (set \`path\` to choose the folder).`,
    );
  }
  const alternatives = expandBraces(pattern).map((alt) => segmentsOf(alt, pattern));
  const sources = alternatives.map((segments) => {
    const body = segmentsSource(segments);
    return matchBase && segments.length === 1 ? `(?:[^/]+/)*${body}` : body;
  });
  const prefixes = alternatives.map(literalPrefix);
  const prefix = prefixes.every((p) => p === prefixes[0]) ? (prefixes[0] ?? '') : '';
  return { regex: new RegExp(`^(?:${sources.join('|')})$`), prefix };
}

function segmentsOf(pattern: string, original: string): string[] {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new ToolError(
      'invalid-pattern',
      `The glob \`${original}\` climbs with \`..\`: set \`path\` to the folder to search instead.`,
    );
  }
  return segments.length === 0 ? ['**'] : segments;
}

function literalPrefix(segments: readonly string[]): string {
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (magic.test(segment)) break;
    literal.push(segment);
  }
  return literal.join('/');
}

function segmentsSource(segments: readonly string[]): string {
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
    } else {
      source += segmentSource(segment) + (last ? '' : '/');
    }
  });
  return source;
}

/** One path segment: `*` and `?` never cross a `/`. */
function segmentSource(segment: string): string {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '\\' && i + 1 < segment.length) {
      source += escapeRegex(segment[++i] as string);
    } else if (c === '*') {
      while (segment[i + 1] === '*') i++;
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else {
      source += escapeRegex(c);
    }
  }
  return source;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `a{b,c}d` -> `abd`, `acd`; nested braces too. A brace without a top-level comma stays as is. */
export function expandBraces(pattern: string): string[] {
  const out: string[] = [];
  const queue = [pattern];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    const brace = findBrace(current);
    if (!brace) {
      out.push(current.replace(/\\([{}])/g, '$1'));
      continue;
    }
    const { open, close, parts } = brace;
    for (const part of parts) {
      queue.push(current.slice(0, open) + part + current.slice(close + 1));
    }
    if (out.length + queue.length > maxAlternatives) {
      throw new ToolError(
        'invalid-pattern',
        `The glob \`${pattern}\` expands to more than ${maxAlternatives} alternatives.`,
      );
    }
  }
  return out;
}

/** The first `{...}` with a comma at its top level, and its comma-separated parts. */
function findBrace(text: string): { open: number; close: number; parts: string[] } | undefined {
  for (let open = 0; open < text.length; open++) {
    if (text[open] === '\\') {
      open++;
      continue;
    }
    if (text[open] !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let i = open; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '{') depth++;
      else if (c === ',' && depth === 1) commas.push(i);
      else if (c === '}' && --depth === 0) {
        if (commas.length === 0) break;
        const bounds = [open, ...commas, i];
        const parts = bounds.slice(0, -1).map((b, k) => text.slice(b + 1, bounds[k + 1]));
        return { open, close: i, parts };
      }
    }
  }
  return undefined;
}
