import type { TurnTrace } from './call-trace.js';
import { phaseLegend, renderBar, statusClass, statusIcon } from './html-call.js';
import {
  axisTicks,
  escapeHtml as esc,
  formatCapacity,
  formatMs,
  formatPercent,
  formatRatio,
  formatTick,
  num,
} from './html-format.js';
import { type ChartTotals, layoutReport, type ReportRow } from './html-layout.js';
import { reportCss } from './html-style.js';
import { type RunSummary, summarizeRun } from './summarize-run.js';

export interface HtmlReportOptions {
  /**
   * The page's title and heading.
   * @default 'salvo run report'
   */
  title?: string;
}

/**
 * A self-contained HTML page (inline CSS, no script, no network) showing the run as a Gantt chart.
 *
 * On top, the run's summary from `summarizeRun` (wall, work, parallelism, efficiency, time lost
 * to conflicts, approval and slots, what was waited on, the slowest calls, one recommendation)
 * and each turn's summary (wall, parallelism, critical path, lower bound, efficiency, waits); below, one row per call on a shared
 * time axis, grouped by turn, with subagent turns nested under the call that ran them. Each bar
 * spans the call from queued to settled and shows its phases in distinct colours: waiting for
 * conflicts, for approval, for a slot, then running (coloured by status). Calls on a turn's
 * critical path are outlined; hovering a row (or focusing its bar) shows every phase's duration.
 *
 * The chart is plain HTML placed by percentages of the run's span: it needs no script (the page
 * has none) and loads nothing (a Content-Security-Policy forbids it). Every string from the trace
 * is escaped. Bars carry `data-call-id`, `data-turn-id`, `data-start-ms` and `data-end-ms` (ms
 * from the start of the axis); their phase segments carry `data-phase`.
 *
 * @param trace One turn's trace, or every turn of a run (subagent turns included).
 */
