import { type AST, RegExpParser } from '@eslint-community/regexpp';

/**
 * The characters JavaScript's `\s` matches but `\n` (a line has none), U+2028 and U+2029
 * included: ripgrep's Unicode `\s` differs (it has U+0085, not U+FEFF).
 */
const jsSpace =
  '\\t\\x{B}\\x{C}\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const jsWord = '0-9A-Za-z_';
const jsDigit = '0-9';
const astral = '\\x{10000}-\\x{10FFFF}';

/** Translating gives up here: the pattern is searched without ripgrep. */
class Untranslatable extends Error {}

const parser = new RegExpParser({ ecmaVersion: 2025 });

/**
 * A ripgrep (Rust) regular expression that matches every line the JavaScript `pattern` matches
 * (flags `i` when `ignoreCase`, else none), and maybe more: ripgrep only finds the files worth
 * reading, and the JavaScript pattern then decides line by line. So where the two syntaxes or
 * semantics differ, the translation errs on the side of matching:
 * - lookarounds match anywhere and backreferences match any text (ripgrep has neither);
 * - JavaScript matches UTF-16 code units, ripgrep whole characters: what can match a lone half
 *   of a character beyond U+FFFF (`.`, `[^a]`, `\S`) may match nothing or the whole character;
 * - `$` also matches before a line's final `\r` (the JavaScript side matches lines without it);
 * - with `ignoreCase`, ripgrep's Unicode case folding, and negated sets match any character.
 * `\d`, `\w`, `\s` and `\b` keep JavaScript's meaning. Returns undefined when a pattern is
 * better searched without ripgrep (a lone surrogate, an empty class, a `\n`, ...), or does not
 * compile in JavaScript.
 */
export function toRipgrepPattern(pattern: string, ignoreCase: boolean): string | undefined {
  let ast: AST.Pattern;
  try {
    ast = parser.parsePattern(pattern, 0, pattern.length, { unicode: false });
  } catch {
    return undefined;
  }
  try {
    const body = alternatives(ast.alternatives, { ignoreCase });
    return ignoreCase ? `(?i)${body}` : body;
  } catch (error) {
    if (error instanceof Untranslatable) return undefined;
    throw error;
  }
}

interface Context {
  ignoreCase: boolean;
}

function alternatives(list: readonly AST.Alternative[], ctx: Context): string {
  return list.map((alt) => sequence(alt.elements, ctx)).join('|');
}

function sequence(elements: readonly AST.Element[], ctx: Context): string {
  let out = '';
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i] as AST.Element;
    const next = elements[i + 1];
    // A character beyond U+FFFF written as itself is two code units in JavaScript: one character.
    if (element.type === 'Character' && isHighSurrogate(element.value)) {
      if (next?.type === 'Character' && isLowSurrogate(next.value)) {
        out += literal(combine(element.value, next.value));
        i++;
        continue;
      }
      throw new Untranslatable();
    }
    out += elementSource(element, ctx);
  }
  return out;
}

function elementSource(element: AST.Element, ctx: Context): string {
  switch (element.type) {
    case 'Character':
      if (isSurrogate(element.value) || element.value === 0x0a) throw new Untranslatable();
      return literal(element.value);
    case 'CharacterSet':
      return characterSet(element, ctx);
    case 'CharacterClass':
      return characterClass(element, ctx);
    case 'Assertion':
      return assertion(element);
    case 'Group':
      if (element.modifiers) throw new Untranslatable();
      return `(?:${alternatives(element.alternatives, ctx)})`;
    case 'CapturingGroup':
      return `(?:${alternatives(element.alternatives, ctx)})`;
    case 'Backreference':
      // Whatever the group captured: some text of the line.
      return '(?:.*)';
    case 'Quantifier': {
      if (
        element.element.type === 'Character' &&
        (isSurrogate(element.element.value) || element.element.value === 0x0a)
      ) {
        throw new Untranslatable();
      }
      const inner = elementSource(element.element, ctx);
      const max = element.max === Number.POSITIVE_INFINITY ? '' : String(element.max);
      const bounds =
        element.min === 0 && max === ''
          ? '*'
          : element.min === 1 && max === ''
            ? '+'
            : element.min === 0 && max === '1'
              ? '?'
              : element.min === element.max
                ? `{${element.min}}`
                : `{${element.min},${max}}`;
      return `(?:${inner})${bounds}`;
    }
    default:
      throw new Untranslatable();
  }
}

