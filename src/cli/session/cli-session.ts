import { dirname, resolve } from 'node:path';
import {
  compactionCut,
  compactMessages,
  isCompactionSummary,
} from '../../agent/compact-messages.js';
import { estimateTokens, modelContextWindow, shouldCompact } from '../../agent/context-window.js';
import type { AgentMessage, Model, Usage } from '../../agent/model.js';
import { type AgentResult, runAgent } from '../../agent/run-agent.js';
import type { TurnTrace } from '../../trace/call-trace.js';
import { summarizeRun } from '../../trace/summarize-run.js';
import { writeTrace } from '../../trace/write-trace.js';
import type { ApprovalQueue } from '../approval-queue.js';
import { exitCodes, oneLine } from '../cli-error.js';
import { describeFailure } from '../describe-failure.js';
import type { CliIo } from '../io.js';
import type { ProviderChoice } from '../provider.js';
import type { Reporter } from '../reporter.js';
import { runTiming } from '../run-timing.js';
import type { Runtime } from '../runtime.js';
import { Interrupt, type InterruptSource, type TerminalKeys } from '../terminal-keys.js';
import {
  defaultTranscriptPath,
  ensureDir,
  newSessionId,
  type SessionFile,
  saveSession,
  sessionIdOf,
  titleOf,
  tracePathFor,
} from './session-store.js';

export interface CliSessionOptions {
  io: CliIo;
  /** The project folder (`-C`). */
  cwd: string;
  choice: ProviderChoice;
  model: Model;
  /** Builds the model again for another id (`/model`). */
  modelFor: (id: string) => Model;
  runtime: Runtime;
  reporter: Reporter;
  queue: ApprovalQueue;
  /** Every turn the runtime ran, in order (the runtime's `onTurnEnd` pushes here). */
  traces: TurnTrace[];
  system: string | undefined;
  maxSteps: number;
  /** `--transcript`: one file for this session (never switched by `/resume` or `/clear`). */
  transcriptFile?: string;
  /** `--trace`: written after every prompt as well as the session's own trace. */
  traceFile?: string;
  /** Keys from the terminal, for the whole command; Ctrl-C goes to `ctrlC.press`. */
  keys: TerminalKeys;
  ctrlC: { press: (source?: InterruptSource) => void };
  /** Offer the `batch` tool (providers that forbid parallel calls). */
  batchTool: boolean;
  /** `contextWindow` from the config: overrides the model's known window. */
  contextWindow?: number | undefined;
  /** Model text goes to the reporter (false in print mode, which prints the answer alone). */
  showText?: boolean;
}

/** Totals over the session's prompts, for `/cost` and `/status`. */
export interface SessionTotals {
  prompts: number;
  calls: number;
  usage: Usage;
  wallMs: number;
}

/** How one prompt ended. */
export interface PromptOutcome {
  exitCode: number;
  result: AgentResult;
}

/**
 * A conversation in the CLI: its messages, its files (transcript and trace, rewritten after every
 * prompt) and the prompt loop's plumbing (live display, approvals, Ctrl-C). `salvo run` uses one
 * prompt of it; interactive `salvo` many.
 */
export class CliSession {
  readonly io: CliIo;
  readonly cwd: string;
  readonly runtime: Runtime;
  readonly reporter: Reporter;
  readonly queue: ApprovalQueue;
  readonly keys: TerminalKeys;
  readonly ctrlC: CliSessionOptions['ctrlC'];
  choice: ProviderChoice;
  model: Model;
  system: string | undefined;
  messages: AgentMessage[] = [];
  /** The session's id and transcript file. */
  id: string;
  transcriptFile: string;
  readonly startedAt = new Date();
  readonly totals: SessionTotals = {
    prompts: 0,
    calls: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    wallMs: 0,
  };
  /** Input tokens of the last model request: how full the context window is. */
  lastInputTokens = 0;
  /** Turns of earlier runs of a resumed session, kept in its trace. */
  #earlierTraces: TurnTrace[] = [];
  /** Where this session's turns start in the runtime's list (after `/clear`, later). */
  #firstTurn = 0;
  readonly #options: CliSessionOptions;
  readonly #traces: TurnTrace[];

  constructor(options: CliSessionOptions) {
    this.#options = options;
    this.io = options.io;
    this.cwd = options.cwd;
    this.runtime = options.runtime;
    this.reporter = options.reporter;
    this.queue = options.queue;
    this.keys = options.keys;
    this.ctrlC = options.ctrlC;
    this.choice = options.choice;
    this.model = options.model;
    this.system = options.system;
    this.#traces = options.traces;
    this.transcriptFile = options.transcriptFile ?? defaultTranscriptPath(options.io.home);
    this.id = sessionIdOf(this.transcriptFile);
  }

