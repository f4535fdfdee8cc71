// One call of the HTML report: its phases, its bar on the time axis, and its hover details.

import { callStatuses } from '../tool/call.js';
import type { CallTrace } from './call-trace.js';
import { escapeHtml as esc, formatMs, num } from './html-format.js';

export type Phase =
  | 'queued'
  | 'conflicts'
  | 'approval'
  | 'slot'
  | 'running'
  | 'subagent'
  | 'shared';

/** The subagent a call started: when it was ready, got its slot, and ended. */
export interface SubagentSpan {
  queuedAt: number;
  startedAt: number;
  endedAt: number;
}

export interface PhaseSpan {
  phase: Phase;
  start: number;
  end: number;
  /** While waiting for conflicts and for approval overlap, each takes half the bar's height. */
  half?: 'upper' | 'lower';
}

const statuses = new Set<unknown>(callStatuses);

/** The status as a CSS class suffix: only known statuses, never text from the trace. */
export function statusClass(status: unknown): string {
  return typeof status === 'string' && statuses.has(status) ? status : 'unknown';
}

export const statusIcon: Record<string, string> = {
  success: '✓',
  error: '✗',
  timeout: '◷',
  denied: '⊘',
  cancelled: '⊖',
  unknown: '?',
};

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** A call's lifetime on the scheduler's clock: queued to settled (never reversed). */
export function callSpan(call: CallTrace): { start: number; end: number } {
  const start = finiteOr(call.queuedAt, 0);
  return { start, end: Math.max(start, finiteOr(call.endedAt, start)) };
}

/** A call that shared another call's run: it never waited for conflicts, slots or a run. */
function follower(call: CallTrace): boolean {
  return call.sharedWith !== undefined && call.startedAt === undefined;
}

function waitedFor(call: CallTrace): readonly string[] {
  return Array.isArray(call.waitedFor) ? call.waitedFor : [];
}

/**
 * The phases to draw, clamped to the call's lifetime: waiting for conflicts (queued until every
 * earlier conflicting call settled; `queued` when there was none and only admission took time),
 * for approval (when one was asked), for a slot (ready until started), running (started until
 * settled), or waiting for the shared result of another call. While it ran, the time its
 * `subagent` waited for a subagent slot is a slot wait, and the time it worked is the
 * subagent's (`subagent`), not the call's own running.
 */
export function callPhases(call: CallTrace, subagent?: SubagentSpan): PhaseSpan[] {
  const { start: q, end: e } = callSpan(call);
  const at = (t: number | undefined, fallback: number) =>
    Math.min(e, Math.max(q, finiteOr(t, fallback)));
  const spans: PhaseSpan[] = [];
  // Admission (parsing, validating, registering claims) comes first when the trace records it.
  const admitted = call.admittedAt === undefined ? q : at(call.admittedAt, e);
  if (admitted > q) spans.push({ phase: 'queued', start: q, end: admitted });
  const conflicts =
    follower(call) && call.conflictsClearedAt === undefined ? q : at(call.conflictsClearedAt, e);
  const conflictPhase =
    waitedFor(call).length > 0 || call.admittedAt !== undefined ? 'conflicts' : 'queued';
  const approved = call.approval === 'auto' ? q : at(call.approvedAt, e);
  // Both waits start at admission: while both last, each takes half the height.
  const both = Math.max(admitted, Math.min(conflicts, approved));
  if (both > admitted) {
    spans.push({ phase: conflictPhase, start: admitted, end: both, half: 'upper' });
    spans.push({ phase: 'approval', start: admitted, end: both, half: 'lower' });
  }
  if (conflicts > both) spans.push({ phase: conflictPhase, start: both, end: conflicts });
  if (approved > both) spans.push({ phase: 'approval', start: both, end: approved });
  if (call.readyAt !== undefined) {
    const ready = at(call.readyAt, q);
    const started = at(call.startedAt, e);
    if (started > ready) spans.push({ phase: 'slot', start: ready, end: started });
  }
  if (call.startedAt !== undefined) {
    const started = at(call.startedAt, q);
    // Its own running time around its subagent's wait and work, which are the subagent's.
    const waitFrom = subagent ? Math.max(started, at(subagent.queuedAt, e)) : e;
    const workFrom = subagent ? Math.max(waitFrom, at(subagent.startedAt, e)) : e;
    const workTo = subagent ? Math.max(workFrom, at(subagent.endedAt, e)) : e;
    const before = spans.length;
    if (waitFrom > started) spans.push({ phase: 'running', start: started, end: waitFrom });
    if (workFrom > waitFrom) spans.push({ phase: 'slot', start: waitFrom, end: workFrom });
    if (workTo > workFrom) spans.push({ phase: 'subagent', start: workFrom, end: workTo });
    if (e > workTo) spans.push({ phase: 'running', start: workTo, end: e });
    // A run too short to measure still ran.
    if (spans.length === before) spans.push({ phase: 'running', start: started, end: e });
  } else if (follower(call)) {
    const from = spans.reduce((t, s) => Math.max(t, s.end), q);
    if (e > from) spans.push({ phase: 'shared', start: from, end: e });
  }
  return spans;
}

