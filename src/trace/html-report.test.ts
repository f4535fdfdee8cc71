import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { callPhases } from './html-call.js';
import { axisTicks, escapeHtml, formatMs, formatPercent, formatRatio } from './html-format.js';
import { layoutReport } from './html-layout.js';
import { renderHtmlReport } from './html-report.js';
import { summarizeRun } from './summarize-run.js';
import { summarizeTurn } from './summarize-turn.js';
import { checkBars, launchChromium, openReport } from './test-chromium.js';

const INJECTION = '<img src=x onerror=alert(1)>';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** A hand-built call: ran from `startedAt` (default `queuedAt`) to `endedAt`, nothing held back. */
function call(
  id: string,
  index: number,
  fields: Partial<CallTrace> & { endedAt: number },
): CallTrace {
  const queuedAt = fields.queuedAt ?? 0;
  const startedAt = 'startedAt' in fields ? fields.startedAt : queuedAt;
  return {
    id,
    name: 'tool',
    index,
    status: 'success',
    queuedAt,
    conflictsClearedAt: queuedAt,
    approvedAt: queuedAt,
    readyAt: startedAt ?? queuedAt,
    startedAt,
    waitedFor: [],
    limits: ['global'],
    approval: 'auto',
    ...fields,
  };
}

function turn(turnId: number, calls: CallTrace[], extra: Partial<TurnTrace> = {}): TurnTrace {
  const limits = { global: Number.POSITIVE_INFINITY };
  return {
    turnId,
    path: [],
    startedAt: calls.length ? Math.min(...calls.map((c) => c.queuedAt)) : 0,
    endedAt: calls.length ? Math.max(...calls.map((c) => c.endedAt)) : 0,
    calls,
    limits,
    summary: summarizeTurn(calls, limits),
    ...extra,
  };
}

