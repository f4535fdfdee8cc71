import { InvalidOptionError } from '../errors.js';
import { agentRuns, callKey } from './agent-runs.js';
import {
  type CallTrace,
  type ModelRequestTrace,
  rootAgentName,
  type TurnTrace,
} from './call-trace.js';
import { describeRun } from './describe-run.js';
import { callPhases, type SubagentSpan } from './html-call.js';
import { formatCount } from './html-format.js';
import { modelPhases } from './html-model.js';
import { sanitizeInline } from './sanitize-text.js';
import { duration, type RunSource, summarizeRun } from './summarize-run.js';
import { orderTurns } from './turn-order.js';

export interface RenderTimelineOptions {
  /** Columns for the bars, from 1 to 1000. @default 60 */
  width?: number;
  /** Columns for the labels left of the bars (`id name`, `chat <model>`), from 8 to 200. @default 18 */
  labelWidth?: number;
  /** ANSI colours: waits dim, runs by status, the model blue. @default false */
  color?: boolean;
  /** Print the run summary and recommendation under the chart. @default true */
  summary?: boolean;
  /** Where the run came from: the recommendation names CLI flags or library options. @default 'library' */
  source?: RunSource;
}

const ansi = {
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  reset: '\u001b[0m',
};

/** One glyph per phase: waits of each kind are told apart without colour. */
export const timelineGlyphs = {
  running: '█',
  streaming: '▓',
  'first-token': '░',
  queued: '·',
  conflicts: '·',
  approval: '?',
  slot: '-',
  'model-queued': '-',
  subagent: '~',
  shared: '·',
} as const;

type Glyph = keyof typeof timelineGlyphs;

const maxWidth = 1000;

/** One line of the chart, before drawing: a turn's header or one of its calls. */
export type TimelineItem =
  | {
      kind: 'turn';
      turn: TurnTrace;
      /** 0 for a top-level turn, one more per subagent level. */
      depth: number;
      /** The id of the call the turn ran under, when that call is in the chart. */
      under: string | undefined;
      /** The turn's rows resume after a subagent turn drawn under one of its calls. */
      continued: boolean;
    }
  | { kind: 'call'; turn: TurnTrace; call: CallTrace; critical: boolean };

/**
 * The chart's lines in the order of {@link orderTurns}, with a `continued` header where a turn's
 * calls resume after a subagent turn listed under one of them.
 */
