import { createInterface } from 'node:readline/promises';
import type { ApprovalMode } from '../../approval/approval.js';
import type { SubagentDispatcher } from '../../subagent/subagent-dispatcher.js';
import type { TurnTrace } from '../../trace/call-trace.js';
import { ApprovalQueue } from '../approval-queue.js';
import { CliError, exitCodes } from '../cli-error.js';
import { commandConfigOptions, loadTrustedConfig } from '../config/trusted-config.js';
import { projectSystemPrompt } from '../context/project-system-prompt.js';
import { attachMentions } from '../input/attach-mentions.js';
import { openTerminalInput } from '../input/open-terminal-input.js';
import { type CliIo, isInteractiveOutput } from '../io.js';
import { LiveReporter } from '../live-reporter.js';
import { PermissionRules } from '../permissions/permission-rules.js';
import type { AgentFlags } from '../program.js';
import { counted } from '../progress/pluralize.js';
import { projectDir } from '../project-dir.js';
import { chooseProvider, createModel } from '../provider.js';
import { redisDispatcher } from '../redis-option.js';
import type { Reporter } from '../reporter.js';
import { createReporter } from '../reporters.js';
import type { Runtime } from '../runtime.js';
import { CliSession } from '../session/cli-session.js';
import { interactive } from '../session/interactive.js';
import { findSession, listSessions, sessionsDir } from '../session/session-store.js';
import { resumeInto, sessionLine } from '../session/slash-commands.js';
import { startRuntime } from '../start-runtime.js';
import { ctrlC, Interrupt, type InterruptSource, TerminalKeys } from '../terminal-keys.js';

const unattended =
  'Not run: it needs approval and salvo ran without a terminal to ask. The user can allow such calls with --approval auto-edit or --approval yolo.';

/** How `runCommand` was called: `salvo run`, `salvo -p` or interactive `salvo`. */
export type RunMode = 'run' | 'print' | 'interactive';

/**
 * `salvo run "<prompt>"` and `salvo -p "<prompt>"` (one prompt, then exit) and `salvo` alone (an
 * interactive session that keeps the conversation). `-c`/`--resume` carry on a saved session.
 * Resolves with the exit code: 0 done, 1 failed, 130 cancelled.
 */
