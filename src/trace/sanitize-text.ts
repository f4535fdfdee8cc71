/**
 * Text from the model or from tools (inputs, progress messages, error messages) must never drive
 * the terminal: an escape sequence could move the cursor, clear the screen or retitle the window,
 * and a newline would break the live block's line count. These helpers take such text apart.
 */

const esc = '\\u001b';
const escapeSequences = new RegExp(
  [
    `${esc}\\[[0-?]*[ -/]*[@-~]`, // CSI: cursor moves, erases, colors
    `${esc}\\][^\\u0007\\u001b]*(?:\\u0007|${esc}\\\\)?`, // OSC: titles, hyperlinks (terminated or not)
    `${esc}[PX^_][^\\u001b]*(?:${esc}\\\\)?`, // DCS, SOS, PM, APC strings
    `${esc}[ -/]*[0-~]`, // two- and three-byte escapes (ESC c resets the terminal)
    '\\u009b[0-?]*[ -/]*[@-~]', // 8-bit CSI
    '\\u009d[^\\u0007\\u009c]*[\\u0007\\u009c]?', // 8-bit OSC
  ].join('|'),
  'g',
);
const sgrSequence = new RegExp(`^${esc}\\[[0-9;:]*m$`);
/** C0 and C1 controls, DEL, bidi overrides and isolates, line and paragraph separators. */
const controls =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const whitespace = /[\t\n\v\f\r \u00a0\u2028\u2029]+/g;

/**
 * One line of plain, harmless text: escape sequences removed, whitespace (newlines included)
 * collapsed to single spaces, control and bidi-override characters dropped, broken surrogate
 * pairs replaced. Never longer than `text`.
 */
export function sanitizeInline(text: string): string {
  return text
    .replace(escapeSequences, '')
    .replace(whitespace, ' ')
    .replace(controls, '')
    .replace(loneSurrogates, '\ufffd')
    .trim();
}

/**
 * Text for permanent output: keeps newlines, tabs and color (SGR) sequences, drops every other
 * escape sequence and control character (carriage returns included: they move the cursor).
 */
export function sanitizeForTerminal(text: string): string {
  return (
    text
      .replace(/\r\n/g, '\n')
      .replace(escapeSequences, (sequence) => (sgrSequence.test(sequence) ? sequence : ''))
      .replace(controls, (c) => (c === '\n' || c === '\t' || c === '\u001b' ? c : ''))
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a lone ESC is what is removed
      .replace(/\u001b(?!\[[0-9;:]*m)/g, '')
      .replace(loneSurrogates, '\ufffd')
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: color sequences start with ESC
const colorSequences = /\u001b\[[0-9;:]*m/g;

/** `text` without its color (SGR) sequences. */
export function stripColors(text: string): string {
  return text.replace(colorSequences, '');
}

/**
 * Text from a model or a tool for permanent output: `sanitizeForTerminal` without the colors
 * either, so no attribute it sets (concealed, black on black) can hide what follows it.
 */
export function sanitizePlain(text: string): string {
  return stripColors(sanitizeForTerminal(text));
}
