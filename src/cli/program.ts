import { Command, InvalidArgumentError, Option } from 'commander';
import { approvalModes } from '../approval/approval.js';
import { CliError } from './cli-error.js';
// The commands load when they run: `salvo --version` and `--help` need none of their modules.
import type { demoCommand } from './commands/demo.js';
import type { mcpLoginCommand } from './commands/mcp-login.js';
import type { mcpToolsCommand } from './commands/mcp-tools.js';
import { closestName } from './config/closest-name.js';
import type { CliIo } from './io.js';
import { providerNames } from './provider-names.js';

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
  trustProject?: boolean;
  thinking?: number | true;
  sandbox?: string;
  sandboxNetwork?: boolean;
  /** `-c`: carry on the last session of this folder. */
  continue?: boolean;
  /** `--resume [id]`: a session by id, or `true` to pick one. */
  resume?: string | true;
  /** `-p "<prompt>"`: print mode, the answer alone on stdout. */
  print?: string;
  /** `--redis <url>`: subagents run on `salvo worker`s through this Redis. */
  redis?: string;
}

export interface WorkerFlags {
  redis: string;
  concurrency?: number;
  provider?: string;
  model?: string;
  baseUrl?: string;
  approval?: string;
  cwd?: string;
  config?: string;
  trustProject?: boolean;
  sandbox?: string;
  sandboxNetwork?: boolean;
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

function thinkingBudget(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1024) {
    throw new InvalidArgumentError(
      '--thinking takes a budget in tokens, 1024 and up (or nothing).',
    );
  }
  return Number(value);
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
    .option('--config <file>', 'a config file read after salvo.json and ~/.salvo/settings.json')
    .option(
      '--trust-project',
      "apply the project's salvo.json in full (approval mode, MCP servers...) without asking",
    );
}

function addAgentOptions(command: Command): Command {
  return addProjectOptions(command)
    .addOption(new Option('--provider <name>', 'the model provider').choices(providerNames))
    .option('-m, --model <id>', 'the model id (claude-sonnet-5-5, gpt-4.1, qwen3:8b...)')
    .option(
      '--thinking [budget]',
      'let the model reason first: a budget in tokens (default 8000; Anthropic), or an effort for OpenAI reasoning models',
      thinkingBudget,
    )
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
    .addOption(
      new Option(
        '--sandbox <mode>',
        'shell commands: workspace (bubblewrap: only the project writable, no network) or off (default: workspace where bwrap works)',
      ).choices(['workspace', 'off']),
    )
    .option('--sandbox-network', 'let sandboxed shell commands use the network')
    .option('-c, --continue', 'carry on the last session of this folder')
    .option('--resume [id]', 'carry on a saved session (without an id: pick one of this folder)')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .option(
      '--redis <url>',
      'run subagents on `salvo worker` processes through this Redis (redis://host:port)',
    );
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
    // `salvo run -m x`: options after a command name belong to that command. Options before it
    // belong to the root and reach the command through `withRootFlags`.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, `salvo: ` like salvo's own errors: commander starts with `error: ` and puts
      // its suggestion on a line of its own.
      outputError: (text, write) =>
        write(
          `${text
            .replace(/^error: /, 'salvo: ')
            .replace(/\s*\n\s*(?=\S)/g, ' ')
            .trimEnd()}\n`,
        ),
    });

  // Interactive mode. A word here is no command (the commands are dispatched before): a typo or
  // a prompt without `run`.
  addAgentOptions(program)
    .option(
      '-p, --print <prompt>',
      'run one prompt and print the answer alone on stdout (calls and status on stderr; "-" reads stdin)',
    )
    .action(async (flags: AgentFlags, command: Command) => {
      const [word] = command.args;
      if (word !== undefined) {
        throw unknownCommand(
          program,
          word,
          'to send a prompt: salvo run "<prompt>" or salvo -p "<prompt>"',
        );
      }
      const { runCommand } = await import('./commands/run.js');
      if (flags.print !== undefined) {
        done(await runCommand(flags.print, flags, io, 'print'));
        return;
      }
      done(await runCommand(undefined, flags, io));
    });

  addAgentOptions(
    program
      .command('run')
      .description('run one prompt to completion ("-" reads it from stdin)')
      .argument('<prompt...>', 'what to do'),
  ).action(async (words: string[], _flags: AgentFlags, command: Command) => {
    const { runCommand } = await import('./commands/run.js');
    done(await runCommand(words.join(' '), withRootFlags<AgentFlags>(command, 'all'), io));
  });

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
    .action(async (_flags: DemoFlags, command: Command) => {
      const { demoCommand } = await import('./commands/demo.js');
      done(await demoCommand(withRootFlags<DemoFlags>(command, ['trace', 'json']), io));
    });

  addProjectOptions(
    program
      .command('worker')
      .description(
        'run subagents for `salvo run --redis` coordinators: this folder, its tools, your model',
      )
      .requiredOption('--redis <url>', 'the Redis the coordinators use (redis://host:port)')
      .option(
        '--concurrency <n>',
        'subagents at once on this worker (default: 4)',
        count('--concurrency'),
      )
      .addOption(new Option('--provider <name>', 'the model provider').choices(providerNames))
      .option('-m, --model <id>', 'the model id')
      .option('--base-url <url>', 'the API server (OPENAI_BASE_URL / ANTHROPIC_BASE_URL)')
      .addOption(
        new Option(
          '--approval <mode>',
          'which calls may run: nobody is there to ask, so asked ones are denied (default: ask)',
        ).choices(approvalModes),
      )
      .addOption(
        new Option('--sandbox <mode>', 'shell commands: workspace or off').choices([
          'workspace',
          'off',
        ]),
      )
      .option('--sandbox-network', 'let sandboxed shell commands use the network'),
  ).action(async (_flags: WorkerFlags, command: Command) => {
    const { workerCommand } = await import('./commands/worker.js');
    done(
      await workerCommand(
        withRootFlags<WorkerFlags>(command, [
          'cwd',
          'config',
          'trustProject',
          'provider',
          'model',
          'baseUrl',
          'approval',
          'sandbox',
          'sandboxNetwork',
          'redis',
        ]),
        io,
      ),
    );
  });

  program
    .command('trace')
    .description('render a saved trace (out.html or out.json) in the terminal')
    .argument('<file>', 'a trace written with --trace')
    .option('--width <n>', 'columns for the bars', count('--width'))
    .action(async (file: string, _flags: { width?: number }, command: Command) => {
      const { traceCommand } = await import('./commands/trace.js');
      done(await traceCommand(file, withRootFlags<{ width?: number }>(command, []), io));
    });

  const mcp = program.command('mcp').description('MCP servers from the config');
  addProjectOptions(
    mcp
      .command('tools')
      .description("list the servers' tools with the claims and approval salvo derives")
      .option('--json', 'the listing as JSON'),
  ).action(async (_flags: McpToolsFlags, command: Command) => {
    const { mcpToolsCommand } = await import('./commands/mcp-tools.js');
    done(
      await mcpToolsCommand(
        withRootFlags<McpToolsFlags>(command, ['cwd', 'config', 'json', 'trustProject']),
        io,
      ),
    );
  });
  addProjectOptions(
    mcp
      .command('login')
      .description(
        'log in to a remote server that asks for OAuth (a browser, or a printed URL); tokens go to ~/.salvo/mcp-tokens.json',
      )
      .argument('<server>', 'the server name in mcpServers')
      .option('--no-browser', 'print the login URL; open no browser'),
  ).action(async (server: string, _flags: McpLoginFlags, command: Command) => {
    const { mcpLoginCommand } = await import('./commands/mcp-login.js');
    done(
      await mcpLoginCommand(
        server,
        withRootFlags<McpLoginFlags>(command, ['cwd', 'config', 'trustProject']),
        io,
      ),
    );
  });
  mcp
    .command('logout')
    .description("forget a server's tokens (salvo mcp login asks again)")
    .argument('<server>', 'the server name in mcpServers')
    .action(async (server: string, _flags: object, command: Command) => {
      const { mcpLogoutCommand } = await import('./commands/mcp-login.js');
      withRootFlags(command, []);
      done(await mcpLogoutCommand(server, io));
    });
  // `salvo mcp` alone: its help. `salvo mcp tols`: one line like the root's, not commander's.
  mcp
    .helpCommand(true)
    .allowExcessArguments()
    .action((_flags: object, command: Command) => {
      const [word] = command.args;
      if (word === undefined) return mcp.help({ error: true });
      throw unknownCommand(mcp, word, 'see salvo mcp --help');
    });

  // A command of its own: commander offers none when the root has an action (interactive mode).
  program
    .command('help')
    .description('display help for salvo or a command (salvo help mcp tools)')
    .argument('[command...]', 'the command')
    .action((words: string[]) => {
      let command = program;
      for (const word of words) {
        const sub = findCommand(command, word);
        if (!sub) throw unknownCommand(command, word, 'salvo help lists the commands');
        command = sub;
      }
      command.help();
    });

  // Last, so no command inherits it: the root's action reports the words itself.
  program.allowExcessArguments();
  return program;
}

