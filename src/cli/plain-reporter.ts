import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { approvalInput, approvalKeysLine } from './approval-prompt.js';
import type { ApprovalQueue } from './approval-queue.js';
import type { CliIo } from './io.js';
import { PlainRenderer, ProgressState, sanitizePlain as plain } from './progress/index.js';
import type { Reporter, RunEnd } from './reporter.js';
import { endLine, thoughtLine } from './reporter-text.js';

/**
 * Output for pipes, logs and CI: the model's text and one line per call transition on stdout,
 * no animation, no colour, no cursor movement. Prompts and warnings go to stderr.
 */
export class PlainReporter implements Reporter {
  readonly #io: CliIo;
  readonly #quiet: boolean;
  // New for every prompt: a session's second prompt starts its clock and counts from zero.
  #state = new ProgressState();
  #renderer = new PlainRenderer();
  #lastHead: ApprovalRequest | undefined;
  #atLineStart = true;
  /** The model's reasoning of the step so far, not shown yet. */
  #thought = '';

  constructor(io: CliIo, options: { quiet?: boolean } = {}) {
    this.#io = io;
    this.#quiet = options.quiet === true;
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
    const head = queue.pending[0];
    if (head?.request === this.#lastHead) return;
    this.#lastHead = head?.request;
    if (!head) return;
    const columns = this.#io.stderr.columns;
    const width = typeof columns === 'number' && columns > 1 ? columns - 1 : 100;
    const waiting = queue.pending.length - 1;
    const lines = [
      ...approvalInput(head.request, { width, waiting }),
      approvalKeysLine(head.request),
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
    this.#renderer = new PlainRenderer();
  }

  runEnded(end: RunEnd): void {
    if (this.#quiet) return;
    this.#line(plain(endLine(end)));
  }

  close(): void {}
}
