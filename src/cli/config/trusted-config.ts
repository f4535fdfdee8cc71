import { createInterface } from 'node:readline/promises';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.js';
import { rememberTrust } from './project-trust.js';

/**
 * Loads the config, and settles whether the project's `salvo.json` may do what needs trust
 * (lower safety, start MCP servers, redirect the API key): trusted before, `--trust-project`,
 * or asked now on a terminal (the answer is remembered per folder in `~/.salvo/`). Without a
 * terminal to ask, a folder never answered for is refused in one line naming the flag; one the
 * user said no to runs without those settings, with a warning.
 */
export async function loadTrustedConfig(
  options: LoadConfigOptions,
  io: CliIo,
  canAsk: boolean,
): Promise<LoadedConfig> {
  const loaded = loadConfig(options);
  const untrusted = loaded.untrusted;
  if (!untrusted) return loaded;
  const what = untrusted.fields.join(', ');
  const ignored = () => {
    io.stderr.write(
      `salvo: warning: ${sanitizeInline(untrusted.file)} is not applied in full (this folder is not trusted): ${sanitizeInline(what)}; pass --trust-project to apply it\n`,
    );
    return loaded;
  };
  if (untrusted.answered) return ignored();
  if (!canAsk) {
    throw new CliError(
      `${untrusted.file} sets ${what}, which salvo applies only in a folder you trust: run salvo here once on a terminal to answer, or pass --trust-project`,
    );
  }
  const yes = await askYesNo(
    io,
    [
      `${untrusted.file} asks for:`,
      ...untrusted.fields.map((f) => `  - ${f}`),
      `Trust ${untrusted.folder} and apply them (remembered in ~/.salvo/trusted-folders.json)? [y/N] `,
    ]
      .map((line) => sanitizeInline(line))
      .join('\n'),
  );
  rememberTrust(options.home, untrusted.folder, yes, untrusted.settings);
  if (!yes) return ignored();
  return loadConfig({ ...options, trustProject: true });
}

async function askYesNo(io: CliIo, question: string): Promise<boolean> {
  const reader = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    const answer = await reader.question(`\u001b[0m${question}`);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    reader.close();
  }
}
