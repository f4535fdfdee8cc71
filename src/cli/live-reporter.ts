import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { approvalInput, approvalPrompt } from './approval-prompt.js';
import type { ApprovalQueue } from './approval-queue.js';
import { type CliIo, useColor } from './io.js';
import {
  LiveView,
  liveRenderer,
  PlainRenderer,
  ProgressState,
  sanitizePlain,
} from './progress/index.js';
import { renderSegments } from './progress/style.js';
import type { Reporter, RunEnd } from './reporter.js';
import { endLine, thoughtLine } from './reporter-text.js';

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
  #finished = new PlainRenderer();
  readonly #view: LiveView;
  /** The model's streamed text left a line unfinished. */
  #lineOpen = false;
  /** The request whose input was printed last: each is printed once, when it reaches the head. */
  #shown: ApprovalRequest | undefined;
  /** The model's reasoning of the step so far, not shown yet. */
  #thought = '';

  #showThought(): void {
    const line = thoughtLine(sanitizePlain(this.#thought), this.#io.stdout.columns ?? 100);
    this.#thought = '';
    this.#print(renderSegments([{ text: line, style: 'dim' }], Infinity, useColor(this.#io)));
  }

  constructor(io: CliIo, options: { quiet?: boolean } = {}) {
    this.#io = io;
    this.#quiet = options.quiet === true;
    this.#view = new LiveView({
      stream: io.stdout,
      render: (frame) => liveRenderer(this.#state, { color: useColor(io) })(frame),
    });
  }

  schedulerEvent(event: SchedulerEvent): void {
    const call = this.#state.onSchedulerEvent(event);
    // Finished calls leave the block for a permanent line; other transitions show in the block.
    const lines = this.#finished.lines(event, call);
    if (this.#quiet || event.type !== 'finished') return;
    for (const line of lines) this.#view.print(line);
  }

  agentEvent(event: AgentEvent): void {
    this.#state.onAgentEvent(event);
    if (this.#quiet) return;
    if (event.type === 'reasoning-delta') {
      this.#thought += event.text;
      return;
    }
    // The reasoning ended: one dimmed line for it, above the answer it led to.
    if (this.#thought !== '' && event.type !== 'step-start') this.#showThought();
    if (event.type === 'text-delta' && event.text !== '') {
      this.#view.write(event.text);
      this.#lineOpen = !event.text.endsWith('\n');
    } else if (event.type === 'step-finish' && this.#lineOpen) {
      // A step that streamed no text (only calls) leaves no empty line.
      this.#view.write('\n');
      this.#lineOpen = false;
    }
  }

  approvals(queue: ApprovalQueue): void {
    const head = queue.pending[0]?.request;
    if (head && head !== this.#shown) {
      // Printed for good rather than kept in the redrawn footer: however many rows it takes,
      // every one stays on the terminal (in its scrollback if need be), and no redraw or resize
      // can cut it. It is out before the prompt, so before any key can answer it.
      const columns = this.#io.stdout.columns ?? 80;
      const input = approvalInput(head, { width: columns - 1, color: useColor(this.#io) });
      this.#print(input.join('\n'));
    }
    this.#shown = head;
    this.#view.setFooter(approvalPrompt(queue));
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
    this.#finished = new PlainRenderer();
    this.#lineOpen = false;
    this.#view.start();
  }

  runEnded(end: RunEnd): void {
    this.#view.stop();
    // Through the view: it ends a line the model left unfinished before this one.
    if (!this.#quiet) this.#view.print(endLine(end));
  }

  close(): void {
    this.#view.stop();
  }
}