function assertion(node: AST.Assertion): string {
  switch (node.kind) {
    case 'start':
      return '^';
    case 'end':
      // The JavaScript side matches a line without its final `\r`.
      return '(?:\\r?$)';
    case 'word':
      // JavaScript's `\b` is ASCII; so is ripgrep's without Unicode, on the line's bytes.
      return node.negate ? '(?-u:\\B)' : '(?-u:\\b)';
    default:
      // Lookarounds: no such thing in ripgrep, so no constraint.
      return '(?:)';
  }
}

/** `.`, `\d`, `\w`, `\s` and their negations, outside a class. */
function characterSet(node: AST.CharacterSet, ctx: Context): string {
  if (node.kind === 'any') return '(?:.?)';
  if (node.kind === 'property') throw new Untranslatable();
  const set = escapeSet(node.kind);
  if (!node.negate) return `[${set}]`;
  // A negated set can match half of a character beyond U+FFFF; with `i`, ripgrep's folding
  // would take out more than JavaScript's.
  return ctx.ignoreCase ? '(?:.?)' : `(?:[^${set}])?`;
}

function escapeSet(kind: 'digit' | 'space' | 'word'): string {
  return kind === 'digit' ? jsDigit : kind === 'word' ? jsWord : jsSpace;
}

function characterClass(node: AST.CharacterClass, ctx: Context): string {
  if (node.unicodeSets) throw new Untranslatable();
  const items: string[] = [];
  /** True when the class can match a lone surrogate: half of a character beyond U+FFFF. */
  let halves = false;
  for (const element of node.elements as AST.ClassRangesCharacterClassElement[]) {
    if (element.type === 'Character') {
      if (isSurrogate(element.value)) halves = true;
      else items.push(classChar(element.value));
    } else if (element.type === 'CharacterClassRange') {
      const parts = withoutSurrogates(element.min.value, element.max.value);
      if (parts.surrogates) halves = true;
      for (const [from, to] of parts.ranges) {
        items.push(from === to ? classChar(from) : `${classChar(from)}-${classChar(to)}`);
      }
    } else if (element.type === 'CharacterSet' && element.kind !== 'property') {
      const set = escapeSet(element.kind);
      if (element.negate) {
        halves = true;
        items.push(`[^${set}]`);
      } else {
        items.push(set);
      }
    } else {
      throw new Untranslatable();
    }
  }
  if (node.negate) {
    // `[^]` matches any code unit; a negated class matches the characters beyond U+FFFF too.
    if (items.length === 0 || ctx.ignoreCase) return '(?:.?)';
    return `(?:[^${items.join('')}])?`;
  }
  if (halves) return `(?:[${items.join('')}${astral}])?`;
  if (items.length === 0) throw new Untranslatable(); // `[]` matches nothing
  return `[${items.join('')}]`;
}

/** The parts of a range of code units that are characters, and whether it has surrogates. */
function withoutSurrogates(
  from: number,
  to: number,
): { ranges: [number, number][]; surrogates: boolean } {
  const ranges: [number, number][] = [];
  if (from < 0xd800) ranges.push([from, Math.min(to, 0xd7ff)]);
  if (to > 0xdfff) ranges.push([Math.max(from, 0xe000), to]);
  return { ranges, surrogates: from <= 0xdfff && to >= 0xd800 };
}

/** A character outside a class: letters and digits as they are, the rest as `\x{...}`. */
function literal(code: number): string {
  return /[A-Za-z0-9]/.test(String.fromCodePoint(code))
    ? String.fromCodePoint(code)
    : `\\x{${code.toString(16).toUpperCase()}}`;
}

/** A character inside a class: the same (ripgrep takes line breaks out of classes itself). */
const classChar = literal;

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function combine(high: number, low: number): number {
  return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
}
