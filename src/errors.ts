const marker = Symbol.for('salvo.error');

/**
 * Base class of every error salvo throws at a developer. Errors that reach the model travel as
 * results, never as thrown exceptions.
 */
export class SalvoError extends Error {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  static isInstance(value: unknown): value is SalvoError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** A constructor or function option has the wrong type or value. */
export class InvalidOptionError extends SalvoError {
  readonly option: string;

  constructor(option: string, expected: string, got: unknown) {
    super(`Expected \`${option}\` to be ${expected}, got ${describeValue(got)}`);
    this.option = option;
  }
}

/** `value` rendered for an error message: `0` (number), `"x"` (string), an object's kind. */
export function describeValue(value: unknown): string {
  if (value === null) return '`null`';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return `\`${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}\` (string)`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `\`${String(value)}\` (${typeof value})`;
    case 'undefined':
      return '`undefined`';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}
