import type { ApprovalRequest, ApprovalResponse, Approver } from '../approval/approval.js';
import { claimsConflict } from '../tool/claims.js';
import { editToolNames } from './permissions/permission-rule.js';
import { PermissionRules, type RuleProposal } from './permissions/permission-rules.js';

/** A call waiting for the user's answer. */
export interface PendingApproval {
  request: ApprovalRequest;
  /** When it joined the queue (the queue's clock). */
  since: number;
  settle: (response: ApprovalResponse) => void;
}

/** The keys the queue understands, as the prompt shows them. */
export const approvalKeys = { approve: 'y', deny: 'n', always: 'a' } as const;

/** Keys while a reason is typed after `n`. */
export const reasonKeys = {
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  clearLine: '\u0015',
  deleteWord: '\u0017',
} as const;

/** The longest reason kept, in characters: a sentence or two, not a document. */
export const maxReasonLength = 500;

/** What the model reads when the user says no without a reason. */
export const deniedByUser = 'The user denied this call.';

/** What the model reads when the user says no and why. */
export function deniedWithReason(reason: string): string {
  return `The user denied this call: ${reason}`;
}

/** A reason being typed after `n`: the request it is for stays in the queue until it is sent. */
export interface ReasonDraft {
  request: ApprovalRequest;
  text: string;
  /** The call was cancelled while the reason was typed: Enter or Esc only closes the prompt. */
  withdrawn: boolean;
}

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
  /**
   * Called with one line to show when `a` added a rule (`Rule added: always allow "npm test
   * …" ...`), so the user sees what they granted and where to take it back.
   */
  onRuleAdded?: (line: string) => void;
  /**
   * The user's standing rules: a call they cover is approved without asking, and `a` adds to
   * them. @default an empty set of this queue's own (no edit rules: it has no workspace)
   */
  rules?: PermissionRules;
  now?: () => number;
}

/**
 * Every pending approval in one place, answered one at a time while the approved calls keep
 * running: `y` approves, `n` denies (with a reason typed after it, for the model), `a` approves
 * and adds a scoped rule (a shell command's prefix, the workspace's edits, one other tool) that
 * later calls are approved by without asking. A call cancelled while it waits leaves the queue
 * by itself.
 */
export class ApprovalQueue {
  readonly #pending: PendingApproval[] = [];
  /**
   * Edits that wait to be asked about until an earlier edit of the same file has run: a diff
   * worked out before that would show the file as it will no longer be.
   */
  readonly #deferred: PendingApproval[] = [];
  /** Edits approved whose calls have not finished yet (see {@link callSettled}). */
  readonly #unfinishedEdits = new Set<ApprovalRequest>();
  readonly #rules: PermissionRules;
  readonly #options: ApprovalQueueOptions;
  readonly #proposals = new WeakMap<PendingApproval, RuleProposal>();
  #draft: (ReasonDraft & { entry: PendingApproval }) | undefined;
  #approved = 0;
  #denied = 0;

  constructor(options: ApprovalQueueOptions = {}) {
    this.#options = options;
    this.#rules = options.rules ?? new PermissionRules();
  }

