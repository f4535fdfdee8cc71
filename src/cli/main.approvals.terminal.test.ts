import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// Approvals in a real terminal (tmux), against the scripted model server: the diff shown before
// `y`, a denial's reason reaching the model, and "always allow" rules scoped to what was shown.

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

async function salvo(
  args: string[],
  dir: string,
  home: string,
  extra: Record<string, string> = {},
): Promise<TestTerminal> {
  const env = cleanEnv(home, {
    OPENAI_BASE_URL: `${server.url}/v1`,
    OPENAI_API_KEY: 'test',
    ...extra,
  });
  const terminal = await TestTerminal.start({ args, cwd: dir, env });
  terminals.push(terminal);
  return terminal;
}

interface WireMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

/** The tool results a request carried, by call id. */
function toolResults(body: unknown): Map<string, string> {
  const results = new Map<string, string>();
  for (const m of (body as { messages: WireMessage[] }).messages) {
    if (m.role !== 'tool' || m.tool_call_id === undefined) continue;
    results.set(
      m.tool_call_id,
      typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
    );
  }
  return results;
}

const esc = '\u001b';
/** An SGR sequence setting foreground colour `code` (`ESC[31m`, `ESC[1;31m`), then `text`. */
function colouredAs(code: string, text: string): RegExp {
  return new RegExp(`${esc}\\[(?:[0-9;]*;)?${code}m${text.replace(/[+.*?()[\]{}|\\^$]/g, '\\$&')}`);
}
/** An SGR sequence that sets a foreground colour (`ESC[31m`, `ESC[1;32m`, `ESC[38;5;2m`...). */
const colourEscape = new RegExp(`${esc}\\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[0-9;]+)m`);

/** The first line of `text` holding `needle`, escapes kept. */
function lineWith(text: string, needle: string): string | undefined {
  return text.split('\n').find((line) => line.includes(needle));
}

/** Drops the escapes tmux keeps in a styled capture. */
function plain(text: string): string {
  return text.replace(new RegExp(`${esc}\\[[0-9;:]*[A-Za-z]`, 'g'), '');
}

/**
 * A harmless `npm` on PATH: it appends its arguments to `npm.log` in the folder it runs in, so a
 * test can count what ran and how.
 */
