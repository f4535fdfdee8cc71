import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { approvalAlwaysRows, approvalDetails, approvalPrompt } from './approval-prompt.js';
import type { ApprovalQueue } from './approval-queue.js';
import { type CliIo, useColor } from './io.js';
import { type MarkdownLayout, MarkdownStream } from './markdown/index.js';
import {
  type LiveFrame,
  LiveView,
  liveRenderer,
  PlainRenderer,
  ProgressState,
  sanitizePlain,
} from './progress/index.js';
import { renderSegments } from './progress/style.js';
import type { Reporter, RunEnd } from './reporter.js';
import { endLine, thoughtLine } from './reporter-text.js';
import { retryLine } from './retry-line.js';

/** Under an approval prompt while a line is typed ahead: why y/n/a type rather than answer. */
export const typingAheadNote =
  '  keys type ahead: Enter queues the line or Ctrl-U clears it to answer';

/** Rows the progress block keeps under the model's text being written: its header and a row. */
const reservedRows = 6;

/**
 * The terminal display: a live block redrawn every 80 ms (the header, subagent groups, one line
 * per running call with its time and progress, waiting calls with the reason), the approval
 * prompt under it, and permanent lines above it for the model's text, finished calls and the
 * whole input of each call the user is asked to approve.
 */
export class LiveReporter implements Reporter {
  readonly #io: CliIo;
  readonly #quiet: boolean;
  // New for every prompt: a session's second prompt starts its clock and counts from zero.
  #state = new ProgressState();
  #finished: PlainRenderer;
  readonly #view: LiveView;
  /** The model's answer as Markdown: finished blocks printed for good, the one being written live. */
  #markdown = new MarkdownStream();
  /** The request whose input was printed last: each is printed once, when it reaches the head. */
  #shown: ApprovalRequest | undefined;
  /** The model's reasoning of the step so far, not shown yet. */
  #thought = '';
  /** The approval prompt's rows, kept under the block. */
  #approvalRows: string[] = [];
  /** What the user types ahead for the next prompt, one line under the approval prompt. */
  #typeAhead = '';
  /** A line is being typed ahead: its keys do not answer the approval prompt. */
  #drafting = false;