/** How long each phase took, by the same rules as the turn summary. */
export function phaseDurations(call: CallTrace) {
  const { start: q, end: e } = callSpan(call);
  const pos = (ms: number) => Math.max(0, ms);
  return {
    conflictsMs:
      follower(call) && call.conflictsClearedAt === undefined
        ? undefined
        : pos(finiteOr(call.conflictsClearedAt, e) - finiteOr(call.admittedAt, q)),
    approvalMs: call.approval === 'auto' ? undefined : pos(finiteOr(call.approvedAt, e) - q),
    slotMs:
      call.readyAt === undefined ? undefined : pos(finiteOr(call.startedAt, e) - call.readyAt),
    runningMs: call.startedAt === undefined ? undefined : pos(e - call.startedAt),
    totalMs: e - q,
  };
}

export interface BarContext {
  turnId: number;
  /** Start of the time axis, on the scheduler's clock. */
  origin: number;
  spanMs: number;
  critical: boolean;
  /** The subagent it started and waited for (see `callPhases`). */
  subagent?: SubagentSpan;
}

/** Percent of the axis, clamped to [0, 100]. */
function percent(t: number, ctx: BarContext): number {
  if (ctx.spanMs <= 0) return 0;
  return Math.min(100, Math.max(0, ((t - ctx.origin) / ctx.spanMs) * 100));
}

const phaseTitle: Record<Phase, string> = {
  queued: 'queued (admission)',
  conflicts: 'waiting for conflicts',
  approval: 'waiting for approval',
  slot: 'waiting for a slot',
  running: 'running',
  subagent: 'its subagent working',
  shared: 'waiting for a shared result',
};

/** The bar of one call: absolutely placed by percent of the axis, its phases inside it. */
export function renderBar(call: CallTrace, ctx: BarContext): string {
  const { start, end } = callSpan(call);
  const left = percent(start, ctx);
  const width = Math.max(0, percent(end, ctx) - left);
  const status = statusClass(call.status);
  const phases = callPhases(call, ctx.subagent);
  const length = end - start;
  const segments = phases.map((p) => {
    const l = length > 0 ? ((p.start - start) / length) * 100 : 0;
    const w = length > 0 ? ((p.end - p.start) / length) * 100 : 100;
    const half = p.half ? ` ${p.half}` : '';
    return (
      `<span class="seg p-${p.phase}${half}" data-phase="${p.phase}" ` +
      `data-start-ms="${num(p.start - ctx.origin)}" data-end-ms="${num(p.end - ctx.origin)}" ` +
      `style="left:${num(l, 4)}%;width:${num(w, 4)}%"></span>`
    );
  });
  const classes = ['bar', `s-${status}`];
  if (ctx.critical) classes.push('crit');
  if (!phases.some((p) => p.phase === 'running')) classes.push('no-run');
  // Details open towards the middle of the chart, so they stay on screen.
  if (left > 55) classes.push('tip-left');
  const note =
    status === 'success'
      ? ''
      : `<span class="note">${statusIcon[status]} ${esc(call.status)}</span>`;
  return (
    `<div class="${classes.join(' ')}" tabindex="0" data-call-id="${esc(call.id)}" ` +
    `data-turn-id="${esc(ctx.turnId)}" data-status="${esc(call.status)}" ` +
    `data-start-ms="${num(start - ctx.origin)}" data-end-ms="${num(end - ctx.origin)}" ` +
    `style="left:${num(left, 4)}%;width:${num(width, 4)}%">` +
    segments.join('') +
    note +
    renderTip(call, ctx) +
    '</div>'
  );
}