  /** The session's turns so far, earlier runs of a resumed session included. */
  get traces(): TurnTrace[] {
    return [...this.#earlierTraces, ...this.#traces.slice(this.#firstTurn)];
  }

  /** Where this session's trace is kept. */
  get keptTraceFile(): string {
    return tracePathFor(this.transcriptFile);
  }

  /** The model's context window in tokens, when known. */
  get contextWindow(): number | undefined {
    return modelContextWindow(this.model.modelId, this.#options.contextWindow);
  }

  /**
   * Summarizes the older part of the conversation to free the context window (`/compact`, or
   * `auto` before a prompt when the last request filled most of it). Ctrl-C cancels it; a
   * failure leaves the conversation as it was and says why.
   */
  async compact(options: { instructions?: string; auto?: boolean } = {}): Promise<boolean> {
    const { reporter } = this;
    if (options.auto) {
      const used =
        this.lastInputTokens > 0
          ? this.lastInputTokens
          : estimateTokens(this.messages, this.system ?? '');
      if (
        !hasOlderTurns(this.messages) ||
        !shouldCompact({ lastInputTokens: used, contextWindow: this.contextWindow })
      ) {
        return false;
      }
      reporter.info(
        `The conversation fills ${Math.round((100 * used) / (this.contextWindow ?? used))}% of the context window: summarizing the older turns (Ctrl-C skips)…`,
      );
    } else if (this.messages.length === 0) {
      reporter.info('Nothing to compact yet.');
      return false;
    } else {
      reporter.info('Summarizing the conversation (Ctrl-C cancels)…');
    }
    const controller = new AbortController();
    this.ctrlC.press = () => controller.abort(new Error('cancelled by Ctrl-C'));
    const stopListening = new Interrupt({
      onCancel: () => controller.abort(new Error('cancelled')),
      onForce: () => controller.abort(new Error('cancelled')),
    }).listen();
    this.keys.start();
    try {
      const result = await compactMessages({
        model: this.model,
        messages: this.messages,
        signal: controller.signal,
        ...(options.instructions ? { instructions: options.instructions } : {}),
      });
      this.totals.usage.inputTokens += result.usage.inputTokens;
      this.totals.usage.outputTokens += result.usage.outputTokens;
      if (result.error) {
        reporter.warn(`the conversation was not compacted: ${oneLine(result.error)}`);
        return false;
      }
      if (!result.compacted) {
        reporter.info('Nothing to compact: the conversation is only its last turn.');
        return false;
      }
      this.messages = result.messages;
      this.lastInputTokens = 0;
      reporter.info(
        `Compacted ${result.messagesBefore} messages into ${result.messagesAfter}; the transcript keeps the summary from here on.`,
      );
      await this.saveFiles();
      return true;
    } finally {
      stopListening();
      this.keys.stop();
    }
  }

  /** Carries on a saved session: its messages, its files, its trace. */
  resume(saved: SessionFile, file: string, earlierTraces: TurnTrace[]): void {
    this.messages = saved.messages;
    if (this.#options.transcriptFile === undefined) {
      this.transcriptFile = file;
      this.id = saved.id;
    }
    this.#earlierTraces = earlierTraces;
    this.#firstTurn = this.#traces.length;
  }

  /** A new conversation (`/clear`): no messages, a new transcript file. */
  clear(): void {
    this.messages = [];
    if (this.#options.transcriptFile === undefined) {
      this.transcriptFile = defaultTranscriptPath(this.io.home, newSessionId());
      this.id = sessionIdOf(this.transcriptFile);
    }
    this.#earlierTraces = [];
    this.#firstTurn = this.#traces.length;
    this.lastInputTokens = 0;
  }

  /** Another model of the same provider (`/model <id>`), from the next prompt on. */
  setModel(id: string): void {
    this.model = this.#options.modelFor(id);
    this.choice = { ...this.choice, model: id };
  }

  /** One prompt to the end: live display, approvals and Ctrl-C; the files written whatever happens. */
  async runPrompt(prompt: string, options: { canAsk: boolean }): Promise<PromptOutcome> {
    const { reporter, queue, io } = this;
    const controller = new AbortController();
    const interrupt = new Interrupt({
      onCancel: (source) => {
        reporter.info(
          source === 'SIGTERM'
            ? 'Stopping (SIGTERM): every call gets its result and the files are written.'
            : 'Cancelling: every call gets its result and the files are written. Ctrl-C again exits at once.',
        );
        controller.abort(new Error(cancelReason(source)));
        queue.denyAll(
          source === 'SIGTERM' ? 'salvo was stopped (SIGTERM).' : 'The user cancelled the run.',
        );
      },
      onForce: (source) => {
        this.keys.stop();
        reporter.close();
        this.runtime.killNow();
        io.stderr.write(
          `salvo: exited at once (${source === 'SIGTERM' ? 'second SIGTERM' : 'second Ctrl-C'})\n`,
        );
        process.exit(exitCodes.cancelled);
      },
    });
    this.ctrlC.press = (source) => interrupt.press(source);
    const stopListening = interrupt.listen();
    const firstTurn = this.#traces.length;
    const subagentTokensBefore = this.runtime.subagents.usage;
    const startedAt = performance.now();
    reporter.runStarted(prompt);
    if (options.canAsk) this.keys.start();
    const showText = this.#options.showText !== false;
    try {
      const result = await runAgent({
        model: this.model,
        scheduler: this.runtime.scheduler,
        messages: [...this.messages, { role: 'user', content: prompt }],
        maxSteps: this.#options.maxSteps,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'step-finish' && event.usage && event.usage.inputTokens > 0) {
            // The output joins the context of the next request too.
            this.lastInputTokens = event.usage.inputTokens + event.usage.outputTokens;
          }
          if (!showText && event.type === 'text-delta') return;
          reporter.agentEvent(event);
        },
        batchTool: this.#options.batchTool,
        ...(this.system ? { system: this.system } : {}),
      });
      const exitCode = await this.#finish(result, {
        firstTurn,
        startedAt,
        subagentTokensBefore,
        interrupt,
      });
      return { exitCode, result };
    } finally {
      stopListening();
    }
  }

  /** Writes the transcript and trace, reports the end, and says the exit code. */
  async #finish(
    result: AgentResult,
    prompt: {
      firstTurn: number;
      startedAt: number;
      /** The subagents' tokens before this prompt: the run's total counts theirs too. */
      subagentTokensBefore: Usage;
      interrupt: Interrupt;
    },
  ): Promise<number> {
    const { firstTurn, startedAt, interrupt } = prompt;
    const subagents = this.runtime.subagents.usage;
    const usage: Usage = {
      inputTokens:
        result.usage.inputTokens + subagents.inputTokens - prompt.subagentTokensBefore.inputTokens,
      outputTokens:
        result.usage.outputTokens +
        subagents.outputTokens -
        prompt.subagentTokensBefore.outputTokens,
    };
    const { reporter, io } = this;
    this.messages = result.messages;
    const turns = this.#traces.slice(firstTurn);
    const files = await this.saveFiles(result);
    const run = summarizeRun(turns, { source: 'cli' });
    const wallMs = performance.now() - startedAt;
    this.totals.prompts++;
    this.totals.calls += run.calls;
    this.totals.usage.inputTokens += usage.inputTokens;
    this.totals.usage.outputTokens += usage.outputTokens;
    this.totals.wallMs += wallMs;
    const failure = result.error ? describeFailure(this.choice, result.error) : undefined;
    reporter.runEnded({
      finishReason: result.finishReason,
      text: result.text,
      wallMs,
      calls: run.calls,
      steps: result.steps,
      usage,
      parallelism: run.parallelism,
      timing: runTiming(run),
      ...(failure ? { error: failure } : {}),
      ...files,
      ...needsLogin(this.runtime),
    });
    // After the end line: the live block is gone by then, and the error is the last word.
    if (failure) io.stderr.write(`salvo: ${failure}\n`);
    if (interrupt.pressed > 0 || result.finishReason === 'cancelled') return exitCodes.cancelled;
    if (result.finishReason === 'stop') return 0;
    return exitCodes.failed;
  }

  /** Writes the transcript, the session's trace and `--trace`; a failure is a warning. */
  async saveFiles(
    result?: Pick<AgentResult, 'finishReason' | 'transcript'>,
  ): Promise<{ transcriptFile?: string; traceFile?: string }> {
    const files: { transcriptFile?: string; traceFile?: string } = {};
    try {
      await saveSession(this.transcriptFile, {
        startedAt: this.startedAt.toISOString(),
        provider: this.choice.provider,
        model: this.choice.model,
        cwd: this.cwd,
        title: titleOf(this.messages),
        finishReason: result?.finishReason ?? 'stop',
        messages: this.messages,
        transcript: result?.transcript ?? this.model.toProviderMessages?.(this.messages) ?? [],
        usage: this.totals.usage,
      });
      files.transcriptFile = this.transcriptFile;
    } catch (error) {
      this.reporter.warn(
        `could not save the transcript to ${this.transcriptFile}: ${oneLine(error)}`,
      );
    }
    const traces = this.traces;
    if (traces.length > 0) {
      try {
        await writeTraceFile(this.keptTraceFile, traces, `salvo session ${this.id}`);
      } catch (error) {
        this.reporter.warn(`could not keep the trace in ${this.keptTraceFile}: ${oneLine(error)}`);
      }
    }
    const flagged = this.#options.traceFile;
    if (flagged) {
      try {
        await writeTraceFile(flagged, traces, 'salvo run');
        files.traceFile = flagged;
      } catch (error) {
        this.reporter.warn(`could not write the trace to ${flagged}: ${oneLine(error)}`);
      }
    }
    return files;
  }

  /**
   * `!command`: the user's own shell command, run as a `shell` call through the same scheduler,
   * approval and live display as the model's. Resolves with the result's text (what the model
   * is told next), or undefined when the command did not run.
   */
  async runUserShell(
    command: string,
    options: { canAsk: boolean },
  ): Promise<{ text: string; status: string }> {
    const { reporter, queue } = this;
    const controller = new AbortController();
    const interrupt = new Interrupt({
      onCancel: (source) => {
        controller.abort(new Error(cancelReason(source)));
        queue.denyAll('The user cancelled the command.');
      },
      onForce: () => {
        this.keys.stop();
        reporter.close();
        this.runtime.killNow();
        process.exit(exitCodes.cancelled);
      },
    });
    this.ctrlC.press = (source) => interrupt.press(source);
    const stopListening = interrupt.listen();
    const startedAt = performance.now();
    const firstTurn = this.#traces.length;
    reporter.runStarted(`!${command}`);
    if (options.canAsk) this.keys.start();
    try {
      const call = { id: `user-shell-${++this.#shellCalls}`, name: 'shell', input: { command } };
      const { results } = await this.runtime.scheduler.run([call], { signal: controller.signal });
      const result = results[0];
      const text = (result?.content ?? [])
        .map((block) => (block.type === 'text' ? block.text : ''))
        .join('\n');
      const run = summarizeRun(this.#traces.slice(firstTurn), { source: 'cli' });
      reporter.runEnded({
        finishReason: result?.status === 'success' ? 'stop' : (result?.status ?? 'error'),
        text: '',
        wallMs: performance.now() - startedAt,
        calls: run.calls,
        steps: 0,
        usage: { inputTokens: 0, outputTokens: 0 },
        parallelism: run.parallelism,
      });
      return { text, status: result?.status ?? 'error' };
    } finally {
      stopListening();
      this.keys.stop();
    }
  }

  #shellCalls = 0;

  /**
   * Stops the background agents the model started (`agent start`) that still run, and says so:
   * nothing is dropped without a word. Returns how many there were.
   */
  stopBackgroundAgents(why: string): number {
    const left = this.runtime.subagents
      .agents()
      .filter((a) => a.path.length === 1 && (a.status === 'running' || a.status === 'queued'));
    if (left.length === 0) return 0;
    for (const agent of left) this.runtime.subagents.cancel(agent.id, why);
    const names = left.map((a) => `${oneLine(a.label)} (${oneLine(a.id)})`).join(', ');
    const count =
      left.length === 1 ? '1 background agent was' : `${left.length} background agents were`;
    this.reporter.warn(
      `${count} still running ${why} and ${left.length === 1 ? 'was' : 'were'} stopped: ${names}`,
    );
    return left.length;
  }
}

/** `writeTrace`, its folder made one level at a time (see `ensureDir`). */
export async function writeTraceFile(
  file: string,
  traces: readonly TurnTrace[],
  title: string,
): Promise<void> {
  await ensureDir(dirname(resolve(file)));
  await writeTrace(file, traces, { title, source: 'cli' });
}

/** The abort reason of a cancelled run, as the end line and the model's results say it. */
function cancelReason(source: InterruptSource): string {
  switch (source) {
    case 'SIGTERM':
      return 'stopped by SIGTERM';
    default:
      return 'cancelled by Ctrl-C';
  }
}

/** Whether there is anything before the last turn to summarize (not only an earlier summary). */
function hasOlderTurns(messages: readonly AgentMessage[]): boolean {
  const older = messages.slice(0, compactionCut(messages, 1));
  return older.some((message) => !isCompactionSummary(message));
}

/** The MCP servers that need a login, for the end line. */
function needsLogin(runtime: Runtime): { needsLogin?: string[] } {
  const names = (runtime.hub?.status() ?? []).filter((s) => s.needsLogin).map((s) => s.name);
  return names.length > 0 ? { needsLogin: names } : {};
}
