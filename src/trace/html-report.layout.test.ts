import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { SubagentManager } from '../subagent/subagent-manager.js';
import { taskTool } from '../subagent/subagent-tools.js';
import { defineTool } from '../tool/define-tool.js';
import type { TurnTrace } from './call-trace.js';
import { renderHtmlReport } from './html-report.js';
import { checkBars, launchChromium, openReport } from './test-chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

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
 * A real agent run with a scripted model (real token timing): the root reads, greps and starts
 * three reviewers with long names while it streams; two subagent slots, so the third waits for
 * one; each reviewer greps and writes to a memory tool, then answers; the root edits (asked
 * first) and answers. Every turn comes from the scheduler's `onTurnEnd`.
 */
async function agentRun(): Promise<TurnTrace[]> {
  const sleepy = (name: string, ms: number, mode: 'read' | 'write' = 'read') =>
    defineTool({
      name,
      description: name,
      input: z.object({ path: z.string().optional() }),
      claims: (i) => [{ key: `fs:/repo/${i.path ?? name}`, mode }],
      ...(mode === 'write' ? { approval: 'ask' as const } : {}),
      execute: async (_i, ctx) => sleep(ms, ctx.signal).then(() => 'ok'),
    });
  const reviewer = scriptedModel({
    modelId: 'claude-reviewer-long-model-name',
    chunkDelayMs: 4,
    turns: (request: ModelRequest): ScriptedTurn =>
      request.messages.some((m) => m.role === 'tool')
        ? {
            text: 'No problems found in what I was asked to review.',
            usage: { inputTokens: 2400, outputTokens: 90 },
          }
        : {
            text: 'Looking.',
            toolCalls: [
              { name: 'grep', input: { path: 'src' } },
              { name: 'memory__create_relations', input: {} },
            ],
            usage: { inputTokens: 800, outputTokens: 120 },
          },
  });
  const rootAnswers: ScriptedTurn[] = [
    {
      text: 'I will look around, then ask three reviewers.',
      toolCalls: [
        { name: 'read_file', input: { path: 'README.md' } },
        { name: 'grep', input: { path: 'src' } },
        ...['security', 'correctness', 'performance'].map((area) => ({
          name: 'task',
          input: { description: area, prompt: `review ${area}`, agent: `${area}-reviewer` },
        })),
      ],
      usage: { inputTokens: 500, outputTokens: 200 },
    },
    {
      text: 'Fixing what they found.',
      toolCalls: [{ name: 'edit_file', input: { path: 'src/a.ts' } }],
      usage: { inputTokens: 4000, outputTokens: 150 },
    },
    { text: 'Done: one fix, three reviews.', usage: { inputTokens: 4300, outputTokens: 60 } },
  ];
  const root = scriptedModel({ modelId: 'claude-root', chunkDelayMs: 4, turns: rootAnswers });
  const manager = new SubagentManager({
    model: reviewer,
    maxConcurrent: 2,
    maxDepth: 1,
    definitions: ['security', 'correctness', 'performance'].map((area) => ({
      name: `${area}-reviewer`,
      description: `reviews ${area}`,
      prompt: `You review ${area}.`,
    })),
  });
  const traces: TurnTrace[] = [];
  const scheduler = new Scheduler({
    tools: [
      sleepy('read_file', 20),
      sleepy('grep', 60),
      sleepy('memory__create_relations', 15),
      sleepy('edit_file', 20, 'write'),
      taskTool(manager),
    ],
    approvalMode: 'ask',
    approver: async (req) => sleep(25, req.signal).then(() => 'approve' as const),
    tracer: false,
    onTurnEnd: (trace) => traces.push(trace),
  });
  manager.attach(scheduler);
  const result = await runAgent({ model: root, scheduler, messages: 'Review the repo.' });
  expect(result.finishReason).toBe('stop');
  return traces;
}

/** What the page says about each model bar, read in one round trip. */
async function drawnModelBars(page: Page) {
  return page.locator('.mbar').evaluateAll((elements) => {
    interface El {
      getAttribute(name: string): string | null;
      getBoundingClientRect(): { x: number; width: number };
      querySelectorAll(selector: string): ArrayLike<El>;
    }
    return (elements as unknown as El[]).map((el) => {
      const box = el.getBoundingClientRect();
      return {
        turnId: el.getAttribute('data-turn-id'),
        x: box.x,
        width: box.width,
        segments: Array.from(el.querySelectorAll('[data-phase]'), (seg) => {
          const b = seg.getBoundingClientRect();
          return {
            phase: seg.getAttribute('data-phase'),
            startMs: Number(seg.getAttribute('data-start-ms')),
            endMs: Number(seg.getAttribute('data-end-ms')),
            x: b.x,
            width: b.width,
          };
        }),
      };
    });
  });
}

