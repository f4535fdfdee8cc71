import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { approvalDetails, approvalKeysLines, reasonLine } from './approval-prompt.js';
import type { ApprovalQueue } from './approval-queue.js';
import type { CliIo } from './io.js';
import { PlainRenderer, ProgressState, sanitizePlain as plain } from './progress/index.js';
import type { Reporter, RunEnd } from './reporter.js';
import { endLine, thoughtLine } from './reporter-text.js';
import { retryLine } from './retry-line.js';

/**
 * Output for pipes, logs and CI: the model's text and one line per call transition on stdout,
 * no animation, no colour, no cursor movement. Prompts and warnings go to stderr.
 */
export class PlainReporter implements Reporter {
  readonly #io: CliIo;
  readonly #quiet: boolean;
  // New for every prompt: a session's second prompt starts its clock and counts from zero.
  #state = new ProgressState();
  #renderer = this.#newRenderer();
  #lastHead: ApprovalRequest | undefined;
  /** The reason row after `n` was written. */
  #reasonAsked = false;
  #atLineStart = true;
  /** The model's reasoning of the step so far, not shown yet. */
  #thought = '';

  constructor(io: CliIo, options: { quiet?: boolean } = {}) {
    this.#io = io;
    this.#quiet = options.quiet === true;
  }

  /** Output lines of shell commands are cut to the terminal's width, when there is one. */
  #newRenderer(): PlainRenderer {
    return new PlainRenderer({ columns: () => this.#io.stdout.columns ?? 160 });
  }

  #line(text: string): void {
    if (!this.#atLineStart) this.#io.stdout.write('\n');
    this.#io.stdout.write(`${text}\n`);
    this.#atLineStart = true;
  }

  schedulerEvent(event: SchedulerEvent): void {
    const call = this.#state.onSchedulerEvent(event);
    if (this.#quiet) return;
    for (const line of this.#renderer.lines(event, call)) this.#line(line);
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
    if (this.#thought !== '' && event.type !== 'step-start') {
      this.#line(thoughtLine(plain(this.#thought), this.#io.stdout.columns ?? 100));
      this.#thought = '';
    }
    if (event.type === 'text-delta') {
      const text = plain(event.text);
      if (text === '') return;
      this.#io.stdout.write(text);
      this.#atLineStart = text.endsWith('\n');
    } else if (event.type === 'step-finish' && !this.#atLineStart) {
      this.#io.stdout.write('\n');
      this.#atLineStart = true;
    }
  }

  approvals(queue: ApprovalQueue): void {
    // After `n`: the row the reason is typed on, once (keys are not echoed without a display).
    const draft = queue.reason;
    if (draft && !this.#reasonAsked)
      this.#io.stderr.write(`${reasonLine({ ...draft, text: '' })}\n`);
    this.#reasonAsked = draft !== undefined;
    const head = queue.pending[0];
    if (head?.request === this.#lastHead) return;
    this.#lastHead = head?.request;
    if (!head) return;
    const columns = this.#io.stderr.columns;
    const width = typeof columns === 'number' && columns > 1 ? columns - 1 : 100;
    const waiting = queue.pending.length - 1;
    const lines = [
      ...approvalDetails(head.request, { width, waiting, workspace: queue.rules.workspace }),
      ...approvalKeysLines(queue),
    ];
    for (const line of lines) this.#io.stderr.write(`${line}\n`);
  }

  approvalAnswered(request: ApprovalRequest, approved: boolean): void {
    this.#state.onApproval(request.path, request.callId, approved);
  }

  info(line: string): void {
    this.#io.stderr.write(`${plain(line)}\n`);
  }

  warn(line: string): void {
    this.#io.stderr.write(`salvo: ${plain(line)}\n`);
  }

  runStarted(): void {
    this.#state = new ProgressState();
    this.#renderer = this.#newRenderer();
  }

  runEnded(end: RunEnd): void {
    if (this.#quiet) return;
    this.#line(plain(endLine({ outcomes: this.#state.outcomes, ...end })));
  }

  close(): void {}
}
