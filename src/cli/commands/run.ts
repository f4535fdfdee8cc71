import { createInterface } from 'node:readline/promises';
import type { AgentMessage, Usage } from '../../agent/model.js';
import { ModelApiError } from '../../agent/providers/model-api-error.js';
import { type AgentResult, runAgent } from '../../agent/run-agent.js';
import type { ApprovalMode } from '../../approval/approval.js';
import type { TurnTrace } from '../../trace/call-trace.js';
import { summarizeRun } from '../../trace/summarize-run.js';
import { writeTrace } from '../../trace/write-trace.js';
import { ApprovalQueue } from '../approval-queue.js';
import { CliError, exitCodes, oneLine } from '../cli-error.js';
import { loadTrustedConfig } from '../config/trusted-config.js';
import { type CliIo, isInteractiveOutput } from '../io.js';
import type { AgentFlags } from '../program.js';
import { projectDir } from '../project-dir.js';
import { chooseProvider, createModel, type ProviderChoice } from '../provider.js';
import type { Reporter } from '../reporter.js';
import { createReporter } from '../reporters.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { defaultTranscriptPath, saveTranscript } from '../session-files.js';
import { ctrlC, Interrupt, TerminalKeys } from '../terminal-keys.js';

const unattended =
  'Not run: it needs approval and salvo ran without a terminal to ask. The user can allow such calls with --approval auto-edit or --approval yolo.';

/**
 * `salvo run "<prompt>"` (one prompt, then exit) and `salvo` alone (an interactive session that
 * keeps the conversation). Resolves with the exit code: 0 done, 1 failed, 130 cancelled.
 */
export async function runCommand(
  prompt: string | undefined,
  flags: AgentFlags,
  io: CliIo,
): Promise<number> {
  const cwd = projectDir(io, flags.cwd);
  const fromStdin = prompt === '-';
  const { config } = await loadTrustedConfig(
    {
      cwd,
      home: io.home,
      ...(flags.config ? { file: flags.config } : {}),
      ...(flags.trustProject ? { trustProject: true } : {}),
    },
    io,
    io.stdin.isTTY === true && !fromStdin,
  );
  const choice = chooseProvider(flags, config, io.env);
  const model = createModel(choice, io.env, {
    thinking: flags.thinking ?? config.thinking,
    maxTokens: config.maxTokens,
    temperature: config.temperature,
    parallelToolCalls: config.parallelToolCalls,
    headers: config.headers,
  });
  const first = fromStdin ? await readAll(io.stdin) : prompt;
  if (first !== undefined && first.trim() === '') {
    throw new CliError('the prompt is empty: salvo run "<what to do>"');
  }
  if (first === undefined && !io.stdin.isTTY) {
    throw new CliError(
      'salvo without a prompt is interactive and needs a terminal: use salvo run "<prompt>" ("-" reads it from stdin)',
    );
  }
  const canAsk = io.stdin.isTTY === true && !fromStdin;
  const approvalMode = (flags.approval ?? config.approval ?? 'ask') as ApprovalMode;
  const reporter = createReporter(io, { json: flags.json === true });
  let toldUnattended = false;
  const queue = new ApprovalQueue({
    onChange: () => reporter.approvals(queue),
    onAnswer: (request, approved) => reporter.approvalAnswered(request, approved),
    ...(canAsk ? {} : { unattended }),
    onUnattended: (request) => {
      if (toldUnattended) return;
      toldUnattended = true;
      reporter.warn(
        `\`${request.toolName}\` needs approval and there is no terminal to ask: denied (allow such calls with --approval auto-edit or yolo)`,
      );
    },
  });
  const traces: TurnTrace[] = [];
  // One reader of keys for the whole command, so a Ctrl-C pressed as one phase hands over to the
  // next (a prompt, writing its files, closing the servers) is never lost in between.
  const ctrlCTarget = { press: () => {} };
  const keys = new TerminalKeys(io.stdin, (key) => {
    if (key === ctrlC) {
      ctrlCTarget.press();
      return false;
    }
    return queue.answer(key);
  });
  let runtime: Runtime | undefined;
  const servers = Object.entries(config.mcpServers ?? {})
    .filter(([, server]) => server.disabled !== true)
    .map(([name]) => name);
  // Servers may take seconds to start (npx, a slow handshake): say what the wait is for.
  if (servers.length > 0 && isInteractiveOutput(io) && flags.json !== true) {
    reporter.info(`Starting MCP servers: ${servers.join(', ')}…`);
  }
  try {
    runtime = await createRuntime({
      cwd,
      home: io.home,
      config,
      model,
      approvalMode,
      approver: queue.approver,
      maxConcurrency: flags.maxConcurrency ?? config.maxConcurrency,
      maxSubagents: flags.maxSubagents ?? config.maxSubagents,
      sandbox: (flags.sandbox ?? config.sandbox ?? 'auto') as 'auto' | 'workspace' | 'off',
      sandboxNetwork: flags.sandboxNetwork ?? config.sandboxNetwork ?? false,
      onEvent: (event) => reporter.schedulerEvent(event),
      onTurnEnd: (trace) => traces.push(trace),
      warn: (line) => reporter.warn(line),
    });
    const session: Session = {
      io,
      flags,
      choice,
      model,
      runtime,
      reporter,
      queue,
      traces,
      system: config.system,
      // Where parallel calls are off, a batch is how a model asks for several calls at once.
      batchTool: config.batchTool ?? config.parallelToolCalls === false,
      maxSteps: flags.maxSteps ?? config.maxSteps ?? 20,
      transcriptFile: flags.transcript ?? defaultTranscriptPath(io.home),
      messages: [],
      keys,
      ctrlC: ctrlCTarget,
    };
    if (first !== undefined) return await runPrompt(session, first, canAsk);
    return await interactive(session);
  } finally {
    reporter.close();
    try {
      if (runtime) await closeRuntime(runtime, io, ctrlCTarget);
    } finally {
      keys.stop();
    }
  }
}