describe('renderHtmlReport (markup)', () => {
  it('escapes every string that comes from the trace', () => {
    const evil = call(INJECTION, 0, { name: '<script>alert(1)</script>', endedAt: 10 });
    const other = call('x" onmouseover="alert(1)', 1, {
      endedAt: 12,
      waitedFor: [INJECTION],
      limitWaitedOn: '<b>mcp</b>',
      limits: ['global', '<b>mcp</b>'],
      status: '<i>odd</i>' as CallTrace['status'],
    });
    const html = renderHtmlReport(
      turn(1, [evil, other], {
        path: ['<svg onload=alert(1)>'],
        limits: { global: 4, "<a href='x'>": 2 },
      }),
      { title: '</title><script>alert(1)</script>' },
    );
    expect(html).not.toMatch(/<img|<script|<svg|<b>mcp|<i>odd|<a href/i);
    expect(html).not.toContain('" onmouseover="');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('data-call-id="x&quot; onmouseover=&quot;alert(1)"');
    // An unknown status never becomes a class name.
    expect(html).toContain('class="bar s-unknown');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('renders an empty run and a turn without calls as a page that says so', () => {
    for (const input of [[], turn(1, [])]) {
      const html = renderHtmlReport(input);
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('No calls were traced.');
      expect(html).toContain('data-metric="wall">0 ms<');
      expect(html).toContain('data-metric="efficiency">100%<');
      expect(html).not.toContain('data-call-id');
    }
  });

  it('renders one call across the whole axis', () => {
    const html = renderHtmlReport(turn(1, [call('only', 0, { queuedAt: 5, endedAt: 25 })]));
    expect(html).toContain('data-call-id="only" data-turn-id="1" data-status="success"');
    expect(html).toContain('data-start-ms="0" data-end-ms="20" style="left:0%;width:100%"');
    expect(html).not.toContain('waiting for its subagent');
  });

  it('says how long a call running subagents waited for them', () => {
    const html = renderHtmlReport(
      turn(1, [call('t1', 0, { startedAt: 0, endedAt: 50, slotsYieldedMs: 42 })]),
    );
    expect(html).toContain(`${formatMs(42)} of it waiting for its subagent`);
  });

  it('rounds durations to what matters', () => {
    expect([0, 0.04, 3.24, 213.4, 2133.1, 21_340, 133_000].map(formatMs)).toEqual([
      '0 ms',
      '<0.1 ms',
      '3.2 ms',
      '213 ms',
      '2.13 s',
      '21.3 s',
      '2 min 13 s',
    ]);
  });

  it("draws a task call's wait for a subagent slot as a wait, and its subagent's work apart", () => {
    const phases = callPhases(call('t', 0, { startedAt: 0, endedAt: 100 }), {
      queuedAt: 2,
      startedAt: 40,
      endedAt: 95,
    });
    expect(phases).toEqual([
      { phase: 'running', start: 0, end: 2 },
      { phase: 'slot', start: 2, end: 40 },
      { phase: 'subagent', start: 40, end: 95 },
      { phase: 'running', start: 95, end: 100 },
    ]);
  });

  it('loads nothing and runs nothing: no script, no external reference, a strict CSP', () => {
    const html = renderHtmlReport(turn(1, [call('a', 0, { endedAt: 3 })]));
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('nests subagent turns under their parent call, labelled with the path', () => {
    const root = turn(1, [call('t1', 0, { endedAt: 50 }), call('r1', 1, { endedAt: 5 })]);
    const child = turn(2, [call('s1', 0, { queuedAt: 10, endedAt: 20 })], {
      path: ['reviewer#2'],
      parent: { turnId: 1, callId: 't1' },
    });
    const grandchild = turn(3, [call('g1', 0, { queuedAt: 12, endedAt: 18 })], {
      path: ['reviewer#2', 'tester#1'],
      parent: { turnId: 2, callId: 's1' },
    });
    const orphan = turn(4, [call('o1', 0, { queuedAt: 60, endedAt: 70 })], {
      path: ['lost'],
      parent: { turnId: 9, callId: 'nope' },
    });
    const { rows, totals } = layoutReport([orphan, grandchild, child, root]);
    expect(rows.map((r) => (r.kind === 'turn' ? `turn ${r.turn.turnId}` : r.call.id))).toEqual([
      'turn 1',
      't1',
      'turn 2',
      's1',
      'turn 3',
      'g1',
      'r1',
      'turn 4',
      'o1',
    ]);
    expect(rows.map((r) => r.depth)).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 0]);
    expect(totals).toMatchObject({ origin: 0, spanMs: 70 });
    const html = renderHtmlReport([root, child, grandchild, orphan]);
    expect(html).toContain('reviewer#2 &gt; tester#1');
  });

  it('draws concurrent waits for conflicts and approval as two halves while both last', () => {
    const phases = callPhases(
      call('c', 0, {
        queuedAt: 0,
        conflictsClearedAt: 10,
        waitedFor: ['b'],
        approvedAt: 30,
        approval: 'approved',
        readyAt: 30,
        startedAt: 35,
        endedAt: 50,
      }),
    );
    expect(phases).toEqual([
      { phase: 'conflicts', start: 0, end: 10, half: 'upper' },
      { phase: 'approval', start: 0, end: 10, half: 'lower' },
      { phase: 'approval', start: 10, end: 30 },
      { phase: 'slot', start: 30, end: 35 },
      { phase: 'running', start: 35, end: 50 },
    ]);
    const shared = callPhases(
      call('d', 1, { startedAt: undefined, readyAt: undefined, sharedWith: 'c', endedAt: 40 }),
    );
    expect(shared).toEqual([{ phase: 'shared', start: 0, end: 40 }]);
    // Time before admission with no conflicting call is queued, not a conflict wait.
    expect(
      callPhases(call('e', 2, { conflictsClearedAt: 2, readyAt: 2, startedAt: 2, endedAt: 9 })),
    ).toEqual([
      { phase: 'queued', start: 0, end: 2 },
      { phase: 'running', start: 2, end: 9 },
    ]);
  });

  it('picks 1-2-5 ticks', () => {
    expect(axisTicks(100).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(axisTicks(0).ticks).toEqual([0]);
    expect(axisTicks(7300).step).toBe(1000);
  });
});

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * A real run with short real sleeps: conflicts (edit after read, read after edit), an approval
 * and a denial, a group limit of 1 shared with a subagent, an error, a timeout, a subagent turn
 * under a `task` call, a call id that tries to inject HTML, and a read that shares its result.
 */
async function realRun(): Promise<TurnTrace[]> {
  const path = z.object({ path: z.string() });
  const file = (mode: 'read' | 'write') => (i: { path: string }) => [
    { key: `fs:/repo/${i.path}`, mode },
  ];
  const nested: TurnTrace[] = [];
  let rootTurnId = 0;
  let scheduler: Scheduler;
  const tools = [
    defineTool({
      name: 'read_file',
      description: 'reads',
      input: path,
      claims: file('read'),
      execute: async (_i, ctx) => sleep(15, ctx.signal).then(() => 'text'),
    }),
    defineTool({
      name: 'edit_file',
      description: 'writes',
      input: path,
      claims: file('write'),
      approval: 'ask',
      execute: async (_i, ctx) => sleep(20, ctx.signal).then(() => 'ok'),
    }),
    defineTool({
      name: 'gh_search',
      description: 'searches GitHub',
      input: z.object({ q: z.string() }),
      claims: [],
      group: 'mcp:github',
      execute: async (_i, ctx) => sleep(15, ctx.signal).then(() => []),
    }),
    defineTool({
      name: 'flaky',
      description: 'fails',
      input: z.object({}),
      claims: [],
      execute: async (_i, ctx) => {
        await sleep(10, ctx.signal);
        throw new Error('boom');
      },
    }),
    defineTool({
      name: 'slow',
      description: 'times out',
      input: z.object({}),
      claims: [],
      timeoutMs: 35,
      execute: async (_i, ctx) => sleep(500, ctx.signal).then(() => 'late'),
    }),
    defineTool({
      name: 'task',
      description: 'runs a subagent',
      input: z.object({ prompt: z.string() }),
      claims: [],
      execute: async (_i, ctx) => {
        await sleep(5, ctx.signal);
        const { trace } = await scheduler.run(
          [
            { id: 's1', name: 'read_file', input: { path: 'b.ts' } },
            { id: 's2', name: 'gh_search', input: { q: 'reviewer' } },
          ],
          {
            path: ['reviewer#2'],
            parent: { turnId: rootTurnId, callId: ctx.callId },
            signal: ctx.signal,
          },
        );
        nested.push(trace);
        await sleep(5, ctx.signal);
        return 'reviewed';
      },
    }),
  ];
  scheduler = new Scheduler({
    tools,
    limits: { 'mcp:github': 1 },
    approver: async (req) => {
      await sleep(30, req.signal);
      return req.input && (req.input as { path: string }).path === 'secret.ts' ? 'deny' : 'approve';
    },
    dedupeReads: true,
    tracer: false,
  });
  const root = scheduler.turn();
  rootTurnId = root.id;
  const calls = [
    { id: 'c1', name: 'read_file', input: { path: 'a.ts' } },
    { id: 'c2', name: 'edit_file', input: { path: 'a.ts' } },
    { id: 'c3', name: 'read_file', input: { path: 'a.ts' } },
    { id: 'g1', name: 'gh_search', input: { q: 'one' } },
    { id: 'g2', name: 'gh_search', input: { q: 'two' } },
    { id: 'g3', name: 'gh_search', input: { q: 'three' } },
    { id: 'c4', name: 'flaky', input: {} },
    { id: 'c5', name: 'slow', input: {} },
    { id: 'c6', name: 'task', input: { prompt: 'review' } },
    { id: 'c7', name: 'edit_file', input: { path: 'secret.ts' } },
    { id: INJECTION, name: 'read_file', input: { path: 'c.ts' } },
    { id: 'c8', name: 'read_file', input: { path: 'c.ts' } },
  ];
  for (const c of calls) root.add(c);
  root.end();
  const { trace } = await root.done;
  return [trace, ...nested];
}

describe('renderHtmlReport (in Chromium)', () => {
  let browser: Browser | undefined;
  let traces: TurnTrace[];

  beforeAll(async () => {
    [browser, traces] = await Promise.all([launchChromium(), realRun()]);
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** A page with every request refused and recorded, and every dialog counted. */
  async function open(
    html: string,
  ): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
    if (!browser) throw new Error('the browser did not start');
    return openReport(browser, html);
  }

  it('draws a real run where its times say, with details on hover and nothing loaded', async () => {
    const [root, sub] = traces as [TurnTrace, TurnTrace];
    // The run has what the report must show.
    const byId = new Map(root.calls.map((c) => [c.id, c]));
    expect(byId.get('c2')?.waitedFor).toEqual(['c1']);
    expect(byId.get('c2')?.approval).toBe('approved');
    expect(byId.get('c3')?.waitedFor).toEqual(['c2']);
    expect(byId.get('g2')?.limitWaitedOn).toBe('mcp:github');
    expect(byId.get('c4')?.status).toBe('error');
    expect(byId.get('c5')?.status).toBe('timeout');
    expect(byId.get('c7')?.status).toBe('denied');
    expect(byId.get('c8')?.sharedWith).toBe(INJECTION);
    expect(sub.parent).toEqual({ turnId: root.turnId, callId: 'c6' });

    const { page, requests, dialogs } = await open(
      renderHtmlReport(traces, { title: 'salvo: a real run' }),
    );
    expect(await checkBars(page, traces)).toBe(root.calls.length + sub.calls.length);

    // Phases have their segments.
    const c2 = page.locator('.bar[data-call-id="c2"]');
    for (const phase of ['conflicts', 'approval', 'running']) {
      expect(await c2.locator(`[data-phase="${phase}"]`).count(), phase).toBeGreaterThan(0);
    }
    expect(await page.locator('.bar[data-call-id="g3"] [data-phase="slot"]').count()).toBe(1);
    expect(await page.locator('.bar[data-call-id="c8"] [data-phase="shared"]').count()).toBe(1);
    expect(await page.locator('.bar.crit').count()).toBeGreaterThan(0);
    // c3 waited for c2: its conflict wait ends where c2's bar ends.
    const c2Box = await c2.boundingBox();
    const c3Wait = await page
      .locator('.bar[data-call-id="c3"] [data-phase="conflicts"]')
      .last()
      .boundingBox();
    expect(
      Math.abs((c3Wait?.x ?? 0) + (c3Wait?.width ?? 0) - ((c2Box?.x ?? 0) + (c2Box?.width ?? 0))),
    ).toBeLessThanOrEqual(2);

    // Summary numbers.
    const rootTrace = root.summary;
    const turnRow = page.locator(`tr[data-turn-id="${root.turnId}"]`);
    const rowText = await turnRow.innerText();
    const waits = rootTrace.waits.conflictsMs + rootTrace.waits.approvalMs + rootTrace.waits.slotMs;
    for (const text of [
      formatMs(rootTrace.wallMs),
      formatMs(waits),
      ...rootTrace.criticalPath.slice(0, 2),
    ]) {
      expect(rowText).toContain(text);
    }
    const runEnd = Math.max(root.endedAt, sub.endedAt);
    const runStart = Math.min(root.startedAt, sub.startedAt);
    expect(await page.locator('[data-metric="wall"]').innerText()).toBe(
      formatMs(runEnd - runStart),
    );
    const run = summarizeRun(traces);
    const slotMs = run.lost.limits.reduce((sum, l) => sum + l.ms, 0);
    expect(slotMs).toBeGreaterThan(0);
    const metrics: [string, string][] = [
      ['slots', formatMs(slotMs)],
      ['conflicts', formatMs(run.lost.conflicts.ms)],
      ['approval', formatMs(run.lost.approvals.ms)],
      ['tools', formatMs(run.wallSplit.toolsMs)],
      ['waits', formatMs(run.wallSplit.waitsMs)],
      ['tool-parallelism', formatRatio(run.toolParallelism)],
      ['efficiency', formatPercent(run.efficiency)],
      ['recommendation', run.recommendation],
    ];
    for (const [metric, text] of metrics) {
      expect(await page.locator(`[data-metric="${metric}"]`).innerText(), metric).toBe(text);
    }

    // The subagent's turn sits right under its task call.
    const labels = await page.locator('.row .label').allInnerTexts();
    const taskRow = labels.findIndex((l) => l.includes('c6'));
    expect(labels[taskRow + 1]).toContain('reviewer#2');

    // Hover details.
    const tip = c2.locator('.tip');
    expect(await tip.isVisible()).toBe(false);
    await c2.hover();
    expect(await tip.isVisible()).toBe(true);
    const c2Trace = byId.get('c2') as CallTrace;
    const tipText = await tip.innerText();
    for (const text of [
      'c2',
      'edit_file',
      'success',
      `Waiting for conflicts\n${formatMs((c2Trace.conflictsClearedAt as number) - (c2Trace.admittedAt ?? c2Trace.queuedAt))} · after c1`,
      `Waiting for approval\n${formatMs((c2Trace.approvedAt as number) - c2Trace.queuedAt)} · approved`,
      `Running\n${formatMs(c2Trace.endedAt - (c2Trace.startedAt as number))}`,
    ]) {
      expect(tipText).toContain(text);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}html-report.png`, fullPage: true });

    // The injected id is text, never markup.
    expect(await page.getByText(INJECTION, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.locator('img, script, iframe, object, embed').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('stays readable and exact with 250 calls: fixed rows, page scroll', async () => {
    const calls: CallTrace[] = [];
    for (let i = 0; i < 250; i++) {
      const queuedAt = i * 2;
      const startedAt = queuedAt + (i % 7) * 3;
      calls.push(
        call(`call_${i}`, i, {
          name: ['read_file', 'grep', 'edit_file', 'run_tests'][i % 4] as string,
          queuedAt,
          conflictsClearedAt: queuedAt + (i % 7),
          readyAt: queuedAt + (i % 7),
          startedAt,
          endedAt: startedAt + 20 + (i % 11) * 4,
          limits: ['global', 'g'],
          limitWaitedOn: i % 7 > 1 ? 'g' : undefined,
          status: i % 50 === 49 ? 'error' : 'success',
        }),
      );
    }
    const big = turn(1, calls, { limits: { global: 8, g: 4 } });
    const { page, requests } = await open(renderHtmlReport(big));
    expect(await checkBars(page, [big])).toBe(250);
    const heights = await page
      .locator('.row.call')
      .evaluateAll((rows) =>
        rows.map((r) => (r as unknown as { offsetHeight: number }).offsetHeight),
      );
    expect(new Set(heights)).toEqual(new Set([22]));
    const first = await page.locator('.row.call').first().boundingBox();
    const last = await page.locator('.row.call').last().boundingBox();
    expect((last?.y ?? 0) - (first?.y ?? 0)).toBe(249 * 22);
    // Scrolled to the end, the time axis stays on top.
    await page.locator('.row.call').last().scrollIntoViewIfNeeded();
    const axis = await page.locator('.axis').boundingBox();
    expect(axis?.y).toBeLessThanOrEqual(1);
    await page.screenshot({ path: `${ARTIFACTS}html-report-250.png` });
    expect(requests).toEqual([]);
    await page.close();
  });
});
