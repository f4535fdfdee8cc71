import { spawn } from 'node:child_process';
import { OutputCap } from './output-cap.js';

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** A command line for `sh -c`. */
  command: string;
  /** The folder it runs in. */
  cwd: string;
  /** Output kept: the first half and the last half of stdout and stderr, interleaved. */
  maxOutputBytes: number;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The shell. @default '/bin/sh' */
  shell?: string;
  /**
   * Stops the command: its whole process group gets SIGTERM, then SIGKILL after `killGraceMs`.
   * The promise then rejects with the signal's reason, once the shell has exited.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  killGraceMs?: number;
  /**
   * How the shell is started: given `[shell, '-c', command]`, the program and arguments to
   * spawn instead (a sandbox around it). @default the shell itself
   */
  launcher?: (argv: readonly string[]) => [string, string[]];
}

/** How a command ended. */
export interface CommandResult {
  /** The exit code, or `null` when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** stdout and stderr as they arrived, capped (see {@link OutputCap}). */
  output: string;
  totalBytes: number;
  droppedBytes: number;
}

/**
 * Runs a command line in a shell of its own process group (POSIX only), stdin closed, and resolves
 * when it has exited and its output is closed. On abort the whole group is killed, so nothing it
 * started keeps running; every listener and timer is removed whichever way it ends.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const {
    command,
    cwd,
    maxOutputBytes,
    env = process.env,
    shell = '/bin/sh',
    signal,
    killGraceMs = 2000,
    launcher,
  } = options;
  return new Promise<CommandResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const [file, args] = launcher ? launcher([shell, '-c', command]) : [shell, ['-c', command]];
    const child = spawn(file, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cap = new OutputCap({ maxBytes: maxOutputBytes });
    const collect = (chunk: Buffer) => cap.push(chunk);
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);

    let settled = false;
    let aborted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is gone already.
      }
    };
    const cleanup = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (graceTimer) clearTimeout(graceTimer);
      graceTimer = undefined;
    };
    const hasExited = () => child.exitCode !== null || child.signalCode !== null;
    /** After an abort, once the shell is gone: kill what is left of the group and reject. */
    const finishAborted = () => {
      if (settled) return;
      cleanup();
      killGroup('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      reject(signal?.reason);
    };
    const onAbort = () => {
      aborted = true;
      if (hasExited()) {
        finishAborted();
        return;
      }
      killGroup('SIGTERM');
      graceTimer = setTimeout(() => {
        graceTimer = undefined;
        killGroup('SIGKILL');
      }, killGraceMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      if (settled) return;
      cleanup();
      killGroup('SIGKILL');
      reject(error);
    });
    child.on('exit', () => {
      if (aborted) finishAborted();
    });
    child.on('close', (exitCode, exitSignal) => {
      if (settled) return;
      if (aborted) {
        finishAborted();
        return;
      }
      cleanup();
      resolve({
        exitCode,
        signal: exitSignal,
        output: cap.text(),
        totalBytes: cap.totalBytes,
        droppedBytes: cap.droppedBytes,
      });
    });
  });
}
