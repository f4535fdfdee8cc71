import { textWidth } from '../progress/text-width.js';

/** A paste shown as one short label and edited as one character; its whole text is what is sent. */
export interface PastedBlock {
  readonly pasted: string;
  /** What the prompt shows instead, e.g. `[pasted 12 lines]`. */
  readonly label: string;
}

/** One thing the cursor steps over: a grapheme (`\n` breaks the line) or a collapsed paste. */
export type Unit = string | PastedBlock;

/** Columns a tab takes on the prompt: drawn as spaces, so the cursor math stays ours. */
const tabWidth = 4;

/**
 * Characters that draw nothing or change how the rest is drawn (controls, bidi overrides and
 * isolates, zero-width format characters standing alone): shown as `�` so nothing typed or pasted
 * can move the cursor, reorder the line or hide itself.
 */
const invisible = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u;

/** How a unit is drawn: its text, columns, and whether it stands for more (a paste label). */
export interface DisplayedUnit {
  text: string;
  width: number;
  placeholder: boolean;
}

export function displayUnit(unit: Unit): DisplayedUnit {
  if (typeof unit !== 'string') {
    return { text: unit.label, width: textWidth(unit.label), placeholder: true };
  }
  if (unit === '\t') return { text: ' '.repeat(tabWidth), width: tabWidth, placeholder: false };
  if (invisible.test(unit)) return { text: '\ufffd', width: 1, placeholder: false };
  return { text: unit, width: textWidth(unit), placeholder: false };
}

/** The text a unit stands for. */
export function unitText(unit: Unit): string {
  return typeof unit === 'string' ? unit : unit.pasted;
}
