// Headless Chromium for the HTML report's tests: every request refused, every dialog counted.

import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CallTrace, TurnTrace } from './call-trace.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Starts Debian's Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The HTML report test needs Debian's Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\`.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page showing `html` at `width` px, with every request refused and recorded. */
export async function openReport(
  browser: Browser,
  html: string,
  width = 1400,
): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route('**/*', (r) => r.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests, dialogs };
}

/** What the page says about each bar, read in one round trip. */
export interface DrawnBar {
  id: string | null;
  turnId: string | null;
  startMs: string | null;
  endMs: string | null;
  x: number;
  width: number;
  run: { x: number; width: number } | undefined;
  segments: { phase: string | null; startMs: number; endMs: number; x: number; width: number }[];
}

/** Every bar's box, checked against the call's times: left and width within 2 px. */
export async function checkBars(page: Page, all: readonly TurnTrace[]): Promise<number> {
  const calls = all.flatMap((t) => t.calls.map((c) => ({ turnId: t.turnId, call: c })));
  const origin = Math.min(...all.flatMap((t) => [t.startedAt, ...t.calls.map((c) => c.queuedAt)]));
  const end = Math.max(...all.flatMap((t) => [t.endedAt, ...t.calls.map((c) => c.endedAt)]));
  const span = end - origin;
  const area = await page.locator('[data-chart-area]').boundingBox();
  if (!area) throw new Error('no chart area');
  const x = (t: number) => area.x + (area.width * (t - origin)) / span;
  // Runs in the page: the DOM types are not part of this project's lib.
  const bars: DrawnBar[] = await page.locator('.bar').evaluateAll((elements) => {
    interface El {
      getAttribute(name: string): string | null;
      getBoundingClientRect(): { x: number; width: number };
      querySelector(selector: string): El | null;
      querySelectorAll(selector: string): ArrayLike<El>;
    }
    return (elements as unknown as El[]).map((el) => {
      const box = el.getBoundingClientRect();
      const runs = el.querySelectorAll('[data-phase="running"]');
      const first = runs[0]?.getBoundingClientRect();
      const last = runs[runs.length - 1]?.getBoundingClientRect();
      // Its own running: from the first running segment to the end of the last one.
      const run = first && last && { x: first.x, width: last.x + last.width - first.x };
      return {
        id: el.getAttribute('data-call-id'),
        turnId: el.getAttribute('data-turn-id'),
        startMs: el.getAttribute('data-start-ms'),
        endMs: el.getAttribute('data-end-ms'),
        x: box.x,
        width: box.width,
        run: run && { x: run.x, width: run.width },
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
  expect(bars).toHaveLength(calls.length);
  for (const bar of bars) {
    const { id } = bar;
    const found = calls.find((c) => c.call.id === id && String(c.turnId) === bar.turnId);
    expect(found, `bar ${id} of turn ${bar.turnId}`).toBeDefined();
    const c = (found as { call: CallTrace }).call;
    expect(Math.abs(bar.x - x(c.queuedAt)), `left of ${id}`).toBeLessThanOrEqual(2);
    const width = Math.max(2, x(c.endedAt) - x(c.queuedAt));
    expect(Math.abs(bar.width - width), `width of ${id}`).toBeLessThanOrEqual(2);
    expect(Number(bar.startMs)).toBeCloseTo(c.queuedAt - origin, 2);
    expect(Number(bar.endMs)).toBeCloseTo(c.endedAt - origin, 2);
    if (c.startedAt === undefined) {
      expect(bar.run, `${id} never ran`).toBeUndefined();
    } else if (c.endedAt - c.startedAt > 0) {
      if (!bar.run) throw new Error(`running segment of ${id} is not displayed`);
      expect(Math.abs(bar.run.x - x(c.startedAt)), `start of ${id}`).toBeLessThanOrEqual(2);
      const runEnd = bar.run.x + bar.run.width;
      expect(Math.abs(runEnd - x(c.endedAt)), `end of ${id}`).toBeLessThanOrEqual(2);
    }
    // Every phase is drawn where its own times say, inside the call's lifetime.
    for (const seg of bar.segments) {
      const where = `${seg.phase} of ${id}`;
      expect(seg.startMs, where).toBeGreaterThanOrEqual(c.queuedAt - origin - 1e-3);
      expect(seg.endMs, where).toBeLessThanOrEqual(c.endedAt - origin + 1e-3);
      expect(Math.abs(seg.x - x(origin + seg.startMs)), where).toBeLessThanOrEqual(2);
      const w = Math.max(1, x(origin + seg.endMs) - x(origin + seg.startMs));
      expect(Math.abs(seg.width - w), where).toBeLessThanOrEqual(2);
    }
  }
  return bars.length;
}
