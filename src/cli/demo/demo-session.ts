import type { AgentMessage } from '../../agent/model.js';
import { type AgentEvent, type AgentResult, runAgent } from '../../agent/run-agent.js';
import type { McpHub } from '../../mcp/hub.js';
import type { EventListener } from '../../schedule/events.js';
import type { Scheduler } from '../../schedule/scheduler.js';
import type { AgentRecord, SubagentManager } from '../../subagent/subagent-manager.js';
import type { CallResult } from '../../tool/call.js';
import type { TurnTrace } from '../../trace/call-trace.js';
import { createRuntime } from '../runtime.js';
import { demoAgentDefinitions } from './demo-agents.js';
import { demoModels } from './demo-model.js';
import { demoPrompt, demoSystemPrompt } from './demo-root-script.js';
import { demoMcpConfig } from './demo-servers.js';

export interface DemoSessionOptions {
  /** The demo project, made by `createDemoProject`: the session reads and edits it. */
  projectDir: string;
  /** server-memory's graph file. */
  memoryFile: string;
  /** Simulated token timing; every duration scales with it. @default defaultDemoChunkDelayMs */
  chunkDelayMs?: number;
  /** Time to the first token of every answer. @default 10 × chunkDelayMs */
  firstTokenDelayMs?: number;
  /** Tool calls running at once, every agent together. 1 = one call at a time. @default 16 */
  maxConcurrency?: number;
  /** Reviewer subagents running at once. 1 = one after the other. @default 5 */
  maxSubagents?: number;
  /** Start the MCP servers; `false` runs the session with the built-in tools only. @default true */
  mcp?: boolean;
  /** The edits of the root need `auto-edit` at least: nobody is asked. @default 'auto-edit' */
  approvalMode?: 'auto-edit' | 'yolo';
  signal?: AbortSignal;
  /** Every call of every agent (the event's `path` says which). */
  onSchedulerEvent?: EventListener;
  /** The root agent's own events (its streamed text, calls and results). */
  onAgentEvent?: (event: AgentEvent) => void;
  /** Each turn's trace as it ends, subagents' included (a final answer's turn has no calls). */
  onTurnEnd?: (trace: TurnTrace) => void;
  /** Called once the MCP servers are up, right before the root starts: for a live view. */
  onStart?: (session: DemoSessionHandle) => void;
}

/** What a live view can watch while the session runs. */
export interface DemoSessionHandle {
  scheduler: Scheduler;
  manager: SubagentManager;
  /** Absent when the session runs without MCP servers. */
  hub: McpHub | undefined;
  /** MCP packages that could not be found: their part of the session is skipped. */
  missing: string[];
}

export interface DemoSessionResult {
  /** The root agent's result. */
  result: AgentResult;
  /** From the root's first request to its final answer (MCP startup not included). */
  wallMs: number;
  /** Starting the MCP servers. */
  startupMs: number;
  /**
   * Every turn of every agent (root and subagents), in the order they ended: one per model
   * request, its calls with it (none for a final answer).
   */
  traces: TurnTrace[];
  /** The reviewer subagents, with their results and when they ran (performance.now). */
  agents: AgentRecord[];
  /** Tool calls made, every agent together. */
  calls: number;
  /**
   * What went wrong: MCP servers that failed to start, agents that did not finish, and every
   * tool result that is not a success (`reviewer#2: grep error: ...`). Empty on a clean run.
   */
  errors: string[];
  /** MCP packages that could not be found (see `demoMcpConfig`). */
  missing: string[];
}

/**
 * One demo session: a scripted agent reviews the demo project with five reviewer subagents, the
 * built-in tools and two MCP servers from npm (server-filesystem and server-memory, started now
 * and closed at the end). Run it with `maxConcurrency: 1, maxSubagents: 1` for one call at a
 * time, or with the defaults for salvo's parallel run; each run needs a fresh project.
 */
export async function runDemoSession(options: DemoSessionOptions): Promise<DemoSessionResult> {
  const {
    projectDir,
    memoryFile,
    maxConcurrency = 16,
    maxSubagents = 5,
    approvalMode = 'auto-edit',
    signal,
  } = options;
  const models = demoModels({
    ...(options.chunkDelayMs !== undefined ? { chunkDelayMs: options.chunkDelayMs } : {}),
    ...(options.firstTokenDelayMs !== undefined
      ? { firstTokenDelayMs: options.firstTokenDelayMs }
      : {}),
  });
  const { config, missing } =
    options.mcp === false
      ? { config: { mcpServers: {} }, missing: [] }
      : demoMcpConfig({ projectDir, memoryFile });
  const startup = performance.now();
  const traces: TurnTrace[] = [];
  const warnings: string[] = [];
  const runtime = await createRuntime({
    // The scripted reviewers run only read-only shell commands: the same on every machine.
    sandbox: 'off',
    cwd: projectDir,
    home: projectDir,
    config: { ...config, maxDepth: 1 },
    model: models.root,
    subagentModel: models.reviewer,
    definitions: demoAgentDefinitions(),
    approvalMode,
    maxConcurrency,
    maxSubagents,
    warn: (line) => warnings.push(line),
    ...(options.onSchedulerEvent ? { onEvent: options.onSchedulerEvent } : {}),
    onTurnEnd: (trace) => {
      traces.push(trace);
      options.onTurnEnd?.(trace);
    },
  });
  const startupMs = performance.now() - startup;
  const { scheduler, subagents: manager, hub } = runtime;
  try {
    options.onStart?.({ scheduler, manager, hub, missing });
    const started = performance.now();
    const result = await runAgent({
      model: models.root,
      system: demoSystemPrompt(
        (hub?.status() ?? []).filter((s) => s.state === 'connected').map((s) => s.name),
      ),
      scheduler,
      messages: demoPrompt,
      maxSteps: 8,
      ...(signal ? { signal } : {}),
      ...(options.onAgentEvent ? { onEvent: options.onAgentEvent } : {}),
    });
    const wallMs = performance.now() - started;
    const agents = manager.agents();
    const errors = [
      ...warnings,
      ...problems('root', result),
      ...agents.flatMap((agent) =>
        agent.result
          ? problems(agent.label, agent.result)
          : [`${agent.label} ${agent.status}${agent.error ? `: ${agent.error}` : ''}`],
      ),
    ];
    const calls = traces.reduce((sum, trace) => sum + trace.calls.length, 0);
    return { result, wallMs, startupMs, traces, agents, calls, errors, missing };
  } finally {
    manager.cancelAll('the demo session ended');
    await runtime.close();
  }
}

/** An agent that did not stop normally, and each of its tool results that is not a success. */
function problems(who: string, result: AgentResult): string[] {
  const found: string[] = [];
  if (result.finishReason !== 'stop') {
    found.push(
      `${who} ended with ${result.finishReason}${result.error ? `: ${result.error.message}` : ''}`,
    );
  }
  for (const r of toolResults(result.messages)) {
    if (r.status !== 'success') found.push(`${who}: ${r.name} ${r.status}: ${resultText(r)}`);
  }
  return found;
}

function toolResults(messages: readonly AgentMessage[]): CallResult[] {
  return messages.flatMap((m) => (m.role === 'tool' ? m.results : []));
}

function resultText(result: CallResult): string {
  const text = result.content
    .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
    .join(' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
