import { type CliIo, useColor } from '../io.js';
import type { TerminalKeys } from '../terminal-keys.js';
import { disableBracketedPaste } from './line-editor.js';
import { PromptHistory } from './prompt-history.js';
import { TerminalInput } from './terminal-input.js';
import { TypeAhead } from './type-ahead.js';

export interface OpenTerminalInputOptions {
  io: CliIo;
  /** The session's folder: its prompt history is the one Up browses. */
  cwd: string;
  /** The command's one reader of keys while a prompt runs: what answers nothing is typed ahead. */
  keys: TerminalKeys;
  /**
   * Shows the line typed ahead while a prompt runs (`''`: nothing typed or queued); `drafting`
   * when a line is being typed.
   */
  showTypeAhead?: (line: string, options: { drafting: boolean }) => void;
  /** Why the history cannot be read or kept, once. */
  warn: (line: string) => void;
  /** Where the signals that end the session are listened for. @default process */
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface OpenedTerminalInput {
  input: TerminalInput;
  /** Aborted by SIGTERM: the session ends after the run in progress (exit 130). */
  stop: AbortSignal;
  /** Stops listening; the keys type ahead no more. */
  close(): void;
}

/**
 * The interactive prompt of `salvo` on a terminal, wired up: the line editor with this folder's
 * history, the type-ahead the command's keys feed while a prompt runs (shown by `showTypeAhead`),
 * SIGTERM ending the session (the run in progress cancels itself), and bracketed paste switched
 * off however the process ends (raw mode node puts back by itself).
 */
export async function openTerminalInput(
  options: OpenTerminalInputOptions,
): Promise<OpenedTerminalInput> {
  const { io, keys } = options;
  const target = options.process ?? process;
  const history = await PromptHistory.open({
    home: io.home,
    folder: options.cwd,
    warn: options.warn,
  });
  const width = () => Math.max(10, (io.stdout.columns ?? 80) - 1);
  const typeAhead: TypeAhead = new TypeAhead({
    onChange: () =>
      options.showTypeAhead?.(typeAhead.view(width()), { drafting: typeAhead.draft.text !== '' }),
  });
  keys.setTypeAhead(typeAhead);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(new Error(signal));
  target.on('SIGTERM', onSignal);
  // A crash or a `process.exit` from a reading phase: the shell gets its pastes plain again.
  const onExit = () => {
    try {
      io.stdout.write(disableBracketedPaste);
    } catch {
      // The terminal is gone.
    }
  };
  target.on('exit', onExit);
  const input = new TerminalInput({
    input: io.stdin,
    output: io.stdout,
    color: useColor(io),
    history,
    typeAhead,
    stop,
    signals: target,
  });
  return {
    input,
    stop: stop.signal,
    close: () => {
      target.off('SIGTERM', onSignal);
      target.off('exit', onExit);
      keys.setTypeAhead(undefined);
      typeAhead.dispose();
    },
  };
}