/**
 * Closes the MCP servers; a server may take seconds to go. Ctrl-C meanwhile exits at once, with
 * the servers' processes killed rather than left behind.
 */
async function closeRuntime(
  runtime: Runtime,
  io: CliIo,
  ctrlCTarget: { press: () => void },
): Promise<void> {
  const exitNow = () => {
    runtime.killNow();
    io.stderr.write('salvo: exited at once (Ctrl-C while closing the MCP servers)\n');
    process.exit(exitCodes.cancelled);
  };
  ctrlCTarget.press = exitNow;
  const stopListening = new Interrupt({ onCancel: exitNow, onForce: exitNow }).listen();
  try {
    await runtime.close();
  } finally {
    stopListening();
  }
}

interface Session {
  io: CliIo;
  flags: AgentFlags;
  choice: ProviderChoice;
  model: ReturnType<typeof createModel>;
  runtime: Runtime;
  reporter: Reporter;
  queue: ApprovalQueue;
  traces: TurnTrace[];
  system: string | undefined;
  maxSteps: number;
  transcriptFile: string;
  messages: AgentMessage[];
  /** Keys from the terminal, for the whole command; Ctrl-C goes to `ctrlC.press`. */
  keys: TerminalKeys;
  ctrlC: { press: () => void };
  /** Offer the `batch` tool (providers that forbid parallel calls). */
  batchTool: boolean;
}

/** One prompt to the end: live display, approvals and Ctrl-C; the files written whatever happens. */
async function runPrompt(session: Session, prompt: string, canAsk: boolean): Promise<number> {
  const { reporter, queue, io } = session;
  const controller = new AbortController();
  const interrupt = new Interrupt({
    onCancel: () => {
      reporter.info(
        'Cancelling: every call gets its result and the files are written. Ctrl-C again exits at once.',
      );
      controller.abort(new Error('cancelled by the user (Ctrl-C)'));
      queue.denyAll('The user cancelled the run.');
    },
    onForce: () => {
      session.keys.stop();
      reporter.close();
      session.runtime.killNow();
      io.stderr.write('salvo: exited at once (second Ctrl-C)\n');
      process.exit(exitCodes.cancelled);
    },
  });
  session.ctrlC.press = () => interrupt.press();
  const stopListening = interrupt.listen();
  const firstTurn = session.traces.length;
  const subagentTokensBefore = session.runtime.subagents.usage;
  const startedAt = performance.now();
  reporter.runStarted(prompt);
  if (canAsk) session.keys.start();
  // Until the files are written, Ctrl-C counts as a press of this prompt's.
  try {
    const result = await runAgent({
      model: session.model,
      scheduler: session.runtime.scheduler,
      messages: [...session.messages, { role: 'user', content: prompt }],
      maxSteps: session.maxSteps,
      signal: controller.signal,
      onEvent: (event) => reporter.agentEvent(event),
      batchTool: session.batchTool,
      ...(session.system ? { system: session.system } : {}),
    });
    return await finishPrompt(session, result, {
      firstTurn,
      startedAt,
      subagentTokensBefore,
      interrupt,
    });
  } finally {
    stopListening();
  }
}