export function timelineOrder(turns: readonly TurnTrace[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const under = new Map<TurnTrace, string | undefined>();
  let current: TurnTrace | undefined;
  for (const row of orderTurns(turns).rows) {
    if (row.kind === 'turn') {
      under.set(row.turn, row.parentCall?.id);
      items.push({
        kind: 'turn',
        turn: row.turn,
        depth: row.depth,
        under: row.parentCall?.id,
        continued: false,
      });
    } else {
      if (row.turn !== current) {
        items.push({
          kind: 'turn',
          turn: row.turn,
          depth: row.depth,
          under: under.get(row.turn),
          continued: true,
        });
      }
      items.push({ kind: 'call', turn: row.turn, call: row.call, critical: row.critical });
    }
    current = row.turn;
  }
  return items;
}

/**
 * The run as a text Gantt chart for a terminal: per turn a header and its model request (`░`
 * waiting for the first token, `▓` streaming), then one row per call, each drawn to scale with
 * a glyph per phase (`·` waiting for conflicts, `?` for approval, `-` for a slot, `~` its
 * subagent working, `█` running) and followed by its status and what it waited for. Every bar
 * row is exactly as wide as the time axis above it. Turns are listed as {@link timelineOrder}
 * says, subagents' turns labelled with their path, the root as `root` (as in the HTML report).
 * Ids, tool names, paths and limit names come from a model or a file: they are shown without
 * their escape sequences and control characters, so the text is safe to print.
 */
export function renderTimeline(
  trace: TurnTrace | readonly TurnTrace[],
  options: RenderTimelineOptions = {},
): string {
  const { width = 60, labelWidth = 18, color = false, summary = true, source } = options;
  if (!Number.isInteger(width) || width < 1 || width > maxWidth) {
    throw new InvalidOptionError('width', `a whole number from 1 to ${maxWidth}`, width);
  }
  if (!Number.isInteger(labelWidth) || labelWidth < 8 || labelWidth > 200) {
    throw new InvalidOptionError('labelWidth', 'a whole number from 8 to 200', labelWidth);
  }
  const label = labelWidth;
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const calls = turns.flatMap((t) => t.calls);
  const models = turns.flatMap((t) => (t.model ? [t.model] : []));
  if (calls.length === 0 && models.length === 0) return 'No calls.';
  // Not Math.min(...): spreading a very long list overflows the stack.
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of calls) {
    start = Math.min(start, c.queuedAt);
    end = Math.max(end, c.endedAt);
  }
  for (const m of models) {
    start = Math.min(start, m.queuedAt);
    end = Math.max(end, m.endedAt);
  }
  const span = Math.max(end - start, 1);
  // A boundary between columns, 0 (left edge) to `width` (right edge).
  const col = (t: number) => {
    const at = Math.round(((t - start) / span) * width);
    return Number.isNaN(at) ? 0 : Math.min(width, Math.max(0, at));
  };
  const paint = (code: string, text: string) =>
    color && text ? `${code}${text}${ansi.reset}` : text;
  const lines = [`${'call'.padEnd(label)}|${axis(width, duration(span))}|`];
  const subagents = subagentSpans(turns);

  const headers = turns.length > 1 || turns.some((t) => t.path.length > 0 || t.model);
  for (const item of timelineOrder(turns)) {
    if (item.kind === 'call') {
      const sub = subagents.get(callKey(item.turn.turnId, item.call.id));
      lines.push(row(item.call, item.critical, sub));
      continue;
    }
    if (headers) lines.push(paint(ansi.dim, header(item)));
    if (item.turn.model && !item.continued) lines.push(modelRow(item.turn.model));
  }
  if (models.length > 0 || calls.some((c) => c.approval !== 'auto' || c.waitedFor.length > 0)) {
    lines.push(paint(ansi.dim, legend(models.length > 0)));
  }
  if (summary) {
    const s = summarizeRun(turns, source ? { source } : {});
    lines.push('');
    // The recommendation says the efficiency when nothing is worth changing: once is enough.
    const efficiency = s.recommendation.includes('efficiency')
      ? ''
      : `; efficiency ${Math.round(s.efficiency * 100)}%`;
    lines.push(sanitizeInline(`${describeRun(s)}${efficiency}`));
    // It names calls and limits.
    lines.push(sanitizeInline(s.recommendation));
  }
  return lines.join('\n');

  /** The bar: each phase's columns in its glyph, later phases over earlier ones. */
  function bar(
    spans: readonly { glyph: Glyph; start: number; end: number; solid?: boolean }[],
    tone: (g: Glyph) => string,
  ): string {
    const cells: (Glyph | undefined)[] = new Array(width).fill(undefined);
    for (const p of spans) {
      let a = col(p.start);
      let b = col(p.end);
      // Work shorter than a column still shows: one column, the last one at the right edge.
      if (p.solid && b <= a) {
        b = Math.min(width, a + 1);
        a = b - 1;
      }
      for (let i = Math.max(0, a); i < Math.min(width, b); i++) cells[i] = p.glyph;
    }
    let out = '';
    let i = 0;
    while (i < width) {
      const g = cells[i];
      let j = i;
      while (j < width && cells[j] === g) j++;
      const text = (g === undefined ? ' ' : timelineGlyphs[g]).repeat(j - i);
      out += g === undefined ? text : paint(tone(g), text);
      i = j;
    }
    return out;
  }

  function labelled(text: string): string {
    const clean = sanitizeInline(text);
    return clean.length > label ? `${clean.slice(0, label - 1)}…` : clean.padEnd(label);
  }

  function modelRow(m: ModelRequestTrace): string {
    const spans = modelPhases(m).map((p) => ({
      glyph: (p.phase === 'streaming' ? 'streaming' : p.phase) as Glyph,
      start: p.start,
      end: p.end,
      solid: p.phase === 'streaming',
    }));
    const tokens =
      m.inputTokens === undefined && m.outputTokens === undefined
        ? ''
        : `${formatCount(m.inputTokens ?? 0)}→${formatCount(m.outputTokens ?? 0)} tokens`;
    const notes = [
      m.finishReason,
      tokens,
      m.limitWaitedOn && m.sentAt > m.queuedAt ? `slot ${sanitizeInline(m.limitWaitedOn)}` : '',
      m.retries ? `${m.retries} retr${m.retries === 1 ? 'y' : 'ies'}` : '',
    ].filter(Boolean);
    const tone = (g: Glyph) => (g === 'streaming' || g === 'first-token' ? ansi.blue : ansi.dim);
    return `${labelled(`chat ${m.model}`)}|${bar(spans, tone)}| ${notes.join(' ')}`;
  }

  function row(c: CallTrace, critical: boolean, sub: SubagentSpan | undefined): string {
    const spans = callPhases(c, sub).map((p) => ({
      glyph: p.phase as Glyph,
      start: p.start,
      end: p.end,
      solid: p.phase === 'running',
    }));
    // A call that never ran shows its waits only; one that did shows at least a column of it.
    const runColor =
      c.status === 'success'
        ? ansi.green
        : c.status === 'error' || c.status === 'timeout'
          ? ansi.red
          : ansi.yellow;
    const tone = (g: Glyph) =>
      g === 'running'
        ? runColor
        : g === 'approval'
          ? ansi.magenta
          : g === 'subagent'
            ? ansi.green
            : ansi.dim;
    const notes = [
      c.status,
      c.approval !== 'auto' ? c.approval : '',
      c.waitedFor.length > 0 ? `after ${c.waitedFor.map(sanitizeInline).join(',')}` : '',
      c.limitWaitedOn ? `slot ${sanitizeInline(c.limitWaitedOn)}` : '',
      c.sharedWith ? `shared ${sanitizeInline(c.sharedWith)}` : '',
      critical ? 'critical' : '',
    ].filter(Boolean);
    return `${labelled(`${c.id} ${c.name}`)}|${bar(spans, tone)}| ${notes.join(' ')}`;
  }
}

