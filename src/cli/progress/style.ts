import { cutToWidth, textWidth } from './text-width.js';

export type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'cyan';

/** A piece of a line: plain, already sanitized text and how to color it. */
export interface Segment {
  text: string;
  style?: Style;
}

const codes: Record<Style, readonly [string, string]> = {
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
};

/** Total columns of the segments. */
export function segmentsWidth(segments: readonly Segment[]): number {
  let total = 0;
  for (const segment of segments) total += textWidth(segment.text);
  return total;
}

/**
 * Joins segments into one line of at most `width` columns (cut with `…` in the style of the
 * segment that was cut), colored only when `color` is set. Colors are applied after cutting,
 * so they never count against the width nor get cut in half.
 */
export function renderSegments(
  segments: readonly Segment[],
  width: number,
  color: boolean,
): string {
  const fitted: Segment[] = [];
  if (segmentsWidth(segments) <= width) fitted.push(...segments);
  else if (width > 0) {
    let budget = width - 1;
    for (const segment of segments) {
      const w = textWidth(segment.text);
      if (w <= budget) {
        fitted.push(segment);
        budget -= w;
        continue;
      }
      fitted.push({ ...segment, text: `${cutToWidth(segment.text, budget)}…` });
      break;
    }
  }
  let out = '';
  for (const { text, style } of fitted) {
    if (text === '') continue;
    out += color && style ? `${codes[style][0]}${text}${codes[style][1]}` : text;
  }
  return out;
}
