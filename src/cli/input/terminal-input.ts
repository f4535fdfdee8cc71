import { renderSegments } from '../progress/style.js';
import type { PromptInput } from '../session/interactive.js';
import { type Draft, EditBuffer } from './edit-buffer.js';
import { type EditorInput, type EditorOutput, LineEditor } from './line-editor.js';
import type { PromptHistory } from './prompt-history.js';
import { layoutPrompt } from './prompt-layout.js';
import type { TypeAhead } from './type-ahead.js';

export interface TerminalInputOptions {
  input: EditorInput;
  output: EditorOutput;
  /** Dim hints and colored paste labels. @default false */
  color?: boolean;
  /** The folder's prompt history: Up and Down browse it, every prompt sent is added. */
  history?: PromptHistory;
  /** What is typed while a prompt runs (its keys are fed by the command's `TerminalKeys`). */
  typeAhead: TypeAhead;
  /**
   * Aborted when the session must end (SIGTERM): a read in progress ends as if the user left.
   * A SIGINT during a read (nothing to cancel then) aborts it too.
   */
  stop?: AbortController;
  /** Where SIGINT is listened for during a read. @default process */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Passed to the editor. */
  editor?: { exitWindowMs?: number; now?: () => number };
}

/** Rows a prompt typed ahead takes at most when it is shown as sent. */
const shownRows = 12;

/**
 * The interactive prompt on a terminal: the line editor with the folder's history, started with
 * what was typed ahead while the last prompt ran; the prompts queued meanwhile, to send next.
 */
export class TerminalInput implements PromptInput {
  readonly #options: TerminalInputOptions;
  readonly #editor: LineEditor;
  /** Prompts typed ahead of a cancelled run: back in the editor rather than sent. */
  #putBack: string[] = [];

  constructor(options: TerminalInputOptions) {
    this.#options = options;
    this.#editor = new LineEditor({
      input: options.input,
      output: options.output,
      color: options.color === true,
      ...options.editor,
    });
  }

  async read(): Promise<string | null | undefined> {
    const { typeAhead, history } = this.#options;
    const draft = typeAhead.takeDraft();
    const prefill = this.#prefill(draft);
    const result = await this.#readEditor({
      history: history?.entries ?? [],
      ...(prefill === undefined ? {} : { prefill }),
    });
    if (result === undefined || result.kind !== 'line') return null;
    // Typed after the Enter, in the same read: ahead of the next prompt.
    typeAhead.replay(this.#editor.takeTypedAhead());
    // Saved before the prompt runs: a crash or Ctrl-C during it does not lose it.
    await history?.add(result.text);
    return result.text;
  }

  async ask(question: string): Promise<string | undefined> {
    const result = await this.#readEditor({ prompt: question });
    return result?.kind === 'line' ? result.text : undefined;
  }

  takeQueued(): string[] {
    const prompts: string[] = [];
    for (let next = this.#options.typeAhead.next(); next !== undefined; ) {
      prompts.push(next);
      next = this.#options.typeAhead.next();
    }
    return prompts;
  }

  putBack(prompts: readonly string[]): void {
    this.#putBack.push(...prompts);
  }

  /** A prompt typed ahead, shown as it is sent: as the editor showed it, `› ` and its lines. */
  show(prompt: string): void {
    const { output } = this.#options;
    const columns = typeof output.columns === 'number' && output.columns > 0 ? output.columns : 80;
    const layout = layoutPrompt({
      prompt: '› ',
      units: EditBuffer.of(prompt).units,
      cursor: 0,
      columns,
      maxRows: shownRows,
    });
    const color = this.#options.color === true;
    const rows = layout.rows.map((row) => renderSegments(row, Number.MAX_SAFE_INTEGER, color));
    output.write(`${rows.join('\n')}\n`);
    void this.#options.history?.add(prompt);
  }

  /** The put-back prompts, each on a line of its own, then the draft. */
  #prefill(draft: Draft | undefined): string | Draft | undefined {
    if (this.#putBack.length === 0) return draft;
    const text = [...this.#putBack, ...(draft ? [draft.text] : [])].join('\n');
    this.#putBack = [];
    return text;
  }

  /** One editor read; `undefined` when the session is being stopped. */
  async #readEditor(
    options: Parameters<LineEditor['read']>[0] & object,
  ): Promise<Awaited<ReturnType<LineEditor['read']>> | undefined> {
    const { stop } = this.#options;
    if (stop?.signal.aborted) return undefined;
    const signals = this.#options.signals ?? process;
    // In raw mode Ctrl-C is a key: a SIGINT comes from `kill`, and ends the session.
    const onSigint = () => stop?.abort(new Error('SIGINT'));
    if (stop) signals.on('SIGINT', onSigint);
    try {
      return await this.#editor.read({ ...options, ...(stop ? { signal: stop.signal } : {}) });
    } catch (error) {
      if (stop?.signal.aborted) return undefined;
      throw error;
    } finally {
      if (stop) signals.off('SIGINT', onSigint);
    }
  }
}