function fakeNpm(root: string): string {
  const bin = join(root, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  const npm = join(bin, 'npm');
  writeFileSync(npm, '#!/bin/sh\necho "npm $*" >> npm.log\necho "tests passed"\n');
  chmodSync(npm, 0o755);
  return bin;
}

/** The npm commands the fake npm ran in `dir`, in order. */
function npmRuns(dir: string): string[] {
  const log = join(dir, 'npm.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/** Types a line at the interactive prompt and sends it. */
async function line(t: TestTerminal, text: string): Promise<void> {
  await t.type(text);
  await t.press('Enter');
}

describe('approvals in a terminal', () => {
  it('an edit shows its coloured unified diff before y; NO_COLOR shows the same rows, no colour', async () => {
    const screens: string[] = [];
    for (const noColor of [false, true]) {
      const { dir, home } = tempProject();
      writeFileSync(
        join(dir, 'src', 'c.ts'),
        'const keep = 0;\nexport const c = 1;\nconst tail = 2;\n',
      );
      server.enqueue(
        toolCallsAnswer([
          {
            id: 'e1',
            name: 'edit_file',
            input: {
              path: 'src/c.ts',
              old_string: 'export const c = 1;',
              new_string: 'export const c = 42;',
            },
          },
        ]),
        textAnswer('Edited.'),
      );
      const t = await salvo(['run', '--sandbox', 'off', '-m', 'm', 'edit c'], dir, home, {
        NO_COLOR: noColor ? '1' : '',
      });
      await t.waitFor(/\[y\] approve/, slow);
      // Not written before the answer.
      expect(readFileSync(join(dir, 'src', 'c.ts'), 'utf8')).toContain('c = 1;');
      const styled = await t.styledHistory();
      const shown = plain(styled);
      expect(shown).toMatch(
        /\? Run edit_file\n {2}path: src\/c\.ts \(\+1 -1\)\n {2}@@ -1,3 \+1,3 @@\n {2} const keep = 0;\n {2}-export const c = 1;\n {2}\+export const c = 42;\n {2} const tail = 2;\n/,
      );
      const removed = lineWith(styled, '-export const c = 1;') as string;
      const added = lineWith(styled, '+export const c = 42;') as string;
      if (noColor) {
        expect(styled).not.toMatch(colourEscape);
        expect(removed).not.toContain(esc);
      } else {
        // Red before the removed line, green before the added one; the context line plain.
        expect(removed).toMatch(colouredAs('31', '-export const c = 1;'));
        expect(added).toMatch(colouredAs('32', '+export const c = 42;'));
        expect(lineWith(styled, ' const keep = 0;')).not.toMatch(colourEscape);
      }
      screens.push(
        shown.slice(shown.indexOf('? Run edit_file'), shown.indexOf(' const tail = 2;') + 16),
      );
      await t.type('y');
      expect(await t.exitCode(slow)).toBe(0);
      expect(readFileSync(join(dir, 'src', 'c.ts'), 'utf8')).toBe(
        'const keep = 0;\nexport const c = 42;\nconst tail = 2;\n',
      );
    }
    // The same layout, colour or not.
    expect(screens[1]).toBe(screens[0]);
  }, 120_000);

  it('n, a reason, Enter: the model reads "The user denied this call: <reason>"', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([{ id: 's1', name: 'shell', input: { command: 'npm install left-pad' } }]),
      textAnswer('Understood, using pnpm.'),
    );
    const t = await salvo(['run', '--sandbox', 'off', '-m', 'm', 'add left-pad'], dir, home);
    await t.waitFor(/\[y\] approve/, slow);
    await t.type('n');
    await t.waitFor(/reason \(Enter to send, Esc for none\)/, slow);
    await t.type('use pnpm instead');
    await t.waitFor(/reason \(Enter to send, Esc for none\): use pnpm instead/, slow);
    await t.press('Enter');
    expect(await t.exitCode(slow)).toBe(0);
    const next = await server.request(1);
    expect(toolResults(next.body).get('s1')).toContain(
      'The user denied this call: use pnpm instead',
    );
    expect(await t.history()).toContain('Understood, using pnpm.');
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  }, 60_000);

  it('a on `npm test -- --watch=false` allows later `npm test` calls, but `npm test; touch pwned` still asks', async () => {
    const { dir, home } = tempProject();
    const bin = fakeNpm(join(dir, '..'));
    server.enqueue(
      toolCallsAnswer([
        { id: 's1', name: 'shell', input: { command: 'npm test -- --watch=false' } },
      ]),
      toolCallsAnswer([
        { id: 's2', name: 'shell', input: { command: 'npm test' } },
        { id: 's3', name: 'shell', input: { command: 'npm test; touch pwned' } },
      ]),
      textAnswer('Tests ran.'),
    );
    const t = await salvo(['run', '--sandbox', 'off', '-m', 'm', 'run the tests'], dir, home, {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
    await t.waitFor(/\[y\] approve {2}\[n\] deny {2}\[a\] always allow "npm test …"/, slow);
    await t.type('a');
    // The second `npm test` runs unasked; the command with a second part asks, and says so whole.
    const asked = await t.waitFor(/\? Run shell\n {2}command: npm test; touch pwned/, slow);
    expect(asked.match(/\? Run shell\n/g)).toHaveLength(2);
    await t.waitFor(() => npmRuns(dir).length === 2, slow);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    await t.type('n');
    await t.waitFor(/reason \(Enter to send, Esc for none\)/, slow);
    await t.press('Escape');
    expect(await t.exitCode(slow)).toBe(0);
    expect(npmRuns(dir)).toEqual(['npm test -- --watch=false', 'npm test']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    const results = toolResults((await server.request(2)).body);
    expect(results.get('s2')).toContain('tests passed');
    expect(results.get('s3')).toContain('The user denied this call.');
  }, 60_000);

  it('/permissions lists the rule, save keeps it for the folder, a new salvo uses it, revoke removes it from the file', async () => {
    const { dir, home } = tempProject();
    const bin = fakeNpm(join(dir, '..'));
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    server.enqueue(
      toolCallsAnswer([{ id: 's1', name: 'shell', input: { command: 'npm test' } }]),
      textAnswer('Ran once.'),
    );
    const first = await salvo(['--sandbox', 'off', '-m', 'm'], dir, home, env);
    await first.waitFor(/\n›$/, slow);
    await line(first, 'run the tests');
    await first.waitFor(/\[a\] always allow "npm test …"/, slow);
    await first.type('a');
    await first.waitFor(/Ran once\.[\s\S]*\n›$/, slow);
    await line(first, '/permissions');
    await first.waitFor(/Approval rules[^\n]*\n1\. shell: npm test …\n›$/, slow);
    await line(first, '/permissions save');
    const saved = await first.waitFor(/Saved 1 rule for this project in (\S+)\.\n/, slow);
    const file = /Saved 1 rule for this project in (\S+)\.\n/.exec(saved)?.[1] as string;
    expect(file.startsWith(join(home, '.salvo', 'projects'))).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).rules).toEqual([
      { kind: 'shell', words: ['npm', 'test'] },
    ]);
    await line(first, '/exit');
    expect(await first.exitCode(slow)).toBe(0);
    expect(npmRuns(dir)).toEqual(['npm test']);

    server.enqueue(
      toolCallsAnswer([{ id: 's2', name: 'shell', input: { command: 'npm test -- --coverage' } }]),
      textAnswer('Ran again.'),
    );
    const second = await salvo(['--sandbox', 'off', '-m', 'm'], dir, home, env);
    await second.waitFor(/1 saved approval rule for this folder in force[\s\S]*\n›$/, slow);
    await line(second, 'run the tests again');
    await second.waitFor(/Ran again\.[\s\S]*\n›$/, slow);
    expect(await second.history()).not.toMatch(/\[y\] approve/);
    expect(npmRuns(dir)).toEqual(['npm test', 'npm test -- --coverage']);
    await line(second, '/permissions');
    await second.waitFor(/1\. shell: npm test … {2}\(saved for this project\)/, slow);
    await line(second, '/permissions revoke 1');
    await second.waitFor(/Revoked: shell: npm test … \(and from the saved rules\)/, slow);
    expect(JSON.parse(readFileSync(file, 'utf8')).rules).toEqual([]);
    await line(second, '/exit');
    expect(await second.exitCode(slow)).toBe(0);

    // Revoked for good: the next salvo here asks again.
    server.enqueue(
      toolCallsAnswer([{ id: 's3', name: 'shell', input: { command: 'npm test' } }]),
      textAnswer('Asked.'),
    );
    const third = await salvo(['run', '--sandbox', 'off', '-m', 'm', 'test'], dir, home, env);
    await third.waitFor(/\[y\] approve/, slow);
    expect(await third.history()).not.toMatch(/saved approval rule/);
    await third.type('y');
    expect(await third.exitCode(slow)).toBe(0);
  }, 180_000);
});