export function renderHtmlReport(
  trace: TurnTrace | readonly TurnTrace[],
  options: HtmlReportOptions = {},
): string {
  const traces: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const title = options.title ?? 'salvo run report';
  const turns = traces.filter((t) => typeof t === 'object' && t !== null);
  const { rows, totals } = layoutReport(turns);
  const run = summarizeRun(turns);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Nothing may load: no scripts, fonts, images or requests, whatever a string slipped in.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${reportCss}</style></head><body>`,
    `<header><h1>${esc(title)}</h1>${renderCounts(run, totals)}</header>`,
    renderRunSummary(run, totals),
    renderTurnTable(rows),
    renderChart(rows, totals),
    '<p class="foot">Times are milliseconds on the scheduler’s clock. Parallelism = work / wall. ',
    'Efficiency = the lower bound a perfect scheduler could reach / wall. ',
    'Hover a row (or focus a bar with Tab) for details.</p>',
    embedTurns(turns),
    '</body></html>',
  ].join('');
}

function renderCounts(run: RunSummary, totals: ChartTotals): string {
  const parts = [
    `<span class="count">${run.turns} turn${run.turns === 1 ? '' : 's'}</span>`,
    `<span class="count">${run.calls} call${run.calls === 1 ? '' : 's'}</span>`,
  ];
  for (const [status, count] of totals.statuses) {
    const cls = statusClass(status);
    parts.push(
      `<span class="count"><span class="icon s-${cls}">${statusIcon[cls]}</span> ${count} ${esc(status)}</span>`,
    );
  }
  return `<p class="sub">${parts.join('')}</p>`;
}

function card(label: string, metric: string, value: string, note = '', extra = ''): string {
  const small = note ? `<small>${note}</small>` : '';
  return `<div class="card${extra}"><dt>${label}</dt><dd data-metric="${metric}">${value}</dd>${small}</div>`;
}

const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;

function renderRunSummary(run: RunSummary, totals: ChartTotals): string {
  const { lost } = run;
  const slotMs = lost.limits.reduce((sum, l) => sum + l.ms, 0);
  const slotCalls = lost.limits.reduce((sum, l) => sum + l.calls, 0);
  const limits = [...totals.limits]
    .map(([name, capacity]) => `<code>${esc(name)}</code> ${esc(formatCapacity(capacity))}`)
    .join(', ');
  const details: string[] = [];
  if (lost.limits.length > 0) {
    const items = lost.limits.map(
      (l) =>
        `<li><code>${esc(l.limit)}</code> (${esc(formatCapacity(l.capacity))}): ${calls(l.calls)}, ${formatMs(l.ms)}</li>`,
    );
    details.push(`<div><h3>Waited on limits</h3><ul>${items.join('')}</ul></div>`);
  }
  if (lost.conflicts.blockers.length > 0) {
    const items = lost.conflicts.blockers
      .slice(0, 5)
      .map(
        (b) =>
          `<li><code>${esc(b.id)}</code> ${esc(b.name)}${b.exclusive ? ' (exclusive)' : ''}: ${calls(b.calls)}, ${formatMs(b.ms)}</li>`,
      );
    details.push(`<div><h3>Waited behind</h3><ul>${items.join('')}</ul></div>`);
  }
  if (run.slowest.length > 0) {
    const items = run.slowest.map(
      (c) => `<li><code>${esc(c.id)}</code> ${esc(c.name)}: ${formatMs(c.runMs)}</li>`,
    );
    details.push(`<div><h3>Slowest calls</h3><ul>${items.join('')}</ul></div>`);
  }
  return (
    '<section aria-label="Run summary"><h2>Run</h2><dl class="cards">' +
    card('Wall', 'wall', formatMs(run.wallMs), 'first queued to last result') +
    card('Work', 'work', formatMs(run.workMs), 'running time, summed') +
    card('Parallelism', 'parallelism', formatRatio(run.parallelism), 'work / wall') +
    card('Efficiency', 'efficiency', formatPercent(run.efficiency), 'lower bound / wall') +
    card(
      'Lost to conflicts',
      'conflicts',
      formatMs(lost.conflicts.ms),
      calls(lost.conflicts.calls),
      ' wait w-conflicts',
    ) +
    card(
      'Lost to approval',
      'approval',
      formatMs(lost.approvals.ms),
      calls(lost.approvals.calls),
      ' wait w-approval',
    ) +
    card('Lost to slots', 'slots', formatMs(slotMs), calls(slotCalls), ' wait w-slot') +
    '</dl>' +
    `<p class="advice" data-metric="recommendation">${esc(run.recommendation)}</p>` +
    (details.length > 0 ? `<div class="details">${details.join('')}</div>` : '') +
    (limits ? `<p class="limits">Limits in force: ${limits}</p>` : '') +
    '</section>'
  );
}

/** Who ran a turn: `root`, or the subagent path joined by ' > '. */
function agentOf(turn: TurnTrace): string {
  const path = Array.isArray(turn.path) ? turn.path : [];
  return path.length === 0 ? 'root' : path.map(String).join(' > ');
}

function criticalChain(ids: readonly string[]): string {
  const code = (list: readonly string[]) => list.map((id) => `<code>${esc(id)}</code>`);
  const shown =
    ids.length > 7 ? [...code(ids.slice(0, 3)), '…', ...code(ids.slice(-3))] : code(ids);
  return shown.join(' → ');
}

function renderTurnTable(rows: readonly ReportRow[]): string {
  const body: string[] = [];
  for (const row of rows) {
    if (row.kind !== 'turn') continue;
    const { turn, depth } = row;
    const s = turn.summary;
    const indent =
      depth > 0 ? `${'&nbsp;&nbsp;&nbsp;'.repeat(depth)}<span class="nest">↳</span> ` : '';
    body.push(
      `<tr data-turn-id="${esc(turn.turnId)}"><td>${esc(turn.turnId)}</td>` +
        `<td class="path">${indent}${esc(agentOf(turn))}</td>` +
        `<td>${Array.isArray(turn.calls) ? turn.calls.length : 0}</td>` +
        `<td>${formatMs(s.wallMs)}</td><td>${formatMs(s.workMs)}</td>` +
        `<td>${formatRatio(s.parallelism)}</td>` +
        `<td>${formatMs(s.criticalPathMs)}</td>` +
        `<td class="path">${criticalChain(s.criticalPath ?? [])}</td>` +
        `<td>${formatMs(s.lowerBoundMs)}</td><td>${formatPercent(s.efficiency)}</td>` +
        `<td>${formatMs(s.waits.conflictsMs)}</td><td>${formatMs(s.waits.approvalMs)}</td>` +
        `<td>${formatMs(s.waits.slotMs)}</td></tr>`,
    );
  }
  if (body.length === 0) return '';
  const head = [
    'Turn',
    'Agent',
    'Calls',
    'Wall',
    'Work',
    'Parallelism',
    'Critical path',
    'Critical chain',
    'Lower bound',
    'Efficiency',
    'Conflict waits',
    'Approval waits',
    'Slot waits',
  ];
  return (
    '<section aria-label="Turns"><h2>Turns</h2><table class="turns"><thead><tr>' +
    head.map((h) => `<th${h === 'Critical chain' ? ' class="path"' : ''}>${h}</th>`).join('') +
    `</tr></thead><tbody>${body.join('')}</tbody></table></section>`
  );
}

function renderLegend(): string {
  const phases = phaseLegend
    .filter(([phase]) => phase !== 'running' && phase !== 'shared')
    .map(([phase, text]) => `<span><i class="p-${phase}"></i>${text}</span>`);
  const runs = ['success', 'error', 'timeout', 'cancelled'].map(
    (s) => `<span><i class="p-running bar-key s-${s}"></i>running → ${s}</span>`,
  );
  return (
    '<div class="legend" aria-label="Legend">' +
    phases.join('') +
    runs.join('') +
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
  return `<div class="axis"><div class="head">Call</div><div class="track" data-chart-area>${marks.join('')}</div><div></div></div><div class="grid">${grid}</div>`;
}

function renderChart(rows: readonly ReportRow[], totals: ChartTotals): string {
  const calls = rows.filter((r) => r.kind === 'call').length;
  if (calls === 0) {
    return '<section aria-label="Calls"><h2>Calls</h2><div class="gantt"><p class="empty">No calls were traced.</p></div></section>';
  }
  const pct = (t: number) =>
    totals.spanMs > 0 ? Math.min(100, Math.max(0, ((t - totals.origin) / totals.spanMs) * 100)) : 0;
  const out: string[] = [];
  for (const row of rows) {
    const pad = `style="padding-left:${10 + row.depth * 20}px"`;
    const nest = row.depth > 0 ? '<span class="nest">↳</span> ' : '';
    if (row.kind === 'turn') {
      const { turn } = row;
      const left = pct(turn.startedAt);
      const width = Math.max(0, pct(turn.endedAt) - left);
      const n = Array.isArray(turn.calls) ? turn.calls.length : 0;
      const meta = `${n} call${n === 1 ? '' : 's'} · ${formatMs(turn.summary.wallMs)}`;
      const text = `Turn ${turn.turnId} · ${agentOf(turn)} · ${n} calls · ${formatMs(turn.summary.wallMs)}${row.parentCall ? ` · under ${row.parentCall.id}` : ''}`;
      out.push(
        `<div class="row turn${row.depth > 0 ? ' nested' : ''}" data-turn-id="${esc(turn.turnId)}">` +
          `<div class="label" ${pad} title="${esc(text)}">${nest}Turn ${esc(turn.turnId)} · ${esc(agentOf(turn))}` +
          `<span class="meta">${meta}</span></div>` +
          `<div class="track"><div class="turn-span" style="left:${num(left, 4)}%;width:${num(width, 4)}%"></div></div><div></div></div>`,
      );
      continue;
    }
    const { call, turn, critical } = row;
    const cls = statusClass(call.status);
    const bar = renderBar(call, {
      turnId: turn.turnId,
      origin: totals.origin,
      spanMs: totals.spanMs,
      critical,
    });
    out.push(
      `<div class="row call${critical ? ' crit' : ''}">` +
        `<div class="label" ${pad} title="${esc(`${call.id} ${call.name} (${call.status})`)}">` +
        `<span class="icon s-${cls}">${statusIcon[cls]}</span> ` +
        `<span class="id mono">${esc(call.id)}</span><span class="name">${esc(call.name)}</span></div>` +
        `<div class="track">${bar}</div><div></div></div>`,
    );
  }
  return (
    `<section aria-label="Calls"><h2>Calls</h2>${renderLegend()}<div class="gantt"><div class="rows">` +
    renderAxis(totals) +
    out.join('') +
    '</div></div></section>'
  );
}

/**
 * The turns themselves, so `salvo trace report.html` can render the run again. Base64 in an inert
 * template: nothing in a trace can close the element or read as markup.
 */
function embedTurns(turns: readonly TurnTrace[]): string {
  const data = Buffer.from(JSON.stringify(turns)).toString('base64');
  return `<template id="salvo-turns" data-encoding="base64">${data}</template>`;
}
