import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinTools } from '../tools/builtin-tools.js';
import { runTool, textOf } from '../tools/test-support.js';
import { Workspace } from '../tools/workspace.js';
import { type ApprovalDiff, approvalDiff } from './approval-diff.js';
import { previewEdit } from './approval-diff-edit.js';
import { approvalDetails } from './approval-prompt.js';
import { stripColors } from './progress/index.js';
import { approvalRequest } from './test-reporter-support.js';

let root: string;
let outside: string;
let workspace: Workspace;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-diff-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-diff-out-')));
  mkdirSync(join(root, 'src'));
  writeFileSync(
    join(root, 'src/a.ts'),
    ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', ''].join('\n'),
  );
  workspace = new Workspace({ root });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const edit = (input: Record<string, unknown>) => approvalRequest('c1', 'edit_file', input);
const write = (path: string, content: string) =>
  approvalRequest('c1', 'write_file', { path, content });

function rows(diff: ApprovalDiff | undefined): string[] {
  expect(diff?.kind).toBe('diff');
  return diff?.kind === 'diff' ? diff.rows : [];
}

describe('approvalDiff', () => {
  it('shows an edit as a unified diff: the path, the counts, the hunk header, three lines of context', () => {
    const diff = approvalDiff(
      edit({ path: 'src/a.ts', old_string: 'five', new_string: 'FIVE\nFIVE-AND-A-HALF' }),
      {
        workspace,
        width: 80,
      },
    );
    expect(rows(diff)).toEqual([
      '  path: src/a.ts (+2 -1)',
      '  @@ -2,7 +2,8 @@',
      '   two',
      '   three',
      '   four',
      '  -five',
      '  +FIVE',
      '  +FIVE-AND-A-HALF',
      '   six',
      '   seven',
      '   eight',
    ]);
  });

  it('colours removed lines red, added green, hunk headers cyan; no colour at all without it', () => {
    const request = edit({ path: 'src/a.ts', old_string: 'two', new_string: 'TWO' });
    const colored = rows(approvalDiff(request, { workspace, width: 80, color: true }));
    expect(colored).toContain('  \u001b[31m-two\u001b[39m');
    expect(colored).toContain('  \u001b[32m+TWO\u001b[39m');
    expect(colored).toContain('  \u001b[36m@@ -1,5 +1,5 @@\u001b[39m');
    expect(colored.map(stripColors)).toEqual(rows(approvalDiff(request, { workspace, width: 80 })));
    expect(rows(approvalDiff(request, { workspace, width: 80 })).join('\n')).not.toContain(
      '\u001b',
    );
  });

  it("shows the model's escapes, bidi and invisible characters as escapes, never raw", () => {
    const request = edit({
      path: 'src/a.ts',
      old_string: 'two',
      new_string: 'x\u001b[2J\u001b]0;pwned\u0007\u202egnirts\u200b\r',
    });
    const plain = rows(approvalDiff(request, { workspace, width: 120 })).join('\n');
    expect(plain).toContain('+x\\x1b[2J\\x1b]0;pwned\\x07\\u202egnirts\\u200b\\r');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    expect(plain).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e\u200b]/);
    const colored = rows(approvalDiff(request, { workspace, width: 120, color: true })).join('\n');
    // Every escape byte left is one of ours: colour, and reverse video around each shown escape.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ours leaves any other
    const ours = /\u001b\[(?:3[1269]|39|2|22|7|27)m/g;
    expect(colored.replace(ours, '')).not.toContain('\u001b');
    expect(colored).toContain('\u001b[7m\\x1b\u001b[27m');
  });

  it('a new file is all additions, every line, and says it is new', () => {
    const content = `${Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;
    const shown = rows(approvalDiff(write('docs/new.md', content), { workspace, width: 80 }));
    expect(shown[0]).toBe('  path: docs/new.md (new file) (+60 -0)');
    expect(shown[1]).toBe('  @@ -0,0 +1,60 @@');
    expect(shown.slice(2)).toEqual(Array.from({ length: 60 }, (_, i) => `  +line ${i + 1}`));
    const noNewline = rows(approvalDiff(write('x.txt', 'a'), { workspace, width: 80 }));
    expect(noNewline.slice(1)).toEqual([
      '  @@ -0,0 +1 @@',
      '  +a',
      '  \\ No newline at end of file',
    ]);
  });

  it('a write over a file is a diff against it; the same content says nothing changes', () => {
    const shown = rows(approvalDiff(write('src/a.ts', 'one\n'), { workspace, width: 80 }));
    expect(shown[0]).toBe('  path: src/a.ts (+0 -7)');
    expect(shown).toContain('  -eight');
    const same = readFileSync(join(root, 'src/a.ts'), 'utf8');
    expect(rows(approvalDiff(write('src/a.ts', same), { workspace, width: 80 }))).toEqual([
      '  path: src/a.ts',
      '  The content is the file as it is now: nothing changes.',
    ]);
  });

  it('wraps a long line onto rows that start with ↪, keeping every character', () => {
    const long = `${'x'.repeat(50)}↪${'y'.repeat(50)}`;
    const shown = rows(approvalDiff(write('long.txt', `${long}\n`), { workspace, width: 40 }));
    const added = shown.filter((row) => row.startsWith('  +'));
    expect(added[0]).toBe(`  +${'x'.repeat(37)}`);
    expect(added.slice(1).every((row) => row.startsWith('  +↪'))).toBe(true);
    expect(added.every((row) => row.length <= 40)).toBe(true);
    // The text's own ↪ is an escape: it cannot pass for a wrapped row.
    expect(added.map((row) => row.slice(3).replace(/^↪/, '')).join('')).toBe(
      `${'x'.repeat(50)}\\u21aa${'y'.repeat(50)}`,
    );
  });

  it('draws indentation as it is: leading tabs as spaces, short runs of spaces as spaces', () => {
    const shown = rows(
      approvalDiff(write('i.go', '\tif x {\n\t\treturn    1\n\t}\n'), { workspace, width: 80 }),
    );
    expect(shown.slice(2)).toEqual(['  +    if x {', '  +        return    1', '  +    }']);
  });

  it('a CRLF file: the line breaks are said once, not shown on every line', () => {
    writeFileSync(join(root, 'crlf.txt'), 'one\r\ntwo\r\n');
    const shown = rows(
      approvalDiff(edit({ path: 'crlf.txt', old_string: 'one\ntwo', new_string: 'uno\ndos' }), {
        workspace,
        width: 80,
      }),
    );
    expect(shown).toEqual([
      '  path: crlf.txt (+2 -2)',
      '  (line breaks are CRLF)',
      '  @@ -1,2 +1,2 @@',
      '  -one',
      '  -two',
      '  +uno',
      '  +dos',
    ]);
  });

  it('says before asking that an edit will fail: text not found, not unique, file missing, path outside', () => {
    writeFileSync(join(root, 'twice.txt'), 'x\nx\n');
    symlinkSync(outside, join(root, 'out'));
    const cases: [Record<string, unknown>, string][] = [
      [
        { path: 'src/a.ts', old_string: 'nine', new_string: '9' },
        'old_string was not found in `src/a.ts`',
      ],
      [
        { path: 'twice.txt', old_string: 'x', new_string: 'y' },
        'old_string occurs 2 times in `twice.txt` and replace_all is not set',
      ],
      [{ path: 'src/a.ts', old_string: '', new_string: 'y' }, 'old_string is empty'],
      [{ path: 'src/a.ts', old_string: 'two', new_string: 'two' }, 'the edit would change nothing'],
      [{ path: 'nope.ts', old_string: 'a', new_string: 'b' }, '`nope.ts` does not exist'],
      [{ path: '../x.ts', old_string: 'a', new_string: 'b' }, 'outside the workspace'],
      [{ path: 'out/x.ts', old_string: 'a', new_string: 'b' }, 'outside the workspace'],
    ];
    for (const [input, message] of cases) {
      const diff = approvalDiff(edit(input), { workspace, width: 80 });
      expect(diff?.kind, message).toBe('input');
      if (diff?.kind === 'input') expect(diff.note).toContain(`This call will fail: `);
      if (diff?.kind === 'input') expect(diff.note).toContain(message);
    }
    const all = approvalDiff(
      edit({ path: 'twice.txt', old_string: 'x', new_string: 'y', replace_all: true }),
      {
        workspace,
        width: 80,
      },
    );
    expect(rows(all)[0]).toBe('  path: twice.txt (replace_all: 2 replaced) (+2 -2)');
  });

  it('a binary or folder target: a write says what it replaces, an edit says it will fail', () => {
    writeFileSync(join(root, 'bin.dat'), Buffer.from([1, 0, 2]));
    const replaced = rows(approvalDiff(write('bin.dat', 'text\n'), { workspace, width: 80 }));
    expect(replaced).toEqual([
      '  path: bin.dat (replaces a binary file of 3 bytes, not compared)',
      '  Every line below is the new content of `bin.dat`:',
      '  +text',
    ]);
    expect(
      approvalDiff(edit({ path: 'bin.dat', old_string: 'a', new_string: 'b' }), {
        workspace,
        width: 80,
      }),
    ).toEqual({
      kind: 'input',
      note: 'This call will fail: `bin.dat` is a binary file of 3 bytes.',
    });
    expect(approvalDiff(write('src', 'x'), { workspace, width: 80 })?.kind).toBe('input');
  });

  it('a path through a symlink shows where it really leads', () => {
    symlinkSync(join(root, 'src'), join(root, 'link'));
    const shown = rows(
      approvalDiff(edit({ path: 'link/a.ts', old_string: 'two', new_string: '2' }), {
        workspace,
        width: 80,
      }),
    );
    expect(shown[0]).toBe('  path: link/a.ts → src/a.ts (+1 -1)');
  });

  it('leaves other tools and inputs of another shape to approvalInput', () => {
    expect(
      approvalDiff(approvalRequest('c', 'shell', { command: 'ls' }), { workspace, width: 80 }),
    ).toBeUndefined();
    expect(
      approvalDiff(approvalRequest('c', 'edit_file', { path: 'a' }), { workspace, width: 80 }),
    ).toBeUndefined();
    expect(
      approvalDiff(approvalRequest('c', 'write_file', 'x'), { workspace, width: 80 }),
    ).toBeUndefined();
  });

  it('a change too large to compare in time: a write shows its whole new content, saying so', () => {
    const before = `${Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n')}\n`;
    const after = `${Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n')}\n`;
    writeFileSync(join(root, 'big.txt'), before);
    const shown = rows(
      approvalDiff(write('big.txt', after), { workspace, width: 80, diffTimeoutMs: 0 }),
    );
    expect(shown[0]).toBe('  path: big.txt (too different to compare in time)');
    expect(shown[1]).toBe('  Every line below is the new content of `big.txt`:');
    expect(shown.slice(2)).toHaveLength(3000);
  });
});

