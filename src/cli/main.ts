import { homedir } from 'node:os';
import { CommanderError } from 'commander';
import { SalvoError } from '../errors.js';
import { CliError, exitCodes, oneLine } from './cli-error.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the salvo command line and resolves with the exit code. Never throws: every problem is
 * one line on stderr (the stack only with `SALVO_DEBUG=1`).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const outcome = { exitCode: 0 };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one line (or the help/version text).
      return error.exitCode === 0 ? 0 : exitCodes.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`salvo: ${oneLine(error)}\n`);
      return error.exitCode;
    }
    const known = SalvoError.isInstance(error);
    io.stderr.write(`salvo: ${known ? '' : 'internal error: '}${oneLine(error)}\n`);
    if (io.env.SALVO_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    return known ? exitCodes.usage : exitCodes.failed;
  }
}

/** The process entry: real streams, real exit. */
export async function runMain(): Promise<void> {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    home: process.env.SALVO_HOME ?? homedir(),
  };
  // Nothing a model, a server or a file does may crash the process with a stack.
  process.on('unhandledRejection', (reason) => {
    io.stderr.write(`salvo: internal error: ${oneLine(reason)}\n`);
  });
  const code = await main(process.argv.slice(2), io);
  process.exitCode = code;
  // Let stdout drain, then leave even if a server or a timer still holds the loop.
  const exit = () => process.exit(code);
  if (process.stdout.writableNeedDrain) process.stdout.once('drain', exit);
  else setImmediate(exit);
}