type DemoFlags = Parameters<typeof demoCommand>[0];
type McpToolsFlags = Parameters<typeof mcpToolsCommand>[0];
type McpLoginFlags = Parameters<typeof mcpLoginCommand>[1];

/**
 * `command`'s options with the root's merged in: `salvo --json run x` is `salvo run --json x`.
 * The command's own value wins over the root's (commander's `optsWithGlobals` lets the root win).
 * A root option the command has no use for (`salvo -m m demo`) is a usage error, never dropped.
 */
function withRootFlags<T>(command: Command, applies: readonly (keyof AgentFlags)[] | 'all'): T {
  let root = command;
  while (root.parent) root = root.parent;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root.opts())) {
    if (value === undefined) continue;
    if (applies !== 'all' && !(applies as readonly string[]).includes(key)) {
      const option = root.options.find((o) => o.attributeName() === key);
      const own = command.options.map((o) => o.long ?? o.flags);
      throw new CliError(
        `${option?.long ?? key} does not apply to \`${commandPath(command)}\`; leave it out${
          own.length > 0 ? ` (its options: ${own.join(', ')})` : ''
        }`,
      );
    }
    merged[key] = value;
  }
  for (const [key, value] of Object.entries(command.opts())) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function findCommand(parent: Command, word: string): Command | undefined {
  return parent.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** `salvo frobnicate`: one line naming the nearest command, if one is close, and what to do. */
function unknownCommand(parent: Command, word: string, hint: string): CliError {
  const prefix = parent.parent ? `${commandPath(parent).replace(/^\S+ /, '')} ` : '';
  const names = parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  const nearest = closestName(word, names);
  const suggestion = nearest === undefined ? '' : ` (did you mean "${prefix}${nearest}"?)`;
  return new CliError(`unknown command "${prefix}${word}"${suggestion}; ${hint}`);
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) {
    throw new InvalidArgumentError('--speed takes a number above 0, such as 2 or 0.5.');
  }
  return speed;
}
