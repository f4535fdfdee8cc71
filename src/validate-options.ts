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

/** Throws unless `value` is a finite number greater than zero. */
export function assertPositiveMs(option: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InvalidOptionError(option, 'a finite number of milliseconds above 0', value);
  }
}
