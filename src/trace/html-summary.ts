// The HTML report's summaries: the run's figures (where the wall time went, how parallel the
// tools and subagents were, what was lost and to what) and one row per turn.

import { rootAgentName, type TurnTrace } from './call-trace.js';
import { describeRun } from './describe-run.js';
import {
  escapeHtml as esc,
  formatCapacity,
  formatCount,
  formatMs,
  formatPercent,
  formatRatio,
  num,
} from './html-format.js';
import type { ChartTotals, ReportRow } from './html-layout.js';
import type { RunSummary } from './summarize-run.js';

/** Who ran a turn: `root`, or the subagent path joined by ' > '. */
export function agentOf(turn: TurnTrace): string {
  const path = Array.isArray(turn.path) ? turn.path : [];
  return path.length === 0 ? rootAgentName : path.map(String).join(' > ');
}

function card(label: string, metric: string, value: string, note = '', extra = ''): string {
  const small = note ? `<small>${note}</small>` : '';
  return `<div class="card${extra}"><dt>${label}</dt><dd data-metric="${metric}">${value}</dd>${small}</div>`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The wall split as a bar whose parts add up to it, with a key. */
function renderSplit(run: RunSummary): string {
  const { wallSplit: w } = run;
  const total = w.modelMs + w.toolsMs + w.waitsMs + w.otherMs;
  if (!(total > 0)) return '';
  const parts: [string, string, number][] = [
    ['model', 'model', w.modelMs],
    ['tools', 'tools', w.toolsMs],
    ['waits', 'waits', w.waitsMs],
    ['other', 'other (hand-overs, between steps)', w.otherMs],
  ];
  const bar = parts
    .filter(([, , ms]) => ms > 0)
    .map(
      ([key, text, ms]) =>
        `<span class="k-${key}" data-split="${key}" style="width:${num((ms / total) * 100, 4)}%" title="${esc(`${text}: ${formatMs(ms)}`)}"></span>`,
    )
    .join('');
  const legend = parts
    .filter(([, , ms]) => ms > 0)
    .map(([key, text, ms]) => `<span><i class="k-${key}"></i>${esc(text)} ${formatMs(ms)}</span>`)
    .join('');
  return `<div class="split" aria-label="The wall time along the critical path"><div class="split-bar">${bar}</div><div class="split-key">${legend}</div></div>`;
}

export function renderRunSummary(run: RunSummary, totals: ChartTotals): string {
  const { lost, wallSplit: w } = run;
  const slotMs = lost.limits.reduce((sum, l) => sum + l.ms, 0);
  const slotWaits = lost.limits.reduce((sum, l) => sum + l.calls + (l.requests ?? 0), 0);
  const limits = [...totals.limits]
    .map(([name, capacity]) => `<code>${esc(name)}</code> ${esc(formatCapacity(capacity))}`)
    .join(', ');
  const details: string[] = [];
  if (lost.limits.length > 0) {
    const items = lost.limits.map(
      (l) =>
        `<li><code>${esc(l.limit)}</code> (${esc(formatCapacity(l.capacity))}): ${[
          l.calls > 0 ? plural(l.calls, 'call') : '',
          l.requests ? plural(l.requests, 'model request') : '',
        ]
          .filter(Boolean)
          .join(', ')}, ${formatMs(l.ms)}</li>`,
    );
    details.push(`<div><h3>Waited on limits</h3><ul>${items.join('')}</ul></div>`);
  }
  if (lost.conflicts.blockers.length > 0) {
    const items = lost.conflicts.blockers
      .slice(0, 5)
      .map(
        (b) =>
          `<li><code>${esc(b.id)}</code> ${esc(b.name)}${b.exclusive ? ' (exclusive)' : ''}: ${plural(b.calls, 'call')}, ${formatMs(b.ms)}</li>`,
      );
    details.push(`<div><h3>Waited behind</h3><ul>${items.join('')}</ul></div>`);
  }
  if (run.slowest.length > 0) {
    const items = run.slowest.map(
      (c) => `<li><code>${esc(c.id)}</code> ${esc(c.name)}: ${formatMs(c.runMs)}</li>`,
    );
    details.push(`<div><h3>Slowest calls</h3><ul>${items.join('')}</ul></div>`);
  }
  const waitNotes = [
    w.waits.approvalMs > 0 ? `approval ${formatMs(w.waits.approvalMs)}` : '',
    w.waits.conflictsMs > 0 ? `conflicts ${formatMs(w.waits.conflictsMs)}` : '',
    w.waits.slotsMs > 0 ? `slots ${formatMs(w.waits.slotsMs)}` : '',
  ].filter(Boolean);
  const tokens = run.model.inputTokens + run.model.outputTokens;
  const behind = lost.approvals.behind;
  const approvalNote = [
    plural(lost.approvals.calls, 'call'),
    lost.approvals.pending > 0 ? `${lost.approvals.pending} never answered` : '',
    behind.calls > 0 ? `${plural(behind.calls, 'call')} behind, ${formatMs(behind.ms)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const cards = [
    card('Wall', 'wall', formatMs(run.wallMs), 'first request to last result'),
    run.model.requests > 0
      ? card(
          'Model',
          'model',
          formatMs(w.modelMs),
          `on the critical path · ${plural(run.model.requests, 'request')}${tokens > 0 ? ` · ${formatCount(tokens)} tokens` : ''}`,
          ' c c-model',
        )
      : '',
    card(
      'Tools',
      'tools',
      formatMs(w.toolsMs),
      `on the critical path · ${plural(run.calls, 'call')}`,
      ' c c-tools',
    ),
    card(
      'Waits',
      'waits',
      formatMs(w.waitsMs),
      waitNotes.join(' · ') || 'on the critical path',
      ' c c-waits',
    ),
    card(
      'Tools at once',
      'tool-parallelism',
      run.toolParallelism > 0 ? formatRatio(run.toolParallelism) : '—',
      'on average, while any ran',
    ),
    run.subagents.count > 0
      ? card(
          'Subagents at once',
          'subagents',
          String(run.subagents.mostAtOnce),
          `at most · ${plural(run.subagents.count, 'subagent')}`,
        )
      : '',
    run.model.requests > 0
      ? card(
          'Streaming saved',
          'streaming-saved',
          formatMs(run.streamingSavedMs),
          'tools run mid-answer',
        )
      : '',
    card(
      'Efficiency',
      'efficiency',
      formatPercent(run.efficiency),
      `lower bound ${formatMs(run.lowerBoundMs)}`,
    ),
  ].join('');
  const lostCards =
    card(
      'Lost to conflicts',
      'conflicts',
      formatMs(lost.conflicts.ms),
      plural(lost.conflicts.calls, 'call'),
      ' wait w-conflicts',
    ) +
    card(
      'Lost to approval',
      'approval',
      formatMs(lost.approvals.ms),
      approvalNote,
      ' wait w-approval',
    ) +
    card('Lost to slots', 'slots', formatMs(slotMs), plural(slotWaits, 'wait'), ' wait w-slot');
  return (
    '<section aria-label="Run summary"><h2>Run</h2>' +
    `<p class="headline" data-metric="headline">${esc(describeRun(run))}</p>` +
    renderSplit(run) +
    `<dl class="cards">${cards}</dl>` +
    `<dl class="cards lost">${lostCards}</dl>` +
    `<p class="advice" data-metric="recommendation">${esc(run.recommendation)}</p>` +
    (details.length > 0 ? `<div class="details">${details.join('')}</div>` : '') +
    (limits ? `<p class="limits">Limits in force: ${limits}</p>` : '') +
    '</section>'
  );
}

/** Ids joined by arrows, a long chain cut in the middle; each id stays on one line. */
function criticalChain(ids: readonly string[]): string {
  const code = (list: readonly string[]) =>
    list.map((id) => `<code title="${esc(id)}">${esc(id)}</code>`);
  const shown =
    ids.length > 5 ? [...code(ids.slice(0, 2)), '…', ...code(ids.slice(-2))] : code(ids);
  return shown.join(' → ');
}

/** A path that may wrap between agents, never inside a name. */
function agentCell(turn: TurnTrace, depth: number): string {
  const path = Array.isArray(turn.path) ? turn.path.map(String) : [];
  const names = path.length === 0 ? [rootAgentName] : path;
  const indent =
    depth > 0
      ? `<span class="nest" style="margin-left:${Math.min(depth, 6) * 10}px">↳</span> `
      : '';
  return (
    indent + names.map((n) => `<span class="who" title="${esc(n)}">${esc(n)}</span>`).join(' › ')
  );
}

/** Running time summed over the time any ran: how many calls ran at once, while any did. */
function atOnce(turn: TurnTrace): number {
  const spans: [number, number][] = [];
  let work = 0;
  for (const c of Array.isArray(turn.calls) ? turn.calls : []) {
    if (c.startedAt === undefined || !(c.endedAt > c.startedAt)) continue;
    const own = Math.max(0, c.endedAt - c.startedAt - (c.slotsYieldedMs ?? 0));
    if (own <= 0) continue;
    spans.push([c.startedAt, c.startedAt + own]);
    work += own;
  }
  spans.sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let to = Number.NEGATIVE_INFINITY;
  for (const [a, b] of spans) {
    if (b <= to) continue;
    busy += b - Math.max(a, to);
    to = b;
  }
  return busy > 0 ? work / busy : 0;
}

export function renderTurnTable(rows: readonly ReportRow[]): string {
  const body: string[] = [];
  for (const row of rows) {
    if (row.kind !== 'turn') continue;
    const { turn, depth } = row;
    const s = turn.summary;
    const m = turn.model;
    const n = Array.isArray(turn.calls) ? turn.calls.length : 0;
    const tokens =
      m && (m.inputTokens !== undefined || m.outputTokens !== undefined)
        ? `${formatCount(m.inputTokens ?? 0)} → ${formatCount(m.outputTokens ?? 0)}`
        : '—';
    const ratio = atOnce(turn);
    const waits = s.waits.conflictsMs + s.waits.approvalMs + s.waits.slotMs;
    body.push(
      `<tr data-turn-id="${esc(turn.turnId)}"><td>${esc(turn.turnId)}</td>` +
        `<td class="path">${agentCell(turn, depth)}</td>` +
        `<td>${m ? formatMs(Math.max(0, m.endedAt - m.sentAt)) : '—'}</td>` +
        `<td>${tokens}</td>` +
        `<td>${n}</td>` +
        `<td>${n > 0 ? formatMs(s.wallMs) : '—'}</td>` +
        `<td>${ratio > 0 ? formatRatio(ratio) : '—'}</td>` +
        `<td>${waits > 0 ? formatMs(waits) : '—'}</td>` +
        `<td class="path">${criticalChain(s.criticalPath ?? [])}</td></tr>`,
    );
  }
  if (body.length === 0) return '';
  const head: [string, string][] = [
    ['Turn', ''],
    ['Agent', 'path'],
    ['Model', 'sent to the end of its answer'],
    ['Tokens', 'in → out'],
    ['Calls', ''],
    ['Tools', 'first call queued to last result'],
    ['At once', 'calls running at once, on average, while any ran'],
    ['Waits', 'conflicts, approval and slots, summed over calls'],
    ['Critical chain', 'path'],
  ];
  return (
    '<section aria-label="Turns"><h2>Turns</h2><div class="table-wrap"><table class="turns"><thead><tr>' +
    head
      .map(([h, hint]) =>
        hint === 'path'
          ? `<th class="path">${h}</th>`
          : `<th${hint ? ` title="${esc(hint)}"` : ''}>${h}</th>`,
      )
      .join('') +
    `</tr></thead><tbody>${body.join('')}</tbody></table></div></section>`
  );
}
