import type { Model } from '../agent/model.js';
import type { ApprovalMode, Approver } from '../approval/approval.js';
import { McpHub, type McpStartEvent } from '../mcp/hub.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { Scheduler } from '../schedule/scheduler.js';
import { loadAgentDefinitions } from '../subagent/load-agent-definitions.js';
import type { SubagentDispatcher } from '../subagent/subagent-dispatcher.js';
import { type SubagentDefinition, SubagentManager } from '../subagent/subagent-manager.js';
import { agentTool, taskTool } from '../subagent/subagent-tools.js';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from '../tools/builtin-tools.js';
import { detectSandbox } from '../tools/sandbox.js';
import type { ShellSandbox } from '../tools/shell.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { CliError } from './cli-error.js';
import type { SalvoConfig } from './config/load-config.js';
import { storedMcpAuth } from './mcp-auth.js';

export interface RuntimeOptions {
  /** The project: the built-in tools' workspace root and where `.salvo/agents` is read. */
  cwd: string;
  home: string;
  config: SalvoConfig;
  model: Model;
  /** The subagents' model. @default model */
  subagentModel?: Model;
  /** The subagent definitions. @default read from `.salvo/agents` of the project and home */
  definitions?: readonly SubagentDefinition[];
  approvalMode: ApprovalMode;
  /** Who is asked; without one, calls that need approval are denied with a reason. */
  approver?: Approver;
  maxConcurrency?: number | undefined;
  maxSubagents?: number | undefined;
  /** Where subagents run (`--redis`: on workers); closed with the runtime. @default here */
  dispatcher?: SubagentDispatcher | undefined;
  /**
   * Where shell commands run (see `ShellSandbox`). `auto` warns once when bubblewrap does not
   * work here; `workspace` refuses to start without it. @default 'auto'
   */
  sandbox?: ShellSandbox;
  /** Let sandboxed shell commands use the network. @default false */
  sandboxNetwork?: boolean;
  onEvent?: (event: SchedulerEvent) => void;
  onTurnEnd?: (trace: TurnTrace) => void;
  /** One line about something that does not stop the run (a server that failed to start). */
  warn: (line: string) => void;
  /** Each MCP server's start as it goes (see `McpStartEvent`). */
  onServerStart?: (event: McpStartEvent) => void;
  /**
   * Aborting it stops waiting for the MCP servers still starting: they are stopped and the
   * runtime is built without their tools (no warning for them: the caller says it).
   */
  skipStarting?: AbortSignal;
  /**
   * Cancels building the runtime: the servers started so far are stopped (killed, not left
   * behind) and `createRuntime` throws the abort reason.
   */
  signal?: AbortSignal;
}

/** Everything an agent run needs, built from the config: tools, servers, subagents, scheduler. */
export interface Runtime {
  scheduler: Scheduler;
  /** The tools as they are now (MCP servers may change theirs). */
  readonly tools: readonly Tool[];
  hub: McpHub | undefined;
  subagents: SubagentManager;
  /** Closes the MCP servers, giving each a moment to go. */
  close(): Promise<void>;
  /** Kills the MCP servers' processes at once, for a host that exits now. Synchronous. */
  killNow(): void;
}

/** Connects the configured MCP servers (in parallel) and builds the scheduler over every tool. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, warn } = options;
  const sandbox = options.sandbox ?? 'auto';
  if (sandbox !== 'off') {
    // Before any server starts: a sandbox that was asked for and cannot be is a setup mistake.
    const status = await detectSandbox();
    if (!status.available && sandbox === 'workspace') {
      throw new CliError(`--sandbox workspace: ${status.reason ?? 'bubblewrap does not work'}`);
    }
    if (!status.available) {
      warn(
        `shell commands run without a sandbox: ${status.reason ?? 'bubblewrap does not work here'} (--sandbox off hides this)`,
      );
    }
  }
  const { signal, skipStarting } = options;
  signal?.throwIfAborted();
  const servers = config.mcpServers ?? {};
  const stopWaiting = [signal, skipStarting].filter((s): s is AbortSignal => s !== undefined);
  const hub =
    Object.keys(servers).length > 0
      ? await McpHub.fromConfig(
          { mcpServers: servers },
          {
            ...(stopWaiting.length > 0 ? { startSignal: AbortSignal.any(stopWaiting) } : {}),
            ...(options.onServerStart ? { onStart: options.onServerStart } : {}),
            ...storedMcpAuth(options.home),
          },
        )
      : undefined;
  if (signal?.aborted) {
    // Cancelled while servers started: none may outlive this, and nobody waits for them to go.
    hub?.killNow();
    await hub?.close();
    throw signal.reason;
  }
  for (const failure of hub?.errors() ?? []) {
    if (failure.skipped) continue;
    warn(`MCP server \`${failure.server}\` is not available: ${failure.message}`);
  }
  try {
    return await assemble(options, hub);
  } catch (error) {
    // Servers started for a runtime that will not exist must not outlive it.
    await hub?.close();
    throw error;
  }
}

/** Subagents, tools and the scheduler around a connected hub. */
async function assemble(options: RuntimeOptions, hub: McpHub | undefined): Promise<Runtime> {
  const { config, cwd, home, warn } = options;
  const definitions = options.definitions ?? (await definitionsOnDisk(cwd, home, warn));
  const subagents = new SubagentManager({
    model: options.subagentModel ?? options.model,
    definitions,
    ...(options.maxSubagents === undefined ? {} : { maxConcurrent: options.maxSubagents }),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(config.maxDepth === undefined ? {} : { maxDepth: config.maxDepth }),
    batchTool: config.batchTool ?? config.parallelToolCalls === false,
  });
  const builtins = builtinTools({
    root: cwd,
    sandbox: options.sandbox ?? 'auto',
    shellNetwork: options.sandboxNetwork ?? false,
  });
  const ownTools = [taskTool(subagents), agentTool(subagents)];
  const tools: Tool[] = [...builtins, ...(hub?.tools() ?? []), ...ownTools];
  const scheduler = new Scheduler({
    tools,
    maxConcurrency: options.maxConcurrency ?? Infinity,
    limits: hub?.limits() ?? {},
    approvalMode: options.approvalMode,
    ...(options.approver ? { approver: options.approver } : {}),
    ...(config.toolTimeoutMs === undefined ? {} : { defaultTimeoutMs: config.toolTimeoutMs }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.onTurnEnd ? { onTurnEnd: options.onTurnEnd } : {}),
  });
  subagents.attach(scheduler);
  // A server's tools/list_changed (or a restart with other tools) reaches the model's next step.
  const stopWatching = hub?.onToolsChanged((mcpTools) => {
    try {
      scheduler.setTools([...builtins, ...mcpTools, ...ownTools]);
    } catch (error) {
      warn(`MCP tools changed, but the new list was not used: ${(error as Error).message}`);
    }
  });
  return {
    scheduler,
    get tools() {
      return [...scheduler.tools.values()];
    },
    hub,
    subagents,
    close: async () => {
      stopWatching?.();
      await Promise.all([hub?.close(), options.dispatcher?.close?.()]);
    },
    killNow: () => hub?.killNow(),
  };
}

/** The definitions in `.salvo/agents` of the project and home; invalid files are warned about. */
async function definitionsOnDisk(
  projectDir: string,
  homeDir: string,
  warn: (line: string) => void,
): Promise<SubagentDefinition[]> {
  const { definitions, problems } = await loadAgentDefinitions({ projectDir, homeDir });
  for (const problem of problems) {
    warn(`${problem.file}${problem.field ? ` (${problem.field})` : ''}: ${problem.message}`);
  }
  return definitions;
}
