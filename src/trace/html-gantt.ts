// The HTML report's Gantt chart: a time axis, then per turn a header row on the agent's lane
// (its model request's bar) and one row per call.

import { callKey } from './agent-runs.js';
import { phaseLegend, renderBar, statusClass, statusIcon } from './html-call.js';
import { axisTicks, escapeHtml as esc, formatMs, formatTick, num } from './html-format.js';
import type { ChartTotals, ReportRow } from './html-layout.js';
import { modelPhaseTitle, renderModelBar } from './html-model.js';
import { agentOf } from './html-summary.js';

function renderLegend(withModel: boolean): string {
  const model = withModel
    ? (['first-token', 'streaming'] as const).map(
        (p) => `<span><i class="p-${p}"></i>${modelPhaseTitle[p]}</span>`,
      )
    : [];
  const phases = phaseLegend
    .filter(([phase]) => phase !== 'running' && phase !== 'shared' && phase !== 'subagent')
    .map(([phase, text]) => `<span><i class="p-${phase}"></i>${text}</span>`);
  const runs = ['success', 'error', 'timeout', 'cancelled'].map(
    (s) => `<span><i class="p-running bar-key s-${s}"></i>running → ${s}</span>`,
  );
  const subagent = '<span><i class="p-subagent bar-key s-success"></i>its subagent working</span>';
  return (
    '<div class="legend" aria-label="Legend">' +
    model.join('') +
    phases.join('') +
    runs.join('') +
    subagent +
    '<span><i class="p-shared bar-key s-success"></i>shared result</span>' +
    '<span><i class="crit-key"></i>critical path</span>' +
    '</div>'
  );
}

function renderAxis(totals: ChartTotals): string {
  const { step, ticks } = axisTicks(totals.spanMs);
  const marks = ticks.map((t, i) => {
    const left = totals.spanMs > 0 ? (t / totals.spanMs) * 100 : 0;
    const edge = i === 0 ? ' first' : left > 97 ? ' last' : '';
    return `<span class="tick${edge}" style="left:${num(left, 4)}%">${formatTick(t, step, totals.spanMs)}</span>`;
  });
  const grid = ticks
    .slice(1)
    .map((t) => `<i style="left:${num((t / totals.spanMs) * 100, 4)}%"></i>`)
    .join('');
  return `<div class="axis"><div class="head">Agent · call</div><div class="track" data-chart-area>${marks.join('')}</div><div></div></div><div class="grid">${grid}</div>`;
}

export function renderChart(rows: readonly ReportRow[], totals: ChartTotals): string {
  const drawn = rows.filter((r) => r.kind === 'call' || (r.kind === 'turn' && r.turn.model));
  if (drawn.length === 0) {
    return '<section aria-label="Calls"><h2>Timeline</h2><div class="gantt"><p class="empty">No calls were traced.</p></div></section>';
  }
  const withModel = rows.some((r) => r.kind === 'turn' && r.turn.model);
  const pct = (t: number) =>
    totals.spanMs > 0 ? Math.min(100, Math.max(0, ((t - totals.origin) / totals.spanMs) * 100)) : 0;
  const out: string[] = [];
  for (const row of rows) {
    const pad = `style="padding-left:${10 + Math.min(row.depth, 8) * 18}px"`;
    const nest = row.depth > 0 ? '<span class="nest">↳</span>' : '';
    if (row.kind === 'turn') {
      const { turn } = row;
      const n = Array.isArray(turn.calls) ? turn.calls.length : 0;
      const m = turn.model;
      const title = [
        `Turn ${turn.turnId} · ${agentOf(turn)}`,
        m ? `chat ${m.model} ${formatMs(Math.max(0, m.endedAt - m.queuedAt))}` : '',
        `${n} call${n === 1 ? '' : 's'}`,
        row.parentCall ? `under ${row.parentCall.id}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      let track: string;
      if (m) {
        track = renderModelBar(m, {
          turnId: turn.turnId,
          origin: totals.origin,
          spanMs: totals.spanMs,
        });
      } else {
        const left = pct(turn.startedAt);
        const width = Math.max(0, pct(turn.endedAt) - left);
        track = `<div class="turn-span" style="left:${num(left, 4)}%;width:${num(width, 4)}%"></div>`;
      }
      out.push(
        `<div class="row turn${row.depth > 0 ? ' nested' : ''}" data-turn-id="${esc(turn.turnId)}">` +
          `<div class="label" ${pad} title="${esc(title)}">${nest}` +
          `<span class="turn-no">Turn ${esc(turn.turnId)}</span>` +
          `<span class="agent">${esc(agentOf(turn))}</span>` +
          (m ? `<span class="kind">chat ${esc(m.model)}</span>` : '') +
          `</div><div class="track">${track}</div><div></div></div>`,
      );
      continue;
    }
    const { call, turn, critical } = row;
    const cls = statusClass(call.status);
    const subagent = totals.subagents.get(callKey(turn.turnId, call.id));
    const bar = renderBar(call, {
      turnId: turn.turnId,
      origin: totals.origin,
      spanMs: totals.spanMs,
      critical,
      ...(subagent ? { subagent } : {}),
    });
    out.push(
      `<div class="row call${critical ? ' crit' : ''}">` +
        `<div class="label" ${pad} title="${esc(`${call.id} ${call.name} (${call.status})`)}">${nest}` +
        `<span class="icon s-${cls}">${statusIcon[cls]}</span>` +
        `<span class="name">${esc(call.name)}</span>` +
        `<span class="id mono">${esc(call.id)}</span>` +
        (critical ? '<span class="badge">critical</span>' : '') +
        `</div><div class="track">${bar}</div><div></div></div>`,
    );
  }
  return (
    `<section aria-label="Calls"><h2>Timeline</h2>${renderLegend(withModel)}<div class="gantt"><div class="rows">` +
    renderAxis(totals) +
    out.join('') +
    '</div></div></section>'
  );
}
