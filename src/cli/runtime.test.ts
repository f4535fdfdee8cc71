import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentMessage } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { scriptedModel } from '../agent/scripted-model.js';
import { faultServerCommand } from '../mcp/fixtures/fault-server-command.js';
import { processRuns } from '../mcp/fixtures/process-runs.js';
import { createRuntime, type Runtime } from './runtime.js';

let runtime: Runtime | undefined;
let dir: string | undefined;

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createRuntime', () => {
  it("gives the model an MCP server's new tools at its next step after tools/list_changed", async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-runtime-'));
    const warnings: string[] = [];
    const shown: string[][] = [];
    const model = scriptedModel({
      turns: (request, index) => {
        shown.push(request.tools.map((t) => t.name).filter((n) => n.startsWith('f__')));
        // The fault server's `grow` adds a tool `extraN` and sends tools/list_changed.
        if (index === 0) return { toolCalls: [{ id: 'g', name: 'f__grow', input: {} }] };
        const extra = request.tools.find((t) => /^f__extra\d+$/.test(t.name));
        const called = request.messages.some(
          (m) => m.role === 'tool' && m.results.some((r) => r.name === extra?.name),
        );
        if (extra && !called) return { toolCalls: [{ id: 'x', name: extra.name, input: {} }] };
        // The list may be refreshed only after grow's result was sent: one more step then.
        if (!extra && index < 3)
          return { toolCalls: [{ id: `i${index}`, name: 'f__info', input: {} }] };
        return { text: 'done' };
      },
    });
    runtime = await createRuntime({
      cwd: dir,
      home: dir,
      config: { mcpServers: { f: faultServerCommand() } },
      model,
      approvalMode: 'yolo',
      approver: () => 'approve',
      warn: (line) => warnings.push(line),
    });
    const before = runtime.tools.map((t) => t.name);
    expect(before).toContain('f__grow');
    expect(before).toContain('read_file');
    expect(before).toContain('task');
    // The refreshed list may come just after grow's result: later steps wait for it.
    const grown = new Promise<void>((resolve) => runtime?.hub?.onToolsChanged(() => resolve()));
    const result = await runAgent({
      model: {
        ...model,
        stream: async function* (request) {
          if (request.messages.some((m) => m.role === 'tool')) await grown;
          yield* model.stream(request);
        },
      },
      scheduler: runtime.scheduler,
      messages: 'grow, then use the new tool',
    });
    expect(warnings).toEqual([]);
    expect(result.finishReason).toBe('stop');
    const last = shown.at(-1) ?? [];
    expect(last.length).toBe((shown[0]?.length ?? 0) + 1);
    expect(shown.length).toBeLessThanOrEqual(4);
    const answers = result.messages.filter(
      (m): m is Extract<AgentMessage, { role: 'tool' }> => m.role === 'tool',
    );
    const extraAnswer = answers.at(-1) as Extract<AgentMessage, { role: 'tool' }>;
    expect(extraAnswer.results.map((r) => [r.name, r.status, r.content])).toEqual([
      [
        expect.stringMatching(/^f__extra\d+$/),
        'success',
        [{ type: 'text', text: expect.stringMatching(/^extra\d+$/) }],
      ],
    ]);
    // The built-in and subagent tools are still there.
    const after = runtime.tools.map((t) => t.name);
    expect(after).toEqual(expect.arrayContaining([...before]));
    expect(after.length).toBe(before.length + 1);
  });

  it('closes the servers it started when it cannot be built', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-runtime-'));
    const pidFile = join(dir, 'server.pid');
    await expect(
      createRuntime({
        cwd: dir,
        home: dir,
        config: { mcpServers: { f: faultServerCommand({ FAULT_PID_FILE: pidFile }) } },
        model: scriptedModel({ turns: [] }),
        approvalMode: 'ask',
        maxSubagents: 0, // invalid: the subagent manager refuses it, after the servers started
        warn: () => {},
      }),
    ).rejects.toThrow(/maxConcurrent/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // Closing ended the server: it is gone (or a zombie its parent, this process, will reap).
    await vi.waitFor(() => expect(processRuns(pid)).toBe(false));
  });

  /** A config with a healthy server and one that hangs at startup, each writing its pid. */
  function healthyAndHung(into: string) {
    const okPid = join(into, 'ok.pid');
    const slowPid = join(into, 'slow.pid');
    const config = {
      mcpServers: {
        ok: faultServerCommand({ FAULT_PID_FILE: okPid }),
        slow: faultServerCommand({ FAULT_PID_FILE: slowPid, FAULT_START_DELAY_MS: '600000' }),
      },
    };
    const pids = () =>
      vi.waitFor(() => [okPid, slowPid].map((f) => Number(readFileSync(f, 'utf8'))), {
        timeout: 15_000,
        interval: 20,
      });
    return { config, pids };
  }

  it('cancelled while servers start: every server started is stopped, and it throws the reason', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-runtime-'));
    const { config, pids } = healthyAndHung(dir);
    const cancel = new AbortController();
    const reason = new Error('cancelled by the user');
    const building = createRuntime({
      cwd: dir,
      home: dir,
      config,
      model: scriptedModel({ turns: [] }),
      approvalMode: 'ask',
      sandbox: 'off',
      warn: () => {},
      signal: cancel.signal,
    });
    const started = await pids();
    cancel.abort(reason);
    await expect(building).rejects.toBe(reason);
    for (const pid of started) await vi.waitFor(() => expect(processRuns(pid)).toBe(false));
  });

  it('skipStarting: built without the servers still starting, and no warning for them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salvo-runtime-'));
    const { config, pids } = healthyAndHung(dir);
    const skip = new AbortController();
    const warnings: string[] = [];
    const events: string[] = [];
    const building = createRuntime({
      cwd: dir,
      home: dir,
      config,
      model: scriptedModel({ turns: [] }),
      approvalMode: 'ask',
      sandbox: 'off',
      warn: (line) => warnings.push(line),
      skipStarting: skip.signal,
      onServerStart: (event) => events.push(`${event.type} ${event.server}`),
    });
    const [, slowPid] = await pids();
    await vi.waitFor(() => expect(events).toContain('connected ok'), { timeout: 15_000 });
    skip.abort();
    runtime = await building;
    const names = runtime.tools.map((t) => t.name);
    expect(names.some((n) => n.startsWith('ok__'))).toBe(true);
    expect(names.some((n) => n.startsWith('slow__'))).toBe(false);
    expect(events).toContain('skipped slow');
    expect(warnings).toEqual([]);
    await vi.waitFor(() => expect(processRuns(slowPid as number)).toBe(false));
  });
});