  #showThought(): void {
    const line = thoughtLine(sanitizePlain(this.#thought), this.#io.stdout.columns ?? 100);
    this.#thought = '';
    this.#print(renderSegments([{ text: line, style: 'dim' }], Infinity, useColor(this.#io)));
  }

  constructor(io: CliIo, options: { quiet?: boolean } = {}) {
    this.#io = io;
    this.#quiet = options.quiet === true;
    this.#finished = this.#finishedRenderer();
    this.#view = new LiveView({
      stream: io.stdout,
      render: (frame) => this.#frameLines(frame),
    });
  }

  /**
   * The block being written by the model, rendered as it stands (its last rows when it is
   * taller than the room), above the progress block, which keeps its header and a row or two.
   */
  #frameLines(frame: LiveFrame): readonly string[] {
    const color = useColor(this.#io);
    const writing = this.#quiet ? [] : this.#markdown.pending({ width: frame.columns, color });
    const room = Math.max(0, frame.rows - reservedRows);
    const shown = writing.slice(Math.max(0, writing.length - room));
    const block = liveRenderer(this.#state, { color })({
      ...frame,
      rows: frame.rows - shown.length,
    });
    return [...shown, ...block];
  }

  /** Rows as wide as the live view draws them, at the terminal's width now (resizes apply). */
  #layout(): MarkdownLayout {
    const columns = this.#io.stdout.columns;
    const width = typeof columns === 'number' && columns > 0 ? Math.floor(columns) : 80;
    return { width: Math.max(1, width - 1), color: useColor(this.#io) };
  }

  /** Prints the rows of the answer's blocks, each once, for good. */
  #printRows(rows: readonly string[]): void {
    if (rows.length > 0) this.#print(rows.join('\n'));
  }

  /** The answer (or this part of it) is over: whatever of it is still live is printed. */
  #endText(): void {
    this.#printRows(this.#markdown.end(this.#layout()));
  }

  /**
   * Finished calls' permanent lines: `✓`/`✗` first, cut to the terminal's width, a shell
   * command's last output lines under it.
   */
  #finishedRenderer(): PlainRenderer {
    return new PlainRenderer({
      marks: true,
      color: useColor(this.#io),
      columns: () => (this.#io.stdout.columns ?? 80) - 1,
    });
  }

  schedulerEvent(event: SchedulerEvent): void {
    const call = this.#state.onSchedulerEvent(event);
    // Finished calls leave the block for a permanent line; other transitions show in the block.
    const lines = this.#finished.lines(event, call);
    if (this.#quiet || event.type !== 'finished' || lines.length === 0) return;
    // One write for the call's line and its output's tail: the block is redrawn once under them,
    // never between them.
    this.#view.print(lines.join('\n'));
  }

  agentEvent(event: AgentEvent): void {
    this.#state.onAgentEvent(event);
    // A request sent again: one line, whatever else is shown (the wait may be seconds).
    if (event.type === 'retry') {
      this.info(retryLine(event));
      return;
    }
    if (this.#quiet) return;
    if (event.type === 'reasoning-delta') {
      this.#thought += event.text;
      return;
    }
    // The reasoning ended: one dimmed line for it, above the answer it led to.
    if (this.#thought !== '' && event.type !== 'step-start') this.#showThought();
    if (event.type === 'text-delta' && event.text !== '') {
      this.#printRows(this.#markdown.push(event.text, this.#layout()));
    } else if (event.type === 'tool-call' || event.type === 'step-finish') {
      // Text before a call is done: out before the call's line, in the order it was written.
      this.#endText();
    }
  }

  approvals(queue: ApprovalQueue): void {
    const head = queue.pending[0]?.request;
    const columns = this.#io.stdout.columns ?? 80;
    if (head && head !== this.#shown) {
      // Printed for good rather than kept in the redrawn footer: however many rows it takes,
      // every one stays on the terminal (in its scrollback if need be), and no redraw or resize
      // can cut it. It is out before the prompt, so before any key can answer it.
      // Edits and writes show as a diff of their file (the workspace the tools resolve in).
      const shown = approvalDetails(head, {
        width: columns - 1,
        color: useColor(this.#io),
        workspace: queue.rules.workspace,
      });
      // What `a` would add, when the keys row under the block is too narrow to hold it.
      shown.push(...approvalAlwaysRows(queue, columns - 1));
      this.#print(shown.join('\n'));
    }
    this.#shown = head;
    // The keys row says what `a` would add, wrapped rather than cut; after `n`, the reason row.
    this.#approvalRows = approvalPrompt(queue, { width: columns - 1, color: useColor(this.#io) });
    this.#setFooter();
  }

  /**
   * The line typed ahead while a prompt runs (`› next question (queued: 1)`), shown under the
   * block; `''` removes it. `drafting`: a line is being typed, so keys go to it, not to an
   * approval prompt (which then says so).
   */
  setTypeAhead(line: string, options: { drafting?: boolean } = {}): void {
    const drafting = options.drafting === true;
    if (line === this.#typeAhead && drafting === this.#drafting) return;
    this.#typeAhead = line;
    this.#drafting = drafting;
    this.#setFooter();
  }

  #setFooter(): void {
    const rows = [...this.#approvalRows];
    if (rows.length > 0 && this.#drafting) rows.push(typingAheadNote);
    if (this.#typeAhead !== '') rows.push(this.#typeAhead);
    this.#view.setFooter(rows);
  }

  approvalAnswered(request: ApprovalRequest, approved: boolean): void {
    this.#state.onApproval(request.path, request.callId, approved);
  }

  info(line: string): void {
    this.#print(sanitizePlain(line));
  }

  warn(line: string): void {
    this.#print(`salvo: ${sanitizePlain(line)}`);
  }

  #print(line: string): void {
    if (this.#view.active) this.#view.print(line);
    else this.#io.stdout.write(`${line}\n`);
  }

  runStarted(): void {
    this.#state = new ProgressState();
    this.#finished = this.#finishedRenderer();
    this.#markdown = new MarkdownStream();
    this.#view.start();
  }

  runEnded(end: RunEnd): void {
    // A run cancelled or failed mid-block: what the model wrote is not lost.
    if (!this.#quiet) this.#endText();
    this.#view.stop();
    if (!this.#quiet) {
      const width = (this.#io.stdout.columns ?? 80) - 1;
      this.#view.print(endLine({ outcomes: this.#state.outcomes, ...end }, width));
    }
  }

  close(): void {
    if (!this.#quiet) this.#endText();
    this.#view.stop();
  }
}
