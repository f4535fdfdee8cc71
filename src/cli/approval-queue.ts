import type { ApprovalRequest, ApprovalResponse, Approver } from '../approval/approval.js';

/** A call waiting for the user's answer. */
export interface PendingApproval {
  request: ApprovalRequest;
  /** When it joined the queue (the queue's clock). */
  since: number;
  settle: (response: ApprovalResponse) => void;
}

/** The keys the queue understands, as the prompt shows them. */
export const approvalKeys = { approve: 'y', deny: 'n', approveTool: 'a' } as const;

export interface ApprovalQueueOptions {
  /** Called whenever the queue changes (a request came, was answered or withdrawn). */
  onChange?: () => void;
  /**
   * Answers requests when nobody can be asked (no terminal): the reason goes to the model.
   * `undefined`: requests wait in the queue for `answer`.
   */
  unattended?: string;
  /** Called for each request answered by `unattended` (to tell the user once). */
  onUnattended?: (request: ApprovalRequest) => void;
  /** Called when the user answers a request (not for withdrawn or unattended ones). */
  onAnswer?: (request: ApprovalRequest, approved: boolean) => void;
  now?: () => number;
}

/**
 * Every pending approval in one place, answered one at a time (approve, deny, or approve every
 * call of that tool for the session) while the approved calls keep running. A call cancelled
 * while it waits leaves the queue by itself.
 */
export class ApprovalQueue {
  readonly #pending: PendingApproval[] = [];
  readonly #approvedTools = new Set<string>();
  readonly #options: ApprovalQueueOptions;
  #approved = 0;
  #denied = 0;

  constructor(options: ApprovalQueueOptions = {}) {
    this.#options = options;
  }

  /** The approver to give the scheduler. */
  readonly approver: Approver = (request) => {
    if (this.#approvedTools.has(request.toolName)) {
      this.#approved++;
      return 'approve';
    }
    if (this.#options.unattended !== undefined) {
      this.#denied++;
      try {
        this.#options.onUnattended?.(request);
      } catch {
        // Telling the user is best effort; the answer stands.
      }
      return { decision: 'deny', reason: this.#options.unattended };
    }
    return new Promise<ApprovalResponse>((resolve) => {
      const entry: PendingApproval = {
        request,
        since: this.#options.now ? this.#options.now() : performance.now(),
        settle: (response) => {
          request.signal.removeEventListener('abort', withdraw);
          const index = this.#pending.indexOf(entry);
          if (index >= 0) this.#pending.splice(index, 1);
          resolve(response);
          this.#changed();
        },
      };
      const withdraw = () => entry.settle({ decision: 'deny', reason: 'withdrawn' });
      if (request.signal.aborted) {
        resolve({ decision: 'deny', reason: 'withdrawn' });
        return;
      }
      request.signal.addEventListener('abort', withdraw, { once: true });
      this.#pending.push(entry);
      this.#changed();
    });
  };

  /** Waiting requests, oldest first: the first is the one the prompt asks about. */
  get pending(): readonly PendingApproval[] {
    return this.#pending;
  }

  /** Tools the user approved for the rest of the session. */
  get approvedTools(): ReadonlySet<string> {
    return this.#approvedTools;
  }

  get counts(): { approved: number; denied: number } {
    return { approved: this.#approved, denied: this.#denied };
  }

  /**
   * Answers the oldest request with a key: `y` approves it, `n` denies it, `a` approves it and
   * every call of its tool from now on. Returns false for any other key or an empty queue.
   */
  answer(key: string): boolean {
    const head = this.#pending[0];
    if (!head) return false;
    const choice = key.toLowerCase();
    if (choice === approvalKeys.approve) {
      this.#approved++;
      this.#answered(head.request, true);
      head.settle('approve');
    } else if (choice === approvalKeys.deny) {
      this.#denied++;
      this.#answered(head.request, false);
      head.settle({ decision: 'deny', reason: 'The user denied this call.' });
    } else if (choice === approvalKeys.approveTool) {
      const tool = head.request.toolName;
      this.#approvedTools.add(tool);
      for (const entry of this.#pending.filter((p) => p.request.toolName === tool)) {
        // A callback may have settled it meanwhile (cancelled its call): it stays as it is.
        if (!this.#pending.includes(entry)) continue;
        this.#approved++;
        this.#answered(entry.request, true);
        entry.settle('approve');
      }
    } else {
      return false;
    }
    return true;
  }

  /** Denies everything waiting (the run is being cancelled). */
  denyAll(reason: string): void {
    for (const entry of [...this.#pending]) {
      this.#denied++;
      entry.settle({ decision: 'deny', reason });
    }
  }

  #answered(request: ApprovalRequest, approved: boolean): void {
    try {
      this.#options.onAnswer?.(request, approved);
    } catch {
      // A display problem must not lose an answer.
    }
  }

  #changed(): void {
    try {
      this.#options.onChange?.();
    } catch {
      // A display problem must not lose an answer.
    }
  }
}
