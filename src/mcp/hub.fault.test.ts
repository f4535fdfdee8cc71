import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { ToolCall } from '../tool/call.js';
import { faultServerCommand } from './fixtures/fault-server-command.js';
import { processesWith } from './fixtures/process-runs.js';
import { faultHub, structured } from './fixtures/test-hub.js';
import { McpHub } from './hub.js';

type Sleep = { startedAt: number; endedAt: number; pid: number };
type Info = { pid: number; cancelled: { requestId: number | string; reason?: string }[] };

let hub: McpHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

const calls = (n: number, name: string, input: (i: number) => unknown): ToolCall[] =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, name, input: input(i) }));

async function info(scheduler: Scheduler, name = 'f__info'): Promise<Info> {
  const { results } = await scheduler.run([{ id: 'info', name, input: {} }]);
  return structured<Info>(results[0]?.content);
}

describe('McpHub against the fault server', () => {
  it('overlaps concurrent calls to one server (server-side timestamps)', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { results } = await scheduler.run(calls(10, 'f__sleep', () => ({ ms: 300 })));
    const spans = results.map((r) => structured<Sleep>(r.content));
    expect(results.every((r) => r.status === 'success')).toBe(true);
    // Every call started before any call ended: all ten ran at once.
    expect(Math.max(...spans.map((s) => s.startedAt))).toBeLessThan(
      Math.min(...spans.map((s) => s.endedAt)),
    );
  });

  it("trust 'none' runs one call of a server at a time", async () => {
    hub = await faultHub({ f: {} });
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run(calls(3, 'f__sleep', () => ({ ms: 50 })));
    const spans = results.map((r) => structured<Sleep>(r.content));
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]?.startedAt).toBeGreaterThanOrEqual(spans[i - 1]?.endedAt as number);
    }
  });

  it('fails 20 in-flight calls within a second when the server is killed, then restarts', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } }, { restartDelayMs: 50 });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { pid } = await info(scheduler);
    const run = scheduler.run(calls(20, 'f__sleep', () => ({ ms: 60_000 })));
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');
    const { results } = await run;
    expect(performance.now() - killedAt).toBeLessThan(1_000);
    expect(results).toHaveLength(20);
    for (const result of results) {
      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(/MCP server "f" was killed by SIGKILL/);
      expect(result.error?.message).toMatch(/fault-server \d+ starting/);
    }
    const after = await info(scheduler);
    expect(after.pid).not.toBe(pid);
    expect(hub.status()[0]).toMatchObject({ name: 'f', state: 'connected', restarts: 1 });
  });

  it('reports a crash mid-call with the exit code and stderr tail', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } }, { restartDelayMs: 10 });
    const scheduler = new Scheduler({ tools: hub.tools(), approvalMode: 'yolo' });
    const { results } = await scheduler.run([{ id: 'a', name: 'f__crash', input: { ms: 50 } }]);
    expect(results[0]?.error?.message).toMatch(/exited with code 7.*crashing on purpose/);
    const again = await scheduler.run([{ id: 'b', name: 'f__sleep', input: { ms: 1 } }]);
    expect(again.results[0]?.status).toBe('success');
  });

  it('sends notifications/cancelled when the turn is cancelled', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const controller = new AbortController();
    const run = scheduler.run([{ id: 'a', name: 'f__hang', input: {} }], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    const { results } = await run;
    expect(results[0]?.status).toBe('cancelled');
    await expect.poll(async () => (await info(scheduler)).cancelled.length).toBe(1);
  });

  it('times out a call that never answers, and tells the server', async () => {
    hub = await faultHub({ f: { trust: 'parallel', timeoutMs: 300 } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { results } = await scheduler.run([{ id: 'a', name: 'f__hang', input: {} }]);
    expect(results[0]?.status).toBe('timeout');
    expect(results[0]?.error?.message).toMatch(
      /MCP server "f" did not answer "hang" within 300 ms/,
    );
    const seen = await info(scheduler);
    expect(seen.cancelled).toHaveLength(1);
    expect(seen.cancelled[0]?.reason).toMatch(/timed out/i);
  });

  it('progress resets the timeout and reaches progress events', async () => {
    hub = await faultHub({ f: { trust: 'parallel', tools: { progress: { timeoutMs: 400 } } } });
    const progress: unknown[] = [];
    const scheduler = new Scheduler({
      tools: hub.tools(),
      onEvent: (e) => {
        if (e.type === 'progress') progress.push(e);
      },
    });
    // 6 steps of 150 ms: 900 ms in all, never 400 ms without progress.
    const { results } = await scheduler.run([
      { id: 'a', name: 'f__progress', input: { steps: 6, intervalMs: 150 } },
    ]);
    expect(results[0]?.status).toBe('success');
    // The last step's progress and the answer arrive together; the scheduler may fold them.
    expect(progress.length).toBeGreaterThanOrEqual(5);
    const stalled = await scheduler.run([
      { id: 'b', name: 'f__progress', input: { steps: 1, intervalMs: 800 } },
    ]);
    expect(stalled.results[0]?.error?.message).toMatch(/did not answer/);
  });

  it('turns malformed output and isError into error or timeout results', async () => {
    hub = await faultHub({ f: { trust: 'parallel', timeoutMs: 500 } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { results } = await scheduler.run([
      { id: 'a', name: 'f__garbage', input: { kind: 'bad-result' } },
      { id: 'b', name: 'f__garbage', input: { kind: 'not-json' } },
      { id: 'c', name: 'f__fail', input: {} },
      { id: 'd', name: 'f__sleep', input: { ms: 10 } },
    ]);
    // Output that is not JSON-RPC is no answer: that call times out, saying what it saw.
    expect(results.map((r) => r.status)).toEqual(['error', 'timeout', 'error', 'success']);
    expect(results[0]?.error?.message).toMatch(/MCP server "f" sent a malformed result/);
    expect(results[1]?.error?.message).toMatch(/not JSON-RPC/);
    expect(results[2]?.error?.message).toMatch(/the server says no$/);
  });

  it('reports a server that fails to start without stopping the others', async () => {
    hub = await faultHub({
      bad: { env: { FAULT_EXIT_AT_START: '1' } },
      slow: { env: { FAULT_START_DELAY_MS: '400' } },
    });
    expect(hub.errors()).toHaveLength(1);
    expect(hub.errors()[0]?.server).toBe('bad');
    expect(hub.errors()[0]?.message).toMatch(/failed to start.*refusing to start/);
    expect(hub.status().map((s) => [s.name, s.transport, s.state])).toEqual([
      ['bad', 'stdio', 'failed'],
      ['slow', 'stdio', 'connected'],
    ]);
    expect(hub.tools().map((t) => t.name)).toContain('slow__sleep');
  });

  it('says why a server did not start in terms of its config', async () => {
    hub = await McpHub.fromConfig({
      mcpServers: {
        missing: { command: 'salvo-no-such-command' },
        nowhere: { command: process.execPath, cwd: '/salvo-no-such-dir' },
        closed: { url: 'http://127.0.0.1:9/mcp' },
      },
    });
    const why = Object.fromEntries(hub.errors().map((e) => [e.server, e.message]));
    expect(why.missing).toMatch(/the command `salvo-no-such-command` was not found/);
    expect(why.nowhere).toMatch(/its cwd \/salvo-no-such-dir does not exist/);
    expect(why.closed).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/mcp \(fetch failed/);
  });

  it('ends a server that did not answer the handshake in time, even one that will not go', async () => {
    // A marker in its command line finds the process, whether or not it got as far as starting.
    const marker = `--salvo-test-${process.pid}-${Date.now()}`;
    const command = faultServerCommand({ FAULT_START_DELAY_MS: '60000', FAULT_STUBBORN: '1' });
    hub = await McpHub.fromConfig(
      { mcpServers: { mute: { ...command, args: [...command.args, marker] } } },
      { connectTimeoutMs: 1000 },
    );
    expect(hub.errors()[0]?.message).toMatch(
      /failed to start: it did not answer the MCP handshake within 1 s/,
    );
    // Left to the SDK, it would get SIGTERM (ignored) after 2 s and SIGKILL after 4 s.
    await vi.waitFor(() => expect(processesWith(marker)).toEqual([]), { timeout: 1000 });
  });

  it('retries a server that failed at startup: hub.reconnect(name), with backoff', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salvo-late-'));
    const marker = join(dir, 'ready');
    try {
      const changed: string[][] = [];
      hub = await faultHub(
        { late: { trust: 'parallel', env: { FAULT_EXIT_UNLESS_FILE: marker } } },
        { restartDelayMs: 300, onToolsChanged: (tools) => changed.push(tools.map((t) => t.name)) },
      );
      expect(hub.status()[0]).toMatchObject({ name: 'late', state: 'failed', tools: 0 });
      expect(hub.errors()[0]?.message).toMatch(/failed to start.*refusing to start/);
      expect(hub.tools()).toEqual([]);
      await writeFile(marker, '');
      const startedAt = performance.now();
      const status = await hub.reconnect('late');
      // The first failure's backoff (300 ms from when it failed) was waited out.
      expect(performance.now() - startedAt).toBeGreaterThan(100);
      expect(status).toMatchObject({ name: 'late', state: 'connected' });
      expect(status.error).toBeUndefined();
      expect(hub.errors()).toEqual([]);
      expect(changed.at(-1)).toContain('late__sleep');
      const scheduler = new Scheduler({ tools: hub.tools() });
      const { results } = await scheduler.run([{ id: 'a', name: 'late__sleep', input: { ms: 1 } }]);
      expect(results[0]?.status).toBe('success');
      await expect(hub.reconnect('nope')).rejects.toThrow(/a configured server \(late\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('spreads calls over a pool of connections', async () => {
    hub = await faultHub({ f: { trust: 'parallel', pool: 2 } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { results } = await scheduler.run(calls(4, 'f__sleep', () => ({ ms: 100 })));
    const pids = new Set(results.map((r) => structured<Sleep>(r.content).pid));
    expect(pids.size).toBe(2);
  });

  it('routes sampling and elicitation to the host with the call that caused them', async () => {
    const seen: string[] = [];
    hub = await faultHub(
      { f: { trust: 'parallel' } },
      {
        onSampling: ({ server, call }) => {
          seen.push(`sampling ${server} ${call?.callId}`);
          return { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };
        },
        onElicitation: ({ call }) => {
          seen.push(`elicitation ${call?.callId}`);
          return { action: 'accept', content: { ok: true } };
        },
      },
    );
    const scheduler = new Scheduler({ tools: hub.tools() });
    const a = await scheduler.run([{ id: 's1', name: 'f__ask', input: { kind: 'sampling' } }]);
    const b = await scheduler.run([{ id: 'e1', name: 'f__ask', input: { kind: 'elicitation' } }]);
    expect(a.results[0]?.content?.[0]).toMatchObject({ text: expect.stringContaining('hi') });
    expect(b.results[0]?.content?.[0]).toMatchObject({ text: expect.stringContaining('accept') });
    expect(seen).toEqual(['sampling f s1', 'elicitation e1']);
  });

  it('over stdio, gives an ambiguous request call: undefined and the calls in flight', async () => {
    const seen: { call: string | undefined; inFlight: string[] }[] = [];
    hub = await faultHub(
      { f: { trust: 'parallel' } },
      {
        onSampling: ({ call, inFlight }) => {
          seen.push({ call: call?.callId, inFlight: inFlight.map((c) => c.callId).sort() });
          return { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };
        },
      },
    );
    const scheduler = new Scheduler({ tools: hub.tools() });
    const { results } = await scheduler.run([
      { id: 'busy', name: 'f__sleep', input: { ms: 400 } },
      { id: 'asker', name: 'f__ask', input: { kind: 'sampling' } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(seen).toEqual([{ call: undefined, inFlight: ['asker', 'busy'] }]);
  });

  it('refreshes the tool list on notifications/tools/list_changed', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } });
    const changed = new Promise<string[]>((resolve) => {
      hub?.onToolsChanged((tools) => resolve(tools.map((t) => t.name)));
    });
    const scheduler = new Scheduler({ tools: hub.tools() });
    await scheduler.run([{ id: 'g', name: 'f__grow', input: {} }]);
    expect(await changed).toContain('f__extra9');
    expect(hub.tools().map((t) => t.name)).toContain('f__extra9');
  });

  it('killNow ends a server that ignores its input closing and SIGTERM, even mid-close', async () => {
    hub = await faultHub({ f: { trust: 'parallel', env: { FAULT_STUBBORN: '1' } } });
    const { pid } = await info(new Scheduler({ tools: hub.tools() }));
    // The SDK's close waits 2 s, sends SIGTERM, waits 2 s more: with those timers frozen, close
    // can only end by the process going, which only killNow brings about.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const closing = hub.close();
      hub.killNow();
      await closing;
    } finally {
      vi.useRealTimers();
    }
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('closes idempotently and fails later calls clearly', async () => {
    hub = await faultHub({ f: { trust: 'parallel' } });
    const scheduler = new Scheduler({ tools: hub.tools() });
    await hub.close();
    await hub.close();
    const { results } = await scheduler.run([{ id: 'a', name: 'f__sleep', input: { ms: 1 } }]);
    expect(results[0]?.error?.message).toMatch(/closed/);
  });
});
