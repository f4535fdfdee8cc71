import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processRuns } from './fixtures/process-runs.js';
import { faultHub } from './fixtures/test-hub.js';
import type { McpHub, McpStartEvent } from './hub.js';

// Startup under the host's control: who is starting, and giving up on a server that hangs.

let hub: McpHub | undefined;
let dir: string | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A fault server that answers nothing for ten minutes, and writes its pid. */
function hung(pidFile: string) {
  return { env: { FAULT_START_DELAY_MS: '600000', FAULT_PID_FILE: pidFile } };
}

async function pidOf(file: string): Promise<number> {
  return vi.waitFor(() => Number(readFileSync(file, 'utf8')), { timeout: 15_000, interval: 20 });
}

describe('McpHub startup', () => {
  it('reports each server starting with its timeout, then connected or failed', async () => {
    const events: McpStartEvent[] = [];
    hub = await faultHub(
      { ok: {}, bad: { env: { FAULT_EXIT_AT_START: '1' } } },
      { connectTimeoutMs: 20_000, onStart: (event) => events.push(event) },
    );
    expect(events.slice(0, 2)).toEqual([
      { type: 'starting', server: 'ok', timeoutMs: 20_000 },
      { type: 'starting', server: 'bad', timeoutMs: 20_000 },
    ]);
    expect(events.slice(2)).toEqual(
      expect.arrayContaining([
        { type: 'connected', server: 'ok', tools: expect.any(Number) },
        { type: 'failed', server: 'bad', error: expect.stringMatching(/failed to start/) },
      ]),
    );
    expect(hub.errors()).toEqual([
      { server: 'bad', message: expect.stringMatching(/refusing to start/), skipped: false },
    ]);
  });

  it('startSignal skips a hung server: its process is killed, the others keep their tools', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-startup-'));
    const pidFile = join(dir, 'hung.pid');
    const skip = new AbortController();
    const events: McpStartEvent[] = [];
    let okUp = () => {};
    const up = new Promise<void>((resolve) => {
      okUp = resolve;
    });
    const starting = faultHub(
      { ok: {}, slow: hung(pidFile) },
      {
        startSignal: skip.signal,
        onStart: (event) => {
          events.push(event);
          if (event.type === 'connected') okUp();
        },
      },
    );
    // Skip once the healthy server is up and the hung one runs (it wrote its pid).
    await up;
    const pid = await pidOf(pidFile);
    skip.abort();
    hub = await starting;
    expect(events.filter((e) => e.type !== 'starting')).toEqual([
      { type: 'connected', server: 'ok', tools: expect.any(Number) },
      { type: 'skipped', server: 'slow' },
    ]);
    expect(hub.tools().some((t) => t.name.startsWith('ok__'))).toBe(true);
    expect(hub.tools().some((t) => t.name.startsWith('slow__'))).toBe(false);
    expect(hub.errors()).toEqual([
      { server: 'slow', message: expect.stringMatching(/skipped/), skipped: true },
    ]);
    await vi.waitFor(() => expect(processRuns(pid)).toBe(false), { timeout: 5_000 });
  });
});
