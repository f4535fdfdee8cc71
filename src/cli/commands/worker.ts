import type { ApprovalMode } from '../../approval/approval.js';
import { loadAgentDefinitions } from '../../subagent/load-agent-definitions.js';
import { builtinTools } from '../../tools/builtin-tools.js';
import { detectSandbox } from '../../tools/sandbox.js';
import { CliError, exitCodes } from '../cli-error.js';
import { commandConfigOptions, loadTrustedConfig } from '../config/trusted-config.js';
import type { CliIo } from '../io.js';
import type { WorkerFlags } from '../program.js';
import { projectDir } from '../project-dir.js';
import { chooseProvider, createModel } from '../provider.js';
import { loadBullmq, readyOrFail, redisPlace } from '../redis-option.js';

/**
 * `salvo worker --redis <url>`: runs the subagents `salvo run --redis` coordinators queue, in
 * this folder, with its tools, definitions and the user's model credentials. Nobody is there
 * to approve: calls that would ask are denied. Runs until SIGINT or SIGTERM; resolves with 0,
 * or 130 after a signal.
 */
export async function workerCommand(flags: WorkerFlags, io: CliIo): Promise<number> {
  const cwd = projectDir(io, flags.cwd);
  const { config } = await loadTrustedConfig(commandConfigOptions(cwd, io, flags), io, false);
  const choice = chooseProvider(flags, config, io.env);
  const model = createModel(choice, io.env, {
    maxTokens: config.maxTokens,
    temperature: config.temperature,
    parallelToolCalls: config.parallelToolCalls,
    headers: config.headers,
  });
  const sandbox = (flags.sandbox ?? config.sandbox ?? 'auto') as 'auto' | 'workspace' | 'off';
  if (sandbox !== 'off') {
    const status = await detectSandbox();
    if (!status.available && sandbox === 'workspace') {
      throw new CliError(`--sandbox workspace: ${status.reason ?? 'bubblewrap does not work'}`);
    }
    if (!status.available) {
      io.stderr.write(
        `salvo worker: shell commands run without a sandbox: ${status.reason ?? 'bubblewrap does not work here'}\n`,
      );
    }
  }
  const { definitions, problems } = await loadAgentDefinitions({
    projectDir: cwd,
    homeDir: io.home,
  });
  for (const problem of problems) {
    io.stderr.write(`salvo worker: ${problem.file}: ${problem.message}\n`);
  }
  const { startSubagentWorker } = await loadBullmq();
  let worker: ReturnType<typeof startSubagentWorker>;
  try {
    worker = startSubagentWorker({
      connection: flags.redis,
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      model,
      tools: (root) =>
        builtinTools({
          root,
          sandbox,
          shellNetwork: flags.sandboxNetwork ?? config.sandboxNetwork ?? false,
        }),
      definitions,
      workspace: cwd,
      scheduler: {
        approvalMode: (flags.approval ?? config.approval ?? 'ask') as ApprovalMode,
        maxConcurrency: config.maxConcurrency ?? Infinity,
      },
      onJob: (event) => {
        const status = event.status ? ` ${event.status}` : '';
        io.stderr.write(`salvo worker: ${event.type} ${event.jobId}${status}\n`);
      },
    });
  } catch (error) {
    throw new CliError(`--redis: ${(error as Error).message}`);
  }
  try {
    await readyOrFail(worker.ready(), flags.redis);
  } catch (error) {
    await worker.close({ force: true });
    throw error;
  }
  io.stderr.write(
    `salvo worker ${worker.name}: running subagents from ${redisPlace(flags.redis)} in ${cwd}, ${flags.concurrency ?? 4} at a time (Ctrl-C stops)\n`,
  );
  const stop = () =>
    new Promise<NodeJS.Signals>((resolve) => {
      const on = (signal: NodeJS.Signals) => () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(signal);
      };
      const onInt = on('SIGINT');
      const onTerm = on('SIGTERM');
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
    });
  const signal = await stop();
  io.stderr.write(
    `salvo worker: ${signal}: taking no more subagents; finishing the ${worker.running} running (again: stop them, they end as errors)\n`,
  );
  const finished = await Promise.race([worker.close().then(() => true), stop().then(() => false)]);
  if (!finished) await worker.close({ force: true });
  return exitCodes.cancelled;
}
