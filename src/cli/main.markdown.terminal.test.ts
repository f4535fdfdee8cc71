import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionStream, textChunk } from '../agent/providers/test-openai-sse.js';
import type { SseStep } from '../agent/providers/test-server.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { textWidth } from './progress/text-width.js';
import { cleanEnv, tempProject } from './test-cli.js';
import { squash } from './test-reporter-support.js';
import { TestTerminal } from './test-terminal.js';

// The real binary in a real pseudo-terminal (tmux): the model's answer rendered as Markdown,
// streamed in small pieces cut at awkward places, held half-way by a gate the test opens.

/** Generous: the machine is small and busy; waits end as soon as the screen is right. */
const slow = 45_000;

let server: TestServer;
const terminals: TestTerminal[] = [];
const gates: Array<() => void> = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await server.close();
});

const paragraph =
  'The **scheduler** starts every call that can start now and holds back only the calls ' +
  'that truly conflict with an earlier one, whatever order the model wrote them in.';
const code = 'const answer    = 42; // spaces kept';
const answer = [
  '# Release plan',
  '',
  paragraph,
  '',
  '- first item with `code`',
  '  - nested item',
  '',
  '```ts',
  code,
  '```',
  '',
  'Done.',
].join('\n');
/** Where the model pauses: in the middle of the paragraph, mid-word. */
const pause = answer.indexOf('holds back only the ca') + 'holds back only the ca'.length;

/** `text` in chunks of 7 characters: cut inside words, `**`, backticks and fences. */
function pieces(text: string): SseStep[] {
  const steps: SseStep[] = [];
  for (let i = 0; i < text.length; i += 7) steps.push(textChunk(text.slice(i, i + 7)));
  return steps;
}

/** The characters of a row captured with its escapes that are drawn bold. */
function boldText(row: string): string {
  let bold = false;
  let out = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: reading the escapes is the point
  for (const token of row.match(/\u001b\[[0-9;:]*[@-~]|[\s\S]/gu) ?? []) {
    if (token.startsWith('\u001b[')) {
      if (!token.endsWith('m')) continue;
      for (const code of token.slice(2, -1).split(/[;:]/)) {
        if (code === '1') bold = true;
        else if (code === '' || code === '0' || code === '22') bold = false;
      }
    } else if (bold) out += token;
  }
  return out;
}

describe('salvo in a terminal, Markdown', () => {
  it.each([50, 120])(
    'renders the streamed answer at %i columns: styles, code kept, words whole, nothing twice',
    async (columns) => {
      const { dir, home } = tempProject();
      let open = () => {};
      const held = new Promise<void>((resolve) => {
        open = resolve;
      });
      gates.push(open);
      server.enqueue(
        completionStream([
          ...pieces(answer.slice(0, pause)),
          { wait: held },
          ...pieces(answer.slice(pause)),
        ]),
      );
      const env = cleanEnv(home, {
        OPENAI_BASE_URL: `${server.url}/v1`,
        OPENAI_API_KEY: 'test',
        TERM: 'xterm-256color',
      });
      delete env.NO_COLOR;
      const t = await TestTerminal.start({
        args: ['run', '-m', 'm', 'plan the release'],
        cwd: dir,
        env,
        columns,
      });
      terminals.push(t);

      // Half-way: the heading is out, the paragraph being written shows as it stands.
      await t.waitForScreen(
        (s) => s.includes('# Release plan') && squash(s).includes(squash('holds back only the ca')),
        slow,
      );
      open();
      expect(await t.exitCode(slow)).toBe(0);

      const rows = (await t.history()).split('\n');
      const once = (row: string) => rows.filter((r) => r === row).length;
      expect(once('# Release plan')).toBe(1);
      expect(once('• first item with code')).toBe(1);
      expect(once('  ◦ nested item')).toBe(1);
      // The code line keeps its spaces, behind the gutter.
      expect(once(`│ ${code}`)).toBe(1);
      expect(once('Done.')).toBe(1);

      // The paragraph, wrapped at word boundaries to the terminal's width.
      const first = rows.findIndex((r) => r.startsWith('The scheduler starts'));
      const end = rows.indexOf('', first);
      const wrapped = rows.slice(first, end);
      const words = paragraph.replace(/\*\*/g, '');
      expect(wrapped.length).toBeGreaterThan(1);
      expect(wrapped.join(' ')).toBe(words);
      for (const [i, row] of wrapped.entries()) {
        expect(textWidth(row)).toBeLessThan(columns);
        expect(once(row)).toBe(1);
        // No row could have taken the next row's first word.
        const next = wrapped[i + 1]?.split(' ')[0];
        if (next) expect(textWidth(`${row} ${next}`)).toBeGreaterThan(columns - 1);
      }
      expect(rows.join('\n')).not.toContain('**');

      // Styles: the heading and the bold word drawn bold, nothing else of the paragraph.
      const styled = (await t.styledHistory()).split('\n');
      const heading = styled.find((r) => r.includes('Release plan')) ?? '';
      expect(boldText(heading)).toBe('# Release plan');
      const scheduler = styled.find((r) => r.includes('scheduler')) ?? '';
      expect(boldText(scheduler)).toBe('scheduler');
      expect(styled.find((r) => r.includes('first item with'))).toContain('\u001b[36mcode');
    },
    120_000,
  );

  it('keeps the layout and drops the styles with NO_COLOR', async () => {
    const { dir, home } = tempProject();
    server.enqueue(completionStream(pieces(answer)));
    const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
    const t = await TestTerminal.start({ args: ['run', '-m', 'm', 'plan'], cwd: dir, env });
    terminals.push(t);
    expect(await t.exitCode(slow)).toBe(0);
    const history = await t.history();
    expect(history).toContain('# Release plan\n\nThe scheduler starts every call');
    expect(history).toContain('• first item with code\n  ◦ nested item\n\n│ const answer');
    const styled = await t.styledHistory();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding escapes is the point
    expect(styled.split('\n').filter((r) => /\u001b\[[0-9;]*[1-9][0-9;]*m/.test(r))).toEqual([]);
  }, 120_000);
});
