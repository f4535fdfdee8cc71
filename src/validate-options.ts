import { InvalidOptionError } from './errors.js';

/** Throws unless `value` is a whole number from `min` and up, or `Infinity` when allowed. */
export function assertCount(
  option: string,
  value: unknown,
  { min = 1, allowInfinity = true }: { min?: number; allowInfinity?: boolean } = {},
): asserts value is number {
  const ok =
    typeof value === 'number' &&
    ((Number.isInteger(value) && value >= min) || (allowInfinity && value === Infinity));
  if (!ok) throw new InvalidOptionError(option, `a number from ${min} and up`, value);
}

/** The longest delay a Node timer can hold (about 24.8 days); longer ones fire at once. */
export const maxTimerMs = 2_147_483_647;

/**
 * Throws unless `value` is a number of milliseconds above 0 that a timer can hold, or
 * `Infinity` (no timeout).
 */
export function assertTimeoutMs(option: string, value: unknown): asserts value is number {
  const ok =
    typeof value === 'number' && ((value > 0 && value <= maxTimerMs) || value === Infinity);
  if (!ok) {
    throw new InvalidOptionError(
      option,
      `milliseconds from 1 to ${maxTimerMs} (about 24.8 days), or Infinity for no timeout`,
      value,
    );
  }
}
