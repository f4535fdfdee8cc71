import { Command, InvalidArgumentError, Option } from 'commander';
import { approvalModes } from '../approval/approval.js';
import { demoCommand } from './commands/demo.js';
import { mcpToolsCommand } from './commands/mcp-tools.js';
import { runCommand } from './commands/run.js';
import { traceCommand } from './commands/trace.js';
import type { CliIo } from './io.js';
import { providerNames } from './provider.js';

/** The options every agent-running command takes, as commander parses them. */
export interface AgentFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
  approval?: string;
  maxConcurrency?: number;
  maxSubagents?: number;
  maxSteps?: number;
  trace?: string;
  transcript?: string;
  json?: boolean;
  cwd?: string;
  config?: string;
}

export const version = '0.1.0';

function count(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new InvalidArgumentError(`${flag} takes a whole number from 1 and up.`);
    }
    return Number(value);
  };
}

function traceFile(value: string): string {
  if (!/\.(html?|json)$/i.test(value)) {
    throw new InvalidArgumentError('the trace file name must end in .html or .json.');
  }
  return value;
}

function addProjectOptions(command: Command): Command {
  return command
    .option('-C, --cwd <dir>', 'the project directory (default: the current one)')
    .option('--config <file>', 'a config file read after salvo.json and ~/.salvo/settings.json');
}

function addAgentOptions(command: Command): Command {
  return addProjectOptions(command)
    .addOption(new Option('--provider <name>', 'the model provider').choices(providerNames))
    .option('-m, --model <id>', 'the model id (claude-sonnet-4-5, gpt-4.1, qwen3:8b...)')
    .option('--base-url <url>', 'the API server (OPENAI_BASE_URL / ANTHROPIC_BASE_URL)')
    .addOption(
      new Option('--approval <mode>', 'which calls ask first (default: ask)').choices(
        approvalModes,
      ),
    )
    .option('--max-concurrency <n>', 'tool calls running at once', count('--max-concurrency'))
    .option('--max-subagents <n>', 'subagents running at once', count('--max-subagents'))
    .option('--max-steps <n>', 'model requests per prompt (default: 20)', count('--max-steps'))
    .option(
      '--trace <file>',
      'write the run trace: out.html (report) or out.json (Perfetto)',
      traceFile,
    )
    .option('--transcript <file>', 'where to save the transcript (default: ~/.salvo/sessions/)')
    .option('--json', 'machine-readable events on stdout, one JSON object per line');
}

/**
 * The `salvo` command line. Errors are thrown (`exitOverride`), never printed with a stack: the
 * caller prints one line and exits.
 */
export function buildProgram(io: CliIo, outcome: { exitCode: number }): Command {
  const done = (code: number) => {
    outcome.exitCode = code;
  };
  const program = new Command('salvo')
    .description('An agent that runs its tool calls and subagents in parallel, safely.')
    .version(version, '-v, --version')
    .showSuggestionAfterError(true)
    // `salvo run -m x`: options after a command name belong to that command.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line: commander puts its suggestion on a line of its own.
      outputError: (text, write) => write(`${text.replace(/\s*\n\s*(?=\S)/g, ' ').trimEnd()}\n`),
    });

  addAgentOptions(program).action(async (flags: AgentFlags) =>
    done(await runCommand(undefined, flags, io)),
  );

  addAgentOptions(
    program
      .command('run')
      .description('run one prompt to completion ("-" reads it from stdin)')
      .argument('<prompt...>', 'what to do'),
  ).action(async (words: string[], flags: AgentFlags) =>
    done(await runCommand(words.join(' '), flags, io)),
  );

  program
    .command('demo')
    .description(
      'a code review with subagents and MCP servers, one call at a time and then with salvo; needs no API key',
    )
    .option(
      '--trace <file>',
      'the HTML report of the salvo run (default: in the temp folder)',
      traceFile,
    )
    .option('--speed <x>', 'how fast the scripted model writes (2 = twice as fast)', parseSpeed)
    .option('--json', 'the timings as one JSON object on stdout')
    .action(async (flags) => done(await demoCommand(flags, io)));

  program
    .command('trace')
    .description('render a saved trace (out.html or out.json) in the terminal')
    .argument('<file>', 'a trace written with --trace')
    .option('--width <n>', 'columns for the bars', count('--width'))
    .action(async (file: string, flags: { width?: number }) =>
      done(await traceCommand(file, flags, io)),
    );

  const mcp = program.command('mcp').description('MCP servers from the config');
  addProjectOptions(
    mcp
      .command('tools')
      .description("list the servers' tools with the claims and approval salvo derives")
      .option('--json', 'the listing as JSON'),
  ).action(async (flags) => done(await mcpToolsCommand(flags, io)));

  return program;
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) {
    throw new InvalidArgumentError('--speed takes a number above 0, such as 2 or 0.5.');
  }
  return speed;
}
