import { describeValue, SalvoError } from '../../errors.js';

const marker = Symbol.for('salvo.config-error');

/**
 * A config file (`salvo.json`, `~/.salvo/settings.json` or the `--config` file) cannot be used.
 * The message is one line: the file, then what is wrong and what to change, for example
 * ``/repo/salvo.json: `maxConcurrency` must be a whole number from 1 and up, got `0` (number)``.
 */
export class ConfigError extends SalvoError {
  readonly [marker] = true;
  /** The file, as it was read (an absolute path). */
  readonly file: string;
  /** The dotted path of the bad field (`mcpServers.github.command`), or `''` for the whole file. */
  readonly field: string;

  /** `problem` follows `<file>: ` in the message; control characters in it are escaped. */
  constructor(file: string, field: string, problem: string, options?: { cause?: unknown }) {
    super(oneLine(`${file}: ${problem}`), options);
    this.file = file;
    this.field = field;
  }

  /** ``<file>: `<field>` must be <expected>, got <value>``. */
  static expected(file: string, field: string, expected: string, got: unknown): ConfigError {
    return new ConfigError(
      file,
      field,
      `\`${field}\` must be ${expected}, got ${describeValue(got)}`,
    );
  }

  static override isInstance(value: unknown): value is ConfigError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** Escapes line breaks and other control characters, so the message stays on one line. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}
