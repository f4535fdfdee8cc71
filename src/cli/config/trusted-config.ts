import { createInterface } from 'node:readline/promises';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { CliError, oneLine } from '../cli-error.js';
import type { CliIo } from '../io.js';
import {
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  type UntrustedSettings,
} from './load-config.js';
import { rememberTrust } from './project-trust.js';

/** The config a command loads in `cwd`, from its `--config` and `--trust-project` flags. */
export function commandConfigOptions(
  cwd: string,
  io: CliIo,
  flags: { config?: string | undefined; trustProject?: boolean | undefined },
): LoadConfigOptions {
  return {
    cwd,
    home: io.home,
    ...(flags.config ? { file: flags.config } : {}),
    ...(flags.trustProject ? { trustProject: true } : {}),
  };
}

/**
 * Loads the config, and settles whether the project's files (`salvo.json` and `.mcp.json`, in
 * the project folder or above it up to the git root) may do what needs trust (lower safety,
 * start MCP servers, redirect the API key): trusted before, `--trust-project`, or asked now on a
 * terminal, once for every folder not answered yet (the answer is remembered per folder in
 * `~/.salvo/`). Without a terminal to ask, a folder never answered for is refused in one line
 * naming the flag; one the user said no to runs without those settings, with a warning. The
 * loader's warnings (a `.mcp.json` server left out) are written to stderr.
 */
export async function loadTrustedConfig(
  options: LoadConfigOptions,
  io: CliIo,
  canAsk: boolean,
): Promise<LoadedConfig> {
  const withEnv: LoadConfigOptions = { env: io.env, ...options };
  const loaded = loadConfig(withEnv);
  const pending = loaded.untrusted.filter((u) => !u.answered);
  if (pending.length === 0) return finish(loaded, io);
  if (!canAsk) {
    const what = pending.map((u) => `${u.file} sets ${u.fields.join(', ')}`).join('; ');
    throw new CliError(
      `${what}, which salvo applies only in a folder you trust: run salvo here once on a terminal to answer, or pass --trust-project`,
    );
  }
  const folders = [...new Set(pending.map((u) => u.folder))];
  const yes = await askYesNo(
    io,
    [
      ...pending.flatMap((u) => [`${u.file} asks for:`, ...u.fields.map((f) => `  - ${f}`)]),
      `Trust ${folders.join(' and ')} and apply them (remembered in ~/.salvo/trusted-folders.json)? [y/N] `,
    ]
      .map((line) => sanitizeInline(line))
      .join('\n'),
  );
  for (const folder of folders) {
    const settings = pending.find((u) => u.folder === folder)?.settings;
    try {
      rememberTrust(options.home, folder, yes, settings);
    } catch (error) {
      io.stderr.write(`salvo: warning: could not remember the answer: ${oneLine(error)}\n`);
    }
  }
  // Loaded again with the answer as given, whether or not it could be remembered.
  return finish(loadConfig({ ...withEnv, ...(yes ? { trustedFolders: folders } : {}) }), io, true);
}

/** Writes the loader's warnings and says which files apply only in part. */
function finish(loaded: LoadedConfig, io: CliIo, asked = false): LoadedConfig {
  for (const line of loaded.warnings) io.stderr.write(`salvo: warning: ${sanitizeInline(line)}\n`);
  const ignored: UntrustedSettings[] = asked
    ? loaded.untrusted
    : loaded.untrusted.filter((u) => u.answered);
  for (const u of ignored) {
    io.stderr.write(
      `salvo: warning: ${sanitizeInline(u.file)} is not applied in full (this folder is not trusted): ${sanitizeInline(u.fields.join(', '))}; pass --trust-project to apply it\n`,
    );
  }
  return loaded;
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