function idList(ids: readonly string[]): string {
  return ids.map((id) => `<code>${esc(id)}</code>`).join(', ');
}

/** The hover details: every phase's duration and what the call waited for. */
function renderTip(call: CallTrace, ctx: BarContext): string {
  const d = phaseDurations(call);
  const status = statusClass(call.status);
  const shared = follower(call);
  const after = waitedFor(call);
  let conflicts = d.conflictsMs === undefined ? 'none' : formatMs(d.conflictsMs);
  if (after.length > 0) conflicts += ` · after ${idList(after)}`;
  else if ((d.conflictsMs ?? 0) > 0) conflicts += ' · none conflicting (admission)';
  let slot = d.slotMs === undefined ? (shared ? 'none' : 'never ready') : formatMs(d.slotMs);
  if (call.limitWaitedOn !== undefined) slot += ` · on <code>${esc(call.limitWaitedOn)}</code>`;
  const approval =
    d.approvalMs === undefined ? 'not needed' : `${formatMs(d.approvalMs)} · ${esc(call.approval)}`;
  let running = d.runningMs === undefined ? 'did not run' : formatMs(d.runningMs);
  if (shared) running = `shared the run of <code>${esc(call.sharedWith)}</code>`;
  const yielded = finiteOr(call.slotsYieldedMs, 0);
  if (yielded > 0) running += ` · ${formatMs(yielded)} of it waiting for its subagent`;
  const sub = ctx.subagent;
  if (sub && sub.startedAt > sub.queuedAt) {
    slot = `${formatMs(sub.startedAt - sub.queuedAt)} · its subagent, for a <code>subagent</code> slot`;
  }
  const items: [string, string][] = [
    ['Queued at', `+${formatMs(callSpan(call).start - ctx.origin)}`],
    ['Waiting for conflicts', conflicts],
    ['Waiting for approval', approval],
    ['Waiting for a slot', slot],
    ['Running', running],
    ['Total', formatMs(d.totalMs)],
  ];
  if (call.sharedWith !== undefined) {
    items.push(['Shared result of', `<code>${esc(call.sharedWith)}</code>`]);
  }
  if (Array.isArray(call.limits) && call.limits.length > 0) {
    items.push(['Limits', idList(call.limits)]);
  }
  const rows = items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  const crit = ctx.critical ? '<div class="tip-crit">On the critical path</div>' : '';
  return (
    '<div class="tip" role="tooltip">' +
    `<div class="tip-head"><code>${esc(call.id)}</code> <b>${esc(call.name)}</b> ` +
    `<span class="pill s-${status}">${statusIcon[status]} ${esc(call.status)}</span></div>` +
    `<dl>${rows}</dl>${crit}</div>`
  );
}

/** Phase names for the legend, in drawing order. */
export const phaseLegend: readonly [Phase, string][] = (
  ['queued', 'conflicts', 'approval', 'slot', 'running', 'subagent', 'shared'] as const
).map((p) => [p, phaseTitle[p]]);
