// One model request of the HTML report: its bar on the agent's lane (the turn's header row) and
// its hover details.

import type { ModelRequestTrace } from './call-trace.js';
import { escapeHtml as esc, formatCount, formatMs, num } from './html-format.js';

export type ModelPhase = 'model-queued' | 'first-token' | 'streaming';

export interface ModelPhaseSpan {
  phase: ModelPhase;
  start: number;
  end: number;
}

export const modelPhaseTitle: Record<ModelPhase, string> = {
  'model-queued': 'model: waiting for a slot',
  'first-token': 'model: waiting for the first token',
  streaming: 'model: streaming its answer',
};

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** The request's lifetime: queued to the end of its answer (never reversed). */
export function modelSpan(m: ModelRequestTrace): { start: number; end: number } {
  const start = finiteOr(m.queuedAt, 0);
  return { start, end: Math.max(start, finiteOr(m.endedAt, start)) };
}

/** Waiting for a slot, waiting for the first token, streaming: clamped to the request's lifetime. */
export function modelPhases(m: ModelRequestTrace): ModelPhaseSpan[] {
  const { start, end } = modelSpan(m);
  const at = (t: number | undefined, fallback: number) =>
    Math.min(end, Math.max(start, finiteOr(t, fallback)));
  const sent = at(m.sentAt, start);
  const first = at(m.firstTokenAt, end);
  const spans: ModelPhaseSpan[] = [];
  if (sent > start) spans.push({ phase: 'model-queued', start, end: sent });
  if (first > sent) spans.push({ phase: 'first-token', start: sent, end: first });
  if (end > first) spans.push({ phase: 'streaming', start: first, end });
  return spans;
}

export interface ModelBarContext {
  turnId: number;
  origin: number;
  spanMs: number;
}

function percent(t: number, ctx: ModelBarContext): number {
  if (ctx.spanMs <= 0) return 0;
  return Math.min(100, Math.max(0, ((t - ctx.origin) / ctx.spanMs) * 100));
}

/** The request's bar: placed by percent of the axis, its phases inside it. */
export function renderModelBar(m: ModelRequestTrace, ctx: ModelBarContext): string {
  const { start, end } = modelSpan(m);
  const left = percent(start, ctx);
  const width = Math.max(0, percent(end, ctx) - left);
  const length = end - start;
  const segments = modelPhases(m).map((p) => {
    const l = length > 0 ? ((p.start - start) / length) * 100 : 0;
    const w = length > 0 ? ((p.end - p.start) / length) * 100 : 100;
    return (
      `<span class="seg p-${p.phase}" data-phase="${p.phase}" ` +
      `data-start-ms="${num(p.start - ctx.origin)}" data-end-ms="${num(p.end - ctx.origin)}" ` +
      `style="left:${num(l, 4)}%;width:${num(w, 4)}%"></span>`
    );
  });
  const failed = m.finishReason === 'error' || m.finishReason === 'cancelled';
  return (
    `<div class="mbar${failed ? ' m-failed' : ''}${left > 55 ? ' tip-left' : ''}" tabindex="0" ` +
    `data-turn-id="${esc(ctx.turnId)}" data-model="${esc(m.model)}" ` +
    `data-start-ms="${num(start - ctx.origin)}" data-end-ms="${num(end - ctx.origin)}" ` +
    `style="left:${num(left, 4)}%;width:${num(width, 4)}%">` +
    segments.join('') +
    renderModelTip(m, ctx) +
    '</div>'
  );
}

const reasons: Record<string, string> = {
  stop: 'answered',
  'tool-calls': 'made tool calls',
  length: 'hit its output limit',
  'content-filter': 'stopped by a content filter',
  other: 'ended',
  error: 'failed',
  cancelled: 'cancelled',
};

function renderModelTip(m: ModelRequestTrace, ctx: ModelBarContext): string {
  const { start, end } = modelSpan(m);
  const sent = Math.min(end, Math.max(start, finiteOr(m.sentAt, start)));
  const first =
    m.firstTokenAt === undefined ? undefined : Math.min(end, Math.max(sent, m.firstTokenAt));
  const tokens =
    m.inputTokens === undefined && m.outputTokens === undefined
      ? 'not reported'
      : `${formatCount(m.inputTokens ?? 0)} in · ${formatCount(m.outputTokens ?? 0)} out`;
  const items: [string, string][] = [
    ['Queued at', `+${formatMs(start - ctx.origin)}`],
    [
      'Waiting for a slot',
      sent > start
        ? `${formatMs(sent - start)}${m.limitWaitedOn ? ` · on <code>${esc(m.limitWaitedOn)}</code>` : ''}`
        : 'none',
    ],
    ['First token after', first === undefined ? 'none came' : formatMs(first - sent)],
    ['Streaming', first === undefined ? '—' : formatMs(end - first)],
    ['Tokens', tokens],
    ['Answer', esc(reasons[m.finishReason] ?? m.finishReason)],
  ];
  if (m.retries) items.push(['Retries', String(m.retries)]);
  const rows = items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  return (
    '<div class="tip" role="tooltip">' +
    `<div class="tip-head"><b>chat ${esc(m.model)}</b> <span class="muted">${esc(m.provider)} · step ${esc(m.step)}</span></div>` +
    `<dl>${rows}</dl></div>`
  );
}
