import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionStream, toolStart } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// A shell command that fails, in a real terminal (tmux): the user sees it failed, its exit code
// and its last lines; the model gets the output and the exit code.

const slow = 45_000;

let server: TestServer;
const terminals: TestTerminal[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await server.close();
});

async function salvo(args: string[], dir: string, home: string): Promise<TestTerminal> {
  const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
  const terminal = await TestTerminal.start({ args, cwd: dir, env });
  terminals.push(terminal);
  return terminal;
}

interface WireMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

function toolResult(body: unknown, id: string): string | undefined {
  const message = (body as { messages: WireMessage[] }).messages.find(
    (m) => m.role === 'tool' && m.tool_call_id === id,
  );
  return typeof message?.content === 'string' ? message.content : JSON.stringify(message?.content);
}

const failing =
  'for i in 1 2 3 4 5 6 7 8; do echo "step $i of 8"; done; echo "boom: it broke" >&2; exit 3';

describe('a failing shell command in a terminal', () => {
  for (const how of ['yolo', 'y'] as const) {
    it(`exit 3 (approved ${how === 'yolo' ? 'by --approval yolo' : 'with y'}) is a failed call: ✗, exit 3, the output's tail, 1 failed`, async () => {
      const { dir, home } = tempProject();
      server.enqueue(
        toolCallsAnswer([
          { id: 's1', name: 'shell', input: { command: failing } },
          { id: 'r1', name: 'read_file', input: { path: 'src/a.ts' } },
        ]),
        textAnswer('The command failed.'),
      );
      const approval = how === 'yolo' ? ['--approval', 'yolo'] : [];
      const t = await salvo(
        ['run', '--sandbox', 'off', ...approval, '-m', 'm', 'run it'],
        dir,
        home,
      );
      if (how === 'y') {
        await t.waitFor(/\[y\] approve/, slow);
        await t.type('y');
      }
      expect(await t.exitCode(slow)).toBe(0);
      const screen = await t.history();
      // The call's line: failed, with its exit code; under it the last lines it printed.
      expect(screen).toMatch(/✗ [^\n]*shell [^\n]*\(s1\)[^\n]*exit 3/);
      expect(screen).toMatch(/│ step 7 of 8\n[^\n]*│ step 8 of 8\n[^\n]*│ boom: it broke\n/);
      expect(screen).toMatch(/✓ [^\n]*read_file src\/a\.ts[^\n]*done/);
      // The end line counts it.
      expect(screen).toMatch(/— [^\n]*2 tool calls[^\n]*1 failed/);
      expect(screen).toContain('The command failed.');
      // The model reads the output and the exit code.
      const result = toolResult((await server.request(1)).body, 's1');
      expect(result).toContain('step 1 of 8');
      expect(result).toContain('boom: it broke');
      expect(result).toContain('[exit code 3]');
    }, 60_000);
  }

  it('while the step goes on, the live view counts the failed call and shows its line', async () => {
    const { dir, home } = tempProject();
    let release: (value?: unknown) => void = () => {};
    const held = new Promise((resolve) => {
      release = resolve;
    });
    // The model keeps its answer open after the call: the call runs and fails meanwhile.
    server.enqueue(
      completionStream(
        [toolStart(0, 's1', 'shell', JSON.stringify({ command: failing })), { wait: held }],
        'tool_calls',
      ),
      textAnswer('Seen.'),
    );
    const t = await salvo(
      ['run', '--sandbox', 'off', '--approval', 'yolo', '-m', 'm', 'run it'],
      dir,
      home,
    );
    try {
      // The frame once the call's line and its tail are out (a capture may catch a write half done).
      const live = await t.waitForScreen(
        (screen) => /1 failed/.test(screen) && /│ boom: it broke/.test(screen),
        slow,
      );
      expect(live).toMatch(/✗ [^\n]*shell [^\n]*\(s1\)[^\n]*exit 3/);
      expect(live).toMatch(/│ boom: it broke/);
      expect(live).not.toMatch(/— done in/);
    } finally {
      release();
    }
    expect(await t.exitCode(slow)).toBe(0);
    expect(await t.history()).toMatch(/— [^\n]*1 tool call[^\n]*1 failed/);
  }, 60_000);
});
