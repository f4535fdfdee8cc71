import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { describeJsonError } from './describe-json-error.js';

/**
 * Reads and parses one config file. Returns `undefined` when the file does not exist and is
 * optional; throws {@link ConfigError} when it cannot be read, is empty or is not valid JSON.
 * The value is not checked beyond being JSON.
 */
export function readConfigFile(
  file: string,
  { required = false, source }: { required?: boolean; source?: string } = {},
): { value: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT') {
      if (!required) return undefined;
      const given = source === undefined ? '' : ` (given with ${source})`;
      throw new ConfigError(file, '', `no such file${given}; check the path`, { cause: error });
    }
    throw new ConfigError(
      file,
      '',
      `cannot read the file: ${osReason(error)}; check that it is a readable file`,
      { cause: error },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark some editors write
  if (text.trim() === '') {
    throw new ConfigError(file, '', 'the file is empty; write `{}` at least');
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    throw new ConfigError(file, '', describeJsonError(text, error), { cause: error });
  }
}

/** `EACCES: permission denied` from `EACCES: permission denied, open '/x/salvo.json'`. */
function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^([A-Z0-9_]+: [^,]+)/.exec(message);
  return match?.[1] ?? message;
}
