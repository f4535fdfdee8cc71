import type { TurnTrace } from './call-trace.js';
import { statusClass, statusIcon } from './html-call.js';
import { escapeHtml as esc } from './html-format.js';
import { renderChart } from './html-gantt.js';
import { type ChartTotals, layoutReport } from './html-layout.js';
import { reportCss } from './html-style.js';
import { renderRunSummary, renderTurnTable } from './html-summary.js';
import { type RunSource, type RunSummary, summarizeRun } from './summarize-run.js';

export interface HtmlReportOptions {
  /**
   * The page's title and heading.
   * @default 'salvo run report'
   */
  title?: string;
  /**
   * Where the run came from: the recommendation names CLI flags or library options (see
   * `summarizeRun`). It is kept in the page, so `salvo trace` says the same.
   * @default 'library'
   */
  source?: RunSource;
}

/**
 * A self-contained HTML page (inline CSS, no script, no network) showing the run as a Gantt chart.
 *
 * On top, the run's summary from `summarizeRun`: the wall time along the critical path split into
 * model, tools, waits and other (a bar whose parts add up to it), tools and subagents at once,
 * the time streaming saved, efficiency against a lower bound that counts model time, the time
 * lost to conflicts, approval and slots, the slowest calls and one recommendation; then a row
 * per turn. Below, the timeline: per turn a header row on the agent's lane with its model
 * request (waiting for a slot, for the first token, streaming), then one row per call, subagent
 * turns nested under the call that ran them. Each call bar spans the call from queued to settled
 * with its phases in distinct colours: waiting for conflicts, for approval, for a slot (a
 * subagent's wait for a subagent slot included), then running (coloured by status). Calls on a
 * turn's critical path are outlined and badged; hovering a bar (or focusing it) shows details.
 *
 * The chart is plain HTML placed by percentages of the run's span: it needs no script (the page
 * has none) and loads nothing (a Content-Security-Policy forbids it). Every string from the trace
 * is escaped. Call bars carry `data-call-id`, `data-turn-id`, `data-start-ms` and `data-end-ms`
 * (ms from the start of the axis); model bars (`.mbar`) carry `data-turn-id` and the same times;
 * their phase segments carry `data-phase`.
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
  const source = options.source === 'cli' ? 'cli' : 'library';
  const run = summarizeRun(turns, { source });
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
    '<p class="foot">Times are on the scheduler’s clock. The wall is split along the critical path: ',
    'what the run was waiting on at each moment, from its end back to its start. ',
    'Efficiency = the lower bound a perfect scheduler could reach with the same model requests, ',
    'calls, approvals and limits / the time the steps took. ',
    'Hover a bar (or focus it with Tab) for details.</p>',
    embedTurns(turns, source),
    '</body></html>',
  ].join('');
}

function renderCounts(run: RunSummary, totals: ChartTotals): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `<span class="count">${plural(run.turns, 'turn')}</span>`,
    run.model.requests > 0
      ? `<span class="count">${plural(run.model.requests, 'model request')}</span>`
      : '',
    `<span class="count">${plural(run.calls, 'call')}</span>`,
  ];
  for (const [status, count] of totals.statuses) {
    const cls = statusClass(status);
    parts.push(
      `<span class="count"><span class="icon s-${cls}">${statusIcon[cls]}</span> ${count} ${esc(status)}</span>`,
    );
  }
  return `<p class="sub">${parts.join('')}</p>`;
}

/**
 * The turns themselves, so `salvo trace report.html` can render the run again. Base64 in an inert
 * template: nothing in a trace can close the element or read as markup.
 */
function embedTurns(turns: readonly TurnTrace[], source: RunSource): string {
  const data = Buffer.from(JSON.stringify(turns)).toString('base64');
  return `<template id="salvo-turns" data-encoding="base64" data-source="${source}">${data}</template>`;
}