describe('approvalDetails', () => {
  it('an edit: the question, then the diff instead of the raw strings', () => {
    const lines = approvalDetails(edit({ path: 'src/a.ts', old_string: 'two', new_string: '2' }), {
      width: 80,
      waiting: 1,
      workspace,
    });
    expect(lines[0]).toBe('? Run edit_file  (1 more waiting)');
    expect(lines[1]).toBe('  path: src/a.ts (+1 -1)');
    expect(lines).toContain('  +2');
  });

  it('a failing edit: the whole input, then why it will fail', () => {
    const lines = approvalDetails(edit({ path: 'src/a.ts', old_string: 'nine', new_string: '9' }), {
      width: 80,
      workspace,
    });
    expect(lines).toEqual([
      '? Run edit_file',
      '  path: src/a.ts',
      '  old_string: nine',
      '  new_string: 9',
      '  This call will fail: old_string was not found in `src/a.ts`.',
    ]);
  });

  it('without a workspace, or for other tools, the input as it is', () => {
    const request = edit({ path: 'src/a.ts', old_string: 'two', new_string: '2' });
    expect(approvalDetails(request, { width: 80 })).toEqual([
      '? Run edit_file',
      '  path: src/a.ts',
      '  old_string: two',
      '  new_string: 2',
    ]);
  });
});

describe('previewEdit: the same change as edit_file makes', () => {
  let toolRoot: string;
  beforeAll(() => {
    toolRoot = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-diff-tool-')));
  });
  afterAll(() => rmSync(toolRoot, { recursive: true, force: true }));

  it('property: for any text and edit, the preview is what the tool writes, or the tool fails too', async () => {
    const tools = builtinTools({ root: toolRoot });
    const piece = fc.constantFrom('a', 'b', 'ab', '\n', '\r\n', ' ', 'x\ny');
    const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        text,
        fc.boolean(),
        async (content, oldString, newString, replaceAll) => {
          const file = join(toolRoot, 'f.txt');
          writeFileSync(file, content);
          const input = { old_string: oldString, new_string: newString, replace_all: replaceAll };
          const preview = previewEdit(content, input, '`f.txt`');
          const result = await runTool(tools, 'edit_file', { path: 'f.txt', ...input });
          if (preview.ok) {
            expect(result.status).toBe('success');
            expect(readFileSync(file, 'utf8')).toBe(preview.updated);
          } else {
            expect(result.status, textOf(result)).toBe('error');
            expect(readFileSync(file, 'utf8')).toBe(content);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