/** Writes the transcript and trace, reports the end, and says the exit code. */
async function finishPrompt(
  session: Session,
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
  const subagents = session.runtime.subagents.usage;
  const usage: Usage = {
    inputTokens:
      result.usage.inputTokens + subagents.inputTokens - prompt.subagentTokensBefore.inputTokens,
    outputTokens:
      result.usage.outputTokens + subagents.outputTokens - prompt.subagentTokensBefore.outputTokens,
  };
  const { reporter, io } = session;
  session.messages = result.messages;
  const turns = session.traces.slice(firstTurn);
  const files = await writeFiles(session, result);
  const run = summarizeRun(turns);
  const failure = result.error ? describeFailure(session, result.error) : undefined;
  reporter.runEnded({
    finishReason: result.finishReason,
    text: result.text,
    wallMs: performance.now() - startedAt,
    calls: run.calls,
    steps: result.steps,
    usage,
    parallelism: run.parallelism,
    ...(failure ? { error: failure } : {}),
    ...files,
  });
  // After the end line: the live block is gone by then, and the error is the last word.
  if (failure) io.stderr.write(`salvo: ${failure}\n`);
  if (interrupt.pressed > 0 || result.finishReason === 'cancelled') return exitCodes.cancelled;
  if (result.finishReason === 'stop') return 0;
  return exitCodes.failed;
}

async function writeFiles(
  session: Session,
  result: AgentResult,
): Promise<{ transcriptFile?: string; traceFile?: string }> {
  const files: { transcriptFile?: string; traceFile?: string } = {};
  try {
    await saveTranscript(session.transcriptFile, {
      provider: session.choice.provider,
      model: session.choice.model,
      cwd: session.io.cwd,
      finishReason: result.finishReason,
      messages: result.messages,
      transcript: result.transcript,
      usage: result.usage,
    });
    files.transcriptFile = session.transcriptFile;
  } catch (error) {
    session.reporter.warn(
      `could not save the transcript to ${session.transcriptFile}: ${oneLine(error)}`,
    );
  }
  if (session.flags.trace) {
    try {
      await writeTrace(session.flags.trace, session.traces, { title: 'salvo run' });
      files.traceFile = session.flags.trace;
    } catch (error) {
      session.reporter.warn(
        `could not write the trace to ${session.flags.trace}: ${oneLine(error)}`,
      );
    }
  }
  return files;
}

/** The run's failure in words, by what failed (never by the words of the server's message). */
function describeFailure(session: Session, error: Error): string {
  const text = oneLine(error);
  const where = session.choice.baseUrl ?? `the ${session.choice.provider} API`;
  if (!ModelApiError.isInstance(error)) return text;
  switch (error.kind) {
    case 'connection':
      return `cannot reach ${where}: ${text}`;
    case 'connection-lost':
      // A stream cut after it began reached the server: that is not "cannot reach".
      return `the connection to ${where} broke mid-answer: ${text}`;
    default:
      return text;
  }
}

/** `salvo` alone: prompts until /exit, Ctrl-D or Ctrl-C at the prompt; the conversation carries on. */
async function interactive(session: Session): Promise<number> {
  const { io, reporter } = session;
  reporter.info(
    `salvo ${session.choice.provider}:${session.choice.model} in ${io.cwd}. /exit or Ctrl-D to leave; Ctrl-C cancels a running prompt.`,
  );
  for (;;) {
    // The line editor reads the terminal now: Ctrl-C at the prompt is its own.
    session.keys.stop();
    const line = await ask(io, '› ');
    if (line === undefined) return exitCodes.cancelled;
    if (line === null) return 0;
    const text = line.trim();
    if (text === '') continue;
    if (text === '/exit' || text === '/quit') return 0;
    await runPrompt(session, text, true);
  }
}

/** One line from the terminal: `null` on Ctrl-D, `undefined` on Ctrl-C. */
async function ask(io: CliIo, question: string): Promise<string | null | undefined> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: true });
  try {
    return await new Promise<string | null | undefined>((resolve) => {
      rl.once('SIGINT', () => resolve(undefined));
      rl.once('close', () => resolve(null));
      rl.question(question).then(resolve, () => resolve(null));
    });
  } finally {
    rl.close();
  }
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