export async function runCommand(
  prompt: string | undefined,
  flags: AgentFlags,
  io: CliIo,
  mode: RunMode = prompt === undefined ? 'interactive' : 'run',
): Promise<number> {
  const cwd = projectDir(io, flags.cwd);
  const fromStdin = prompt === '-';
  if (flags.continue && flags.resume !== undefined) {
    throw new CliError('-c/--continue and --resume both pick a session: give one of them');
  }
  const { config } = await loadTrustedConfig(
    commandConfigOptions(cwd, io, flags),
    io,
    io.stdin.isTTY === true && !fromStdin,
  );
  const choice = chooseProvider(flags, config, io.env);
  const modelSettings = {
    thinking: flags.thinking ?? config.thinking,
    maxTokens: config.maxTokens,
    temperature: config.temperature,
    parallelToolCalls: config.parallelToolCalls,
    headers: config.headers,
  };
  const model = createModel(choice, io.env, modelSettings);
  const first = fromStdin ? await readAll(io.stdin) : prompt;
  if (first !== undefined && first.trim() === '') {
    throw new CliError(
      `the prompt is empty: ${mode === 'print' ? 'salvo -p' : 'salvo run'} "<what to do>"`,
    );
  }
  if (first === undefined && !io.stdin.isTTY) {
    throw new CliError(
      'salvo without a prompt is interactive and needs a terminal: use salvo run "<prompt>" or salvo -p "<prompt>" ("-" reads it from stdin)',
    );
  }
  // Before any server starts: a session that cannot be found is a usage mistake.
  const resumeFile = await sessionToResume(flags, io, cwd);
  const canAsk = io.stdin.isTTY === true && !fromStdin;
  const approvalMode = (flags.approval ?? config.approval ?? 'ask') as ApprovalMode;
  // Print mode: the answer alone on stdout; everything else (calls, approvals, the end line) on
  // stderr.
  const reporterIo = mode === 'print' ? { ...io, stdout: io.stderr } : io;
  const reporter = createReporter(reporterIo, { json: flags.json === true });
  let toldUnattended = false;
  // The user's standing answers for this folder (`a` at a prompt, saved with /permissions save),
  // kept in the user's home: a repository cannot grant itself any.
  const rules = new PermissionRules({ root: cwd, home: io.home });
  const saved = await rules.load();
  for (const problem of saved.problems) reporter.warn(problem);
  if (saved.loaded > 0 && isInteractiveOutput(reporterIo) && flags.json !== true) {
    reporter.info(
      `${counted(saved.loaded, 'saved approval rule')} for this folder in force (/permissions lists them)`,
    );
  }
  const queue = new ApprovalQueue({
    rules,
    onRuleAdded: (line) => reporter.info(line),
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
  const ctrlCTarget: { press: (source?: InterruptSource) => void } = { press: () => {} };
  const keys = new TerminalKeys(
    io.stdin,
    (key) => {
      if (key === ctrlC) {
        ctrlCTarget.press('ctrl-c');
        return false;
      }
      return queue.answer(key);
    },
    {
      // Every key is a reason's after `n`; y/n/a answer while a request waits; the rest is
      // typed ahead (interactive).
      answering: () =>
        queue.reason !== undefined ? 'every' : queue.pending.length > 0 ? 'answer-keys' : 'none',
      ...(io.stdout.isTTY ? { output: io.stdout } : {}),
    },
  );
  let runtime: Runtime | undefined;
  // The project's instruction files (AGENTS.md...) and where the agent is, in the system prompt.
  const systemPrompt = projectSystemPrompt({ cwd, home: io.home, system: config.system });
  for (const line of systemPrompt.warnings) reporter.warn(line);
  let session: CliSession | undefined;
  let dispatcher: SubagentDispatcher | undefined;
  try {
    // Before the MCP servers start: a Redis that does not answer is a usage mistake.
    // The flag wins; a project's `redis` reaches here only from a trusted folder.
    if (flags.redis !== undefined) dispatcher = await redisDispatcher(flags.redis);
    else if (config.redis !== undefined) {
      dispatcher = await redisDispatcher(config.redis, '`redis` in the config');
    }
    runtime = await startRuntime(
      {
        dispatcher,
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
        onEvent: (event) => {
          reporter.schedulerEvent(event);
          if (event.type === 'finished') queue.callSettled(event.callId, event.path);
        },
        onTurnEnd: (trace) => traces.push(trace),
        warn: (line) => reporter.warn(line),
      },
      { io: reporterIo, reporter, keys, ctrlC: ctrlCTarget, json: flags.json === true },
    );
    session = new CliSession({
      io,
      cwd,
      choice,
      model,
      modelFor: (id) => createModel({ ...choice, model: id }, io.env, modelSettings),
      runtime,
      reporter,
      queue,
      traces,
      system: systemPrompt.prompt,
      contextWindow: config.contextWindow,
      // Where parallel calls are off, a batch is how a model asks for several calls at once.
      batchTool: config.batchTool ?? config.parallelToolCalls === false,
      maxSteps: flags.maxSteps ?? config.maxSteps ?? 20,
      ...(flags.transcript ? { transcriptFile: flags.transcript } : {}),
      ...(flags.trace ? { traceFile: flags.trace } : {}),
      keys,
      ctrlC: ctrlCTarget,
      showText: mode !== 'print',
    });
    if (resumeFile) {
      const resumed = await resumeInto(session, resumeFile);
      if (mode === 'interactive' || isInteractiveOutput(reporterIo)) reporter.info(resumed);
    }
    // `@path` mentions attach the file; the model (and the transcript) get it, the user a line.
    const attach = (text: string) =>
      attachMentions(text, { root: cwd, say: (line) => reporter.info(line) });
    if (first === undefined) {
      const active = session;
      const terminal = await openTerminalInput({
        io,
        cwd,
        keys,
        warn: (line) => reporter.warn(line),
        ...(reporter instanceof LiveReporter
          ? {
              showTypeAhead: (line: string, shown: { drafting: boolean }) =>
                reporter.setTypeAhead(line, shown),
            }
          : {}),
      });
      try {
        return await interactive(session, {
          input: terminal.input,
          expandMentions: attach,
          stop: terminal.stop,
          permissions: (args) => permissionsCommand(rules, args, reporter),
          compact: async (instructions) => {
            await active.compact({ instructions });
          },
          beforePrompt: async () => {
            await active.compact({ auto: true });
          },
        });
      } finally {
        terminal.close();
      }
    }
    const sent = await attach(first);
    await session.compact({ auto: true });
    const { exitCode, result } = await session.runPrompt(sent, { canAsk });
    session.stopBackgroundAgents('when the run ended');
    if (mode === 'print' && flags.json !== true && result.text !== '') {
      io.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    }
    return exitCode;
  } finally {
    session?.stopBackgroundAgents('when salvo exited');
    reporter.close();
    try {
      if (runtime) await closeRuntime(runtime, io, ctrlCTarget);
      else await dispatcher?.close?.();
    } finally {
      keys.stop();
    }
  }
}

/** `/permissions`: list the rules, `revoke N`, or `save` them for this folder. */
async function permissionsCommand(
  rules: PermissionRules,
  args: string,
  reporter: Reporter,
): Promise<void> {
  const [verb = '', number, ...extra] = args.split(/\s+/).filter(Boolean);
  if (verb === '' && number === undefined) {
    const lines = rules.list();
    reporter.info(
      lines.length === 0
        ? 'No approval rules yet: answer [a] at an approval prompt to add one.'
        : [
            'Approval rules (/permissions revoke N removes one, /permissions save keeps them):',
            ...lines,
          ].join('\n'),
    );
    return;
  }
  if (verb === 'revoke' && number !== undefined && extra.length === 0) {
    const outcome = await rules.revoke(Number(number));
    (outcome.ok ? reporter.info : reporter.warn).call(reporter, outcome.line);
    return;
  }
  if (verb === 'save' && number === undefined) {
    const outcome = await rules.save();
    (outcome.ok ? reporter.info : reporter.warn).call(reporter, outcome.line);
    return;
  }
  reporter.warn(
    `/permissions ${args}: use /permissions, /permissions revoke N or /permissions save`,
  );
}

/** The session `-c` or `--resume` names, checked before anything starts; undefined for a new one. */
async function sessionToResume(
  flags: AgentFlags,
  io: CliIo,
  cwd: string,
): Promise<string | undefined> {
  if (flags.continue) {
    const [latest] = await listSessions(io.home, { cwd, limit: 1 });
    if (!latest) {
      throw new CliError(
        `no earlier session in ${cwd} to continue (sessions are kept in ${sessionsDir(io.home)}); leave out -c to start one`,
      );
    }
    return latest.file;
  }
  if (flags.resume === undefined) return undefined;
  if (typeof flags.resume === 'string') return await findSession(io.home, flags.resume, cwd);
  // `--resume` alone: pick from this folder's sessions.
  const sessions = await listSessions(io.home, { cwd, limit: 15 });
  if (sessions.length === 0) {
    throw new CliError(`no earlier session in ${cwd} to resume; leave out --resume to start one`);
  }
  const now = new Date();
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      `--resume needs a session id without a terminal to pick one; the latest here: ${sessions
        .slice(0, 3)
        .map((s) => s.id)
        .join(', ')}`,
    );
  }
  io.stdout.write('Resume which session?\n');
  sessions.forEach((s, i) => {
    io.stdout.write(`  ${String(i + 1).padStart(2)}. ${sessionLine(s, now)}\n`);
  });
  const answer = await ask(io, `Number (1-${sessions.length}, Enter for a new session): `);
  const n = Number(answer?.trim());
  if (answer === undefined) throw new CliError('nothing resumed (Ctrl-C)', exitCodes.cancelled);
  return Number.isInteger(n) && n >= 1 && n <= sessions.length ? sessions[n - 1]?.file : undefined;
}

/**
 * Closes the MCP servers; a server may take seconds to go. Ctrl-C meanwhile exits at once, with
 * the servers' processes killed rather than left behind.
 */
async function closeRuntime(
  runtime: Runtime,
  io: CliIo,
  ctrlCTarget: { press: (source?: InterruptSource) => void },
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