  /** The approver to give the scheduler. */
  readonly approver: Approver = (request) => {
    if (this.#covered(request)) {
      this.#approved++;
      this.#editApproved(request);
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
          if (this.#draft?.entry === entry) this.#draft.withdrawn = true;
          const index = this.#pending.indexOf(entry);
          if (index >= 0) this.#pending.splice(index, 1);
          const deferred = this.#deferred.indexOf(entry);
          if (deferred >= 0) this.#deferred.splice(deferred, 1);
          resolve(response);
          this.#release();
          this.#changed();
        },
      };
      const withdraw = () => entry.settle({ decision: 'deny', reason: 'withdrawn' });
      if (request.signal.aborted) {
        resolve({ decision: 'deny', reason: 'withdrawn' });
        return;
      }
      request.signal.addEventListener('abort', withdraw, { once: true });
      if (this.#editBlocked(entry)) this.#deferred.push(entry);
      else this.#pending.push(entry);
      this.#changed();
    });
  };

  /** Waiting requests, oldest first: the first is the one the prompt asks about. */
  get pending(): readonly PendingApproval[] {
    return this.#pending;
  }

  /** The rules consulted before asking; `/permissions` lists, revokes and saves them. */
  get rules(): PermissionRules {
    return this.#rules;
  }

  /**
   * What `a` would add for a waiting request (the head by default), as the prompt shows it, or
   * why it cannot. Worked out once per request: the rule added is the rule that was shown.
   */
  proposal(entry: PendingApproval | undefined = this.#pending[0]): RuleProposal | undefined {
    if (!entry) return undefined;
    let proposal = this.#proposals.get(entry);
    if (!proposal) {
      try {
        proposal = this.#rules.propose(entry.request);
      } catch {
        proposal = { ok: false, reason: 'this call cannot have a rule' };
      }
      this.#proposals.set(entry, proposal);
    }
    return proposal;
  }

  /** The reason being typed after `n`, if any: keys are its text until Enter or Esc. */
  get reason(): ReasonDraft | undefined {
    const draft = this.#draft;
    if (!draft) return undefined;
    return { request: draft.request, text: draft.text, withdrawn: draft.withdrawn };
  }

  get counts(): { approved: number; denied: number } {
    return { approved: this.#approved, denied: this.#denied };
  }

  /**
   * Answers the oldest request with a key: `y` approves it; `n` starts a reason (the keys that
   * follow are its text: Enter sends it, Esc sends none, Backspace, Ctrl-U and Ctrl-W edit it),
   * then denies with it; `a` approves it and adds the rule {@link proposal} shows, approving
   * every waiting call that rule covers too. Returns true when the key answered or began an
   * answer (the rest of a pasted read is then dropped), false for any other key, for `a` when no
   * rule can be made, for an empty queue and for the text of a reason.
   */
  answer(key: string): boolean {
    if (this.#draft) return this.#typeReason(key);
    const head = this.#pending[0];
    if (!head) return false;
    const choice = key.toLowerCase();
    if (choice === approvalKeys.approve) {
      this.#approve(head);
    } else if (choice === approvalKeys.deny) {
      this.#draft = { entry: head, request: head.request, text: '', withdrawn: false };
      this.#changed();
    } else if (choice === approvalKeys.always) {
      const proposal = this.proposal(head);
      if (!proposal?.ok) return false;
      this.#rules.add(proposal.rules);
      try {
        this.#options.onRuleAdded?.(ruleAddedLine(proposal.label));
      } catch {
        // A display problem must not lose an answer.
      }
      this.#approve(head);
      for (const entry of [...this.#pending, ...this.#deferred]) {
        // A callback may have settled it meanwhile (cancelled its call): it stays as it is.
        const waiting = this.#pending.includes(entry) || this.#deferred.includes(entry);
        if (waiting && this.#covered(entry.request)) this.#approve(entry);
      }
    } else {
      return false;
    }
    return true;
  }

  #typeReason(key: string): boolean {
    const draft = this.#draft as ReasonDraft & { entry: PendingApproval };
    if (key === reasonKeys.enter || key === '\n' || key === reasonKeys.escape) {
      this.#draft = undefined;
      const reason = key === reasonKeys.escape ? '' : draft.text.trim();
      if (this.#pending.includes(draft.entry)) {
        this.#denied++;
        this.#answered(draft.entry.request, false);
        draft.entry.settle({
          decision: 'deny',
          reason: reason === '' ? deniedByUser : deniedWithReason(reason),
        });
      } else {
        this.#changed();
      }
      return true;
    }
    const before = draft.text;
    if (key === reasonKeys.backspace || key === '\b') {
      draft.text = [...draft.text].slice(0, -1).join('');
    } else if (key === reasonKeys.clearLine) {
      draft.text = '';
    } else if (key === reasonKeys.deleteWord) {
      draft.text = draft.text.replace(/\S*\s*$/u, '');
    } else if (isReasonText(key) && [...draft.text].length < maxReasonLength) {
      draft.text += key;
    }
    if (draft.text !== before) this.#changed();
    return false;
  }

  #approve(entry: PendingApproval): void {
    this.#approved++;
    this.#editApproved(entry.request);
    this.#answered(entry.request, true);
    entry.settle('approve');
  }

  /**
   * Tells the queue a call has finished (a scheduler `finished` event): an edit waiting behind
   * it for the same file can now be shown as the diff it will really make.
   */
  callSettled(callId: string, path: readonly string[] = []): void {
    for (const request of this.#unfinishedEdits) {
      if (request.callId === callId && samePath(request.path, path)) {
        this.#unfinishedEdits.delete(request);
      }
    }
    if (this.#release()) this.#changed();
  }

  #editApproved(request: ApprovalRequest): void {
    if (!editToolNames.includes(request.toolName) || request.signal.aborted) return;
    this.#unfinishedEdits.add(request);
    // A call cancelled before it finished never reports: it is not waited for.
    request.signal.addEventListener('abort', () => this.callSettled(request.callId, request.path), {
      once: true,
    });
  }

  /** An edit that touches a file an earlier edit (waiting, deferred or running) touches too. */
  #editBlocked(entry: PendingApproval, before: readonly PendingApproval[] = []): boolean {
    const { request } = entry;
    if (!editToolNames.includes(request.toolName)) return false;
    const earlier = [
      ...this.#unfinishedEdits,
      ...[...this.#pending, ...before].map((e) => e.request),
    ].filter((other) => other !== request && editToolNames.includes(other.toolName));
    return earlier.some((other) =>
      other.claims.some((a) => request.claims.some((b) => claimsConflict(a, b))),
    );
  }

  /** Moves deferred edits no longer behind another edit to the queue, in order. */
  #release(): boolean {
    let moved = false;
    const still: PendingApproval[] = [];
    for (const entry of this.#deferred) {
      if (this.#editBlocked(entry, still)) still.push(entry);
      else {
        this.#pending.push(entry);
        moved = true;
      }
    }
    this.#deferred.splice(0, this.#deferred.length, ...still);
    return moved;
  }

  /** Rules are the user's; a rule check that fails for any reason asks rather than approves. */
  #covered(request: ApprovalRequest): boolean {
    try {
      return this.#rules.covers(request);
    } catch {
      return false;
    }
  }

  /** Denies everything waiting (the run is being cancelled). */
  denyAll(reason: string): void {
    this.#draft = undefined;
    for (const entry of [...this.#pending, ...this.#deferred]) {
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

/** What the user is told when `a` added a rule. */
export function ruleAddedLine(label: string): string {
  return `Rule added: ${label} (/permissions lists and revokes rules, /permissions save keeps them)`;
}

/** One printable character: no control, format, separator or unassigned code point. */
function isReasonText(key: string): boolean {
  return /^[^\p{C}\p{Zl}\p{Zp}]$/u.test(key);
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