/** By `callKey`: the subagent each call ran (its wait for a slot and its work are drawn apart). */
function subagentSpans(turns: readonly TurnTrace[]): Map<string, SubagentSpan> {
  const spans = new Map<string, SubagentSpan>();
  for (const agent of agentRuns(turns).agents) {
    if (!agent.parent || !(agent.end > agent.start)) continue;
    spans.set(callKey(agent.parent.turnId, agent.parent.callId), {
      queuedAt: agent.start,
      startedAt: Math.max(agent.start, agent.activeFrom),
      endedAt: agent.end,
    });
  }
  return spans;
}

function legend(model: boolean): string {
  const g = timelineGlyphs;
  const parts = [
    `${g.running} running`,
    model ? `${g.streaming} model streaming` : '',
    model ? `${g['first-token']} first token` : '',
    `${g.conflicts} conflict`,
    `${g.approval} approval`,
    `${g.slot} slot`,
    `${g.subagent} subagent`,
  ].filter(Boolean);
  return `${''.padEnd(2)}${parts.join('  ')}`;
}

/** The time axis, exactly `width` columns: `0 ms` at the left, the span at the right. */
function axis(width: number, span: string): string {
  const origin = '0 ms';
  if (width >= origin.length + 1 + span.length)
    return origin + span.padStart(width - origin.length);
  return span.length <= width ? span.padStart(width) : ' '.repeat(width);
}

function header(item: Extract<TimelineItem, { kind: 'turn' }>): string {
  const { turn, depth, under, continued } = item;
  const who = turn.path.length > 0 ? turn.path.map(sanitizeInline).join(' > ') : rootAgentName;
  const where = under === undefined || continued ? '' : `, under ${sanitizeInline(under)}`;
  const more = continued ? ', continued' : turn.calls.length === 0 ? ': no calls' : '';
  // Indented by level, up to a point: a hand-edited chain of parents can be any length.
  const id = sanitizeInline(String(turn.turnId));
  return `${'  '.repeat(Math.min(depth, 8))}-- Turn ${id} · ${who}${where}${more}`;
}