/**
 * Boxes that overlap without one holding the other (badges, labels and their parts, bars, notes,
 * ticks, cards, legend entries, table cells), text that should be one line but wraps, and
 * label parts that stick out of their label.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface Box {
      left: number;
      right: number;
      top: number;
      bottom: number;
      width: number;
      height: number;
    }
    interface El {
      getBoundingClientRect(): Box;
      contains(other: El): boolean;
      className: string | { baseVal: string };
      textContent: string | null;
      closest(selector: string): El | null;
    }
    interface Doc {
      querySelectorAll(selector: string): ArrayLike<El>;
      createRange(): { selectNodeContents(el: El): void; getClientRects(): ArrayLike<Box> };
      documentElement: { scrollWidth: number; clientWidth: number };
    }
    const doc = (globalThis as unknown as { document: Doc }).document;
    const all = (selector: string) => Array.from(doc.querySelectorAll(selector));
    const name = (el: El) =>
      `${typeof el.className === 'string' ? el.className : el.className.baseVal} "${(el.textContent ?? '').slice(0, 40)}"`;
    const visible = (el: El) => {
      const b = el.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && el.closest('.tip') === null;
    };
    const problems: string[] = [];
    const boxed = [
      '.label > *',
      '.bar',
      '.mbar',
      '.note',
      '.tick',
      '.card',
      '.legend > span',
      'table.turns th',
      'table.turns td',
      '.split-key > span',
      '.details li',
      '.sub .count',
    ].flatMap((selector) => all(selector).filter(visible));
    const boxes = boxed.map((el) => el.getBoundingClientRect());
    const slack = 0.5;
    for (let i = 0; i < boxed.length; i++) {
      for (let j = i + 1; j < boxed.length; j++) {
        const a = boxed[i] as El;
        const b = boxed[j] as El;
        if (a === b || a.contains(b) || b.contains(a)) continue;
        const p = boxes[i] as Box;
        const q = boxes[j] as Box;
        const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (x > slack && y > slack) problems.push(`overlap: ${name(a)} and ${name(b)}`);
      }
    }
    // Parts of a label stay inside it: a badge never reaches into the chart.
    for (const label of all('.row .label').filter(visible)) {
      const outer = label.getBoundingClientRect();
      for (const part of all('.row .label > *').filter((p) => label.contains(p) && visible(p))) {
        const box = part.getBoundingClientRect();
        if (box.right > outer.right + slack || box.left < outer.left - slack) {
          problems.push(`outside its label: ${name(part)}`);
        }
      }
    }
    // One line each: names, ids, numbers and headings never wrap, let alone mid-word.
    const oneLine = [
      '.row .label',
      '.row .label > *',
      '.tick',
      '.card dt',
      '.card dd',
      '.card small',
      'table.turns th',
      'table.turns td:not(.path)',
      'table.turns td.path code',
      'table.turns td.path .who',
      '.legend > span',
      '.split-key > span',
      '.details li',
      '.sub .count',
    ];
    for (const el of oneLine.flatMap((s) => all(s)).filter(visible)) {
      const range = doc.createRange();
      range.selectNodeContents(el);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
      // A second line: a piece of text wholly below another (parts of one line overlap).
      const wrapped = rects.some((a) => rects.some((b) => b.top >= a.bottom - 1));
      if (wrapped) problems.push(`wraps: ${name(el)}`);
    }
    const page = doc.documentElement;
    if (page.scrollWidth > page.clientWidth + 1) {
      problems.push(`the page scrolls sideways: ${page.scrollWidth} > ${page.clientWidth}`);
    }
    return problems;
  });
}

describe('renderHtmlReport of an agent run (in Chromium)', () => {
  let browser: Browser | undefined;
  let traces: TurnTrace[];

  beforeAll(async () => {
    [browser, traces] = await Promise.all([launchChromium(), agentRun()]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every model request on its agent’s lane where its times say, tools inside or after it', async () => {
    const withModel = traces.filter((t) => t.model);
    // The root's three requests and two per reviewer.
    expect(withModel).toHaveLength(3 + 3 * 2);
    // The third reviewer waited for one of the two subagent slots.
    const waited = withModel.filter((t) => t.model?.limitWaitedOn === 'subagent');
    expect(waited.length).toBeGreaterThan(0);
    const { page } = await openReport(browser as Browser, renderHtmlReport(traces), 1400);
    expect(await checkBars(page, traces)).toBe(traces.reduce((n, t) => n + t.calls.length, 0));

    const origin = Math.min(...traces.map((t) => t.startedAt));
    const end = Math.max(...traces.map((t) => t.endedAt));
    const area = await page.locator('[data-chart-area]').boundingBox();
    if (!area) throw new Error('no chart area');
    const x = (t: number) => area.x + (area.width * (t - origin)) / (end - origin);
    const bars = await drawnModelBars(page);
    expect(bars).toHaveLength(withModel.length);
    for (const bar of bars) {
      const turn = withModel.find((t) => String(t.turnId) === bar.turnId);
      const m = turn?.model;
      if (!turn || !m) throw new Error(`a model bar for turn ${bar.turnId}, which has none`);
      const where = `model of turn ${turn.turnId}`;
      expect(Math.abs(bar.x - x(m.queuedAt)), where).toBeLessThanOrEqual(2);
      expect(Math.abs(bar.x + bar.width - x(m.endedAt)), where).toBeLessThanOrEqual(2);
      const phases = bar.segments.map((s) => s.phase);
      expect(phases, where).toContain('streaming');
      if (m.sentAt > m.queuedAt + 1) expect(phases, where).toContain('model-queued');
      for (const seg of bar.segments) {
        expect(
          Math.abs(seg.x - x(origin + seg.startMs)),
          `${seg.phase} of ${where}`,
        ).toBeLessThanOrEqual(2);
        const w = Math.max(1, x(origin + seg.endMs) - x(origin + seg.startMs));
        expect(Math.abs(seg.width - w), `${seg.phase} of ${where}`).toBeLessThanOrEqual(2);
      }
      const streaming = bar.segments.find((s) => s.phase === 'streaming');
      expect(streaming?.endMs).toBeCloseTo(m.endedAt - origin, 2);
      if (m.firstTokenAt !== undefined) {
        expect(streaming?.startMs).toBeCloseTo(m.firstTokenAt - origin, 2);
      }
      // Its calls are drawn where they started: inside the streaming answer, or after it.
      for (const c of turn.calls) {
        const call = await page
          .locator(`.bar[data-call-id="${c.id}"][data-turn-id="${turn.turnId}"]`)
          .boundingBox();
        expect(call?.x ?? 0, `${c.id} starts after its request was sent`).toBeGreaterThanOrEqual(
          x(m.sentAt) - 2,
        );
      }
    }
    // Tools ran while the root's first answer still streamed.
    const first = withModel.find((t) => t.path.length === 0 && t.calls.length > 0);
    const early = first?.calls.filter(
      (c) => (c.startedAt ?? Infinity) < (first.model?.endedAt ?? 0),
    );
    expect(early?.length ?? 0).toBeGreaterThan(0);
    // The task whose reviewer waited for a slot shows that wait as a wait, where it was.
    const late = waited[0];
    const slots = await page
      .locator(`.bar[data-call-id="${late?.parent?.callId}"] [data-phase="slot"]`)
      .evaluateAll((els) =>
        els.map((el) => [
          Number(
            (el as unknown as { getAttribute(n: string): string }).getAttribute('data-start-ms'),
          ),
          Number(
            (el as unknown as { getAttribute(n: string): string }).getAttribute('data-end-ms'),
          ),
        ]),
      );
    const m = late?.model;
    if (!m) throw new Error('no waiting reviewer');
    expect(
      slots.some(
        ([from, to]) =>
          Math.abs((from as number) - (m.queuedAt - origin)) < 0.01 &&
          Math.abs((to as number) - (m.sentAt - origin)) < 0.01,
      ),
      JSON.stringify(slots),
    ).toBe(true);
    await page.close();
  });

  for (const width of [1024, 1600]) {
    it(`lays out at ${width} px with no overlapping boxes and nothing wrapped mid-word`, async () => {
      const html = renderHtmlReport(traces, {
        title: 'salvo run: review with three reviewers',
        source: 'cli',
      });
      const { page, requests } = await openReport(browser as Browser, html, width);
      expect(await layoutProblems(page)).toEqual([]);
      // The check sees overlaps when there are some: a badge pushed onto the chart is one.
      await page.addStyleTag({ content: '.badge { position: relative; left: 400px; }' });
      expect((await layoutProblems(page)).join('\n')).toMatch(
        /overlap: badge "critical"|outside its label: badge/,
      );
      // And text that wraps: a card too narrow for its figure.
      await page.addStyleTag({ content: '.card dd { white-space: normal; width: 2ch; }' });
      expect((await layoutProblems(page)).join('\n')).toMatch(/wraps: /);
      await page.setContent(html, { waitUntil: 'load' });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}html-report-agent-${width}.png`, fullPage: true });
      expect(requests).toEqual([]);
      await page.close();
    });
  }
});
