// Drives the real `salvo` binary in a real pseudo-terminal (tmux), for end-to-end tests of what
// a person sees: the live display, approval prompts, Ctrl-C. Waits poll the screen for a
// condition with a deadline; nothing waits a fixed time and hopes.

import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seenText } from './progress/sgr-attributes.js';

const run = promisify(execFile);

/** The repository's `bin/salvo.js`. */
export const salvoBin = fileURLToPath(new URL('../../bin/salvo.js', import.meta.url));

let sessions = 0;

export interface TerminalOptions {
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  columns?: number;
  rows?: number;
}

/** A `salvo` process in a tmux pane of its own (its own tmux server, so tests never collide). */
export class TestTerminal {
  readonly #socket: string;
  #closed = false;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  static async start(options: TerminalOptions): Promise<TestTerminal> {
    const socket = `salvo-test-${process.pid}-${++sessions}`;
    const terminal = new TestTerminal(socket);
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, salvoBin, ...options.args].map(quote).join(' ');
    // The shell prints the exit code and keeps the pane, so the test can read both. A Ctrl-C the
    // terminal turns into SIGINT (salvo not in raw mode, or already gone) must not end the shell,
    // the pane and the tmux server with it: the shell catches it while salvo runs (salvo still
    // gets the default SIGINT), then ignores it.
    const script = `trap : INT; ${command}; code=$?; trap '' INT; echo "[exit $code]"; sleep 86400`;
    const env = Object.entries(options.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // The tmux server starts with the test's environment, not this process's (CI=true...).
    await run(
      'tmux',
      [
        '-L',
        socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-x',
        String(options.columns ?? 120),
        '-y',
        String(options.rows ?? 40),
        '-c',
        options.cwd,
        ...env,
        'sh',
        '-c',
        script,
      ],
      { env: options.env },
    );
    return terminal;
  }

  async #tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.#socket, ...args]);
    return stdout;
  }

  /** What the terminal shows now, one string, lines joined with \n (trailing blanks trimmed). */
  async screen(): Promise<string> {
    const text = await this.#tmux('capture-pane', '-p', '-t', '0');
    return text.replace(/\s+$/, '');
  }

  /**
   * The screen as a person sees it: text drawn concealed (SGR 8) or in its background's colour
   * shows as spaces. Trailing blanks trimmed.
   */
  async seenScreen(): Promise<string> {
    const text = await this.#tmux('capture-pane', '-p', '-e', '-t', '0');
    return seenText(text)
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\s+$/, '');
  }

  /** The whole scrollback and screen. */
  async history(): Promise<string> {
    return (await this.#tmux('capture-pane', '-p', '-S', '-', '-t', '0')).replace(/\s+$/, '');
  }

  /** The whole scrollback and screen with the escapes that draw its styles (bold, colours). */
  async styledHistory(): Promise<string> {
    const text = await this.#tmux('capture-pane', '-p', '-e', '-S', '-', '-t', '0');
    return text.replace(/\s+$/, '');
  }

  /**
   * The whole scrollback and screen with the rows the terminal wrapped joined back into the
   * lines that were written (trailing blanks trimmed): a line wider than the pane shows whole.
   */
  async unwrappedHistory(): Promise<string> {
    const text = await this.#tmux('capture-pane', '-p', '-J', '-S', '-', '-t', '0');
    return text
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\s+$/, '');
  }

  /** Resolves with the screen once `test` holds for it; rejects with the last screen after `timeoutMs`. */
  waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    return this.#poll(() => this.history(), test, timeoutMs, 'terminal');
  }

  /**
   * Like `waitFor`, but looks at the visible screen only (not the scrollback), so a test reads
   * one frame of a block redrawn in place rather than what earlier frames left above it.
   */
  waitForScreen(test: RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    return this.#poll(() => this.screen(), test, timeoutMs, 'screen');
  }

  async #poll(
    read: () => Promise<string>,
    test: RegExp | ((screen: string) => boolean),
    timeoutMs: number,
    what: string,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    for (;;) {
      const text = await read();
      if (ok(text)) return text;
      if (Date.now() > deadline) {
        throw new Error(`the ${what} never showed ${String(test)}; it shows:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  /** The exit code, once the program ended. */
  async exitCode(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs);
    return Number(/\[exit (\d+)\]/.exec(screen)?.[1]);
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.#tmux('send-keys', '-t', '0', '-l', text);
  }

  /**
   * Pastes `text` as a terminal does: line breaks sent as Enter (CR), and inside
   * `ESC [200~` … `ESC [201~` when the program has bracketed paste on.
   */
  async paste(text: string): Promise<void> {
    await this.#tmux('set-buffer', '-b', 'salvo-test', text);
    await this.#tmux('paste-buffer', '-p', '-d', '-b', 'salvo-test', '-t', '0');
  }

  /**
   * From now on, everything the program writes to the terminal is appended to `file`, escapes
   * and all (to check what it switched on and off).
   */
  async recordOutput(file: string): Promise<void> {
    const quoted = `'${file.replace(/'/g, `'\\''`)}'`;
    await this.#tmux('pipe-pane', '-o', '-t', '0', `cat >> ${quoted}`);
  }

  /** The terminal's settings as `stty -a` prints them (`-icanon` in raw mode, else `icanon`). */
  async ttySettings(): Promise<string> {
    const tty = (await this.#tmux('display-message', '-p', '-t', '0', '#{pane_tty}')).trim();
    const { stdout } = await run('stty', ['-a', '-F', tty]);
    return stdout;
  }

  /** Sends `signal` to the program the pane runs (the child of its shell). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const shell = (await this.#tmux('display-message', '-p', '-t', '0', '#{pane_pid}')).trim();
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', shell]);
    const pids = stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    if (pids.length !== 1)
      throw new Error(`expected one program in the pane, found ${pids.length}`);
    process.kill(pids[0] as number, signal);
  }

  /** Sends named keys: `Enter`, `C-c`, `C-d`. */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux('send-keys', '-t', '0', ...keys);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      const child = spawn('tmux', ['-L', this.#socket, 'kill-server'], { stdio: 'ignore' });
      child.on('close', () => resolve());
      child.on('error', () => resolve());
    });
    // tmux leaves its socket file behind, in its own default folder (not TMPDIR).
    const uid = process.getuid?.() ?? 0;
    const dir = join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`);
    rmSync(join(dir, this.#socket), { force: true });
  }
}
