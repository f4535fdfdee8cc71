import { realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { grepTool } from './grep.js';
import {
  claimsOf,
  errorCode,
  makeFifo,
  requireRipgrep,
  runTool,
  tempDir,
  textOf,
  toolNamed,
  writeTree,
} from './test-support.js';
import { createWorkspace } from './workspace.js';

let root: string;
let tools: Tool[];
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  root = await realpath(t.dir);
  await writeTree(root, {
    'src/a.ts': 'import x\n// TODO one\nconst a = 1;\n\n\n\n// todo two\nend\n',
    'src/b.js': 'const b = 2; // TODO three\n',
    'src/crlf.ts': 'let c = 3;\r\n// TODO four\r\n',
    'docs/readme.md': 'TODO docs\n',
    'node_modules/m/index.js': 'TODO hidden\n',
    '.git/config': 'TODO git\n',
  });
  await writeFile(join(root, 'src/bin.dat'), Buffer.from('TODO\0binary'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const grep = (input: unknown) => runTool(tools, 'grep', input);
const rg = requireRipgrep();

// Every behaviour holds with ripgrep and with the JavaScript search.
describe.each([
  ['rg', rg],
  ['JavaScript', false],
] as const)('grep (%s)', (_, ripgrep) => {
  beforeEach(() => {
    tools = builtinTools({ root, maxFileBytes: 1024, ripgrep });
  });

  it('finds matching lines in path order, skipping binaries, .git and node_modules', async () => {
    expect(textOf(await grep({ pattern: 'TODO' }))).toBe(
      [
        'docs/readme.md:1:TODO docs',
        'src/a.ts:2:// TODO one',
        'src/b.js:1:const b = 2; // TODO three',
        'src/crlf.ts:2:// TODO four',
      ].join('\n'),
    );
  });

  it('ignores case, filters by glob and searches one file or folder', async () => {
    expect(textOf(await grep({ pattern: 'todo', ignore_case: true, glob: '*.ts' }))).toBe(
      ['src/a.ts:2:// TODO one', 'src/a.ts:7:// todo two', 'src/crlf.ts:2:// TODO four'].join('\n'),
    );
    expect(textOf(await grep({ pattern: 'TODO', path: 'src/b.js' }))).toBe(
      'src/b.js:1:const b = 2; // TODO three',
    );
    expect(textOf(await grep({ pattern: 'TODO', path: 'node_modules' }))).toBe(
      'node_modules/m/index.js:1:TODO hidden',
    );
  });

  it('shows context lines and separates groups with --', async () => {
    expect(textOf(await grep({ pattern: 'TODO|todo', path: 'src/a.ts', context: 1 }))).toBe(
      [
        'src/a.ts-1-import x',
        'src/a.ts:2:// TODO one',
        'src/a.ts-3-const a = 1;',
        '--',
        'src/a.ts-6-',
        'src/a.ts:7:// todo two',
        'src/a.ts-8-end',
      ].join('\n'),
    );
  });

  it('matches `$` at the end of CRLF lines, and lookarounds line by line', async () => {
    expect(textOf(await grep({ pattern: '3;$', path: 'src', glob: '*.ts' }))).toBe(
      'src/crlf.ts:1:let c = 3;',
    );
    expect(textOf(await grep({ pattern: '(?<=// )TODO one', path: 'src/a.ts' }))).toBe(
      'src/a.ts:2:// TODO one',
    );
  });

  it('stops at max_results and says there may be more', async () => {
    const text = textOf(await grep({ pattern: 'TODO|todo', max_results: 2 }));
    expect(text).toBe(
      [
        'docs/readme.md:1:TODO docs',
        'src/a.ts:2:// TODO one',
        '[Stopped at 2 matching lines; there may be more. Narrow the pattern, `path` or `glob`, or raise max_results.]',
      ].join('\n'),
    );
  });

  it('says when nothing matches', async () => {
    expect(textOf(await grep({ pattern: 'nothing here', path: 'src' }))).toBe(
      'No matches for `nothing here` in `src` (4 files searched).',
    );
  });

  it('refuses an invalid regex, a missing path and a path outside', async () => {
    const bad = await grep({ pattern: 'foo(' });
    expect(errorCode(bad)).toBe('invalid-pattern');
    expect(textOf(bad)).toContain('Invalid regular expression `foo(`');
    expect(textOf(bad)).toContain('escape');
    expect(errorCode(await grep({ pattern: 'x', path: 'nope' }))).toBe('not-found');
    expect(errorCode(await grep({ pattern: 'x', path: '../..' }))).toBe('outside-workspace');
  });

  it('stops when the call is cancelled', async () => {
    const tool = toolNamed(tools, 'grep');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const ctx = {
      signal: controller.signal,
      callId: 'c',
      turnId: 1,
      toolName: 'grep',
      path: [],
      progress() {},
      waitFor: <T>(work: PromiseLike<T>) => Promise.resolve(work),
      asParent: { turnId: 1, callId: 'c' },
      turnSignal: undefined,
    };
    const input = { pattern: 'TODO', path: '.', ignore_case: false, context: 0 };
    await expect(Promise.resolve(tool.execute(input, ctx))).rejects.toThrow('stop');
  });

  it('claims a read of the folder or file searched', async () => {
    const tool = toolNamed(tools, 'grep');
    expect(await claimsOf(tool, { pattern: 'x' })).toEqual([{ key: `fs:${root}`, mode: 'read' }]);
    expect(await claimsOf(tool, { pattern: 'x', path: 'src/a.ts' })).toEqual([
      { key: `fs:${join(root, 'src/a.ts')}`, mode: 'read' },
    ]);
  });
});

describe('grep against hostile patterns and files', () => {
  beforeEach(() => {
    tools = builtinTools({ root, maxFileBytes: 1024, ripgrep: false });
  });

  it('stops runaway patterns at the call timeout, and the event loop stays free meanwhile', async () => {
    // Both backtrack exponentially: `(a+)+$` on a's and a `b`, `^(\w+\s?)+$` on prose ending in
    // `!`. On the main thread, each froze the process for minutes: no timer, no timeout, no signal.
    await writeTree(root, {
      'runaway/a.txt': `${'a'.repeat(32)}b\n`,
      'runaway/prose.txt': `${'Some words go on and on in a long line of prose that ends badly '.repeat(4)}!\n`,
    });
    // A first search starts a worker (`TO+DO` could backtrack), so the short timeout below is
    // spent matching.
    expect((await grep({ pattern: 'TO+DO', path: 'src/b.js' })).status).toBe('success');
    const scheduler = new Scheduler({ tools, approvalMode: 'yolo', defaultTimeoutMs: 400 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const { results } = await scheduler.run([
        { id: 'a', name: 'grep', input: { pattern: '(a+)+$', path: 'runaway/a.txt' } },
        { id: 'p', name: 'grep', input: { pattern: '^(\\w+\\s?)+$', path: 'runaway/prose.txt' } },
      ]);
      expect(results.map((r) => r.status)).toEqual(['timeout', 'timeout']);
      expect(textOf(results[0] as never)).toContain('Timed out after 400 ms');
    } finally {
      clearInterval(timer);
    }
    // The timer kept firing while the patterns ran (a frozen event loop fires it once, at the end).
    expect(ticks).toBeGreaterThanOrEqual(5);
    // The runaway searches were stopped, and searching in workers goes on.
    expect(textOf(await grep({ pattern: 'TO+DO', path: 'src/b.js' }))).toBe(
      'src/b.js:1:const b = 2; // TODO three',
    );
  });

  it('refuses a named pipe, and does not block on one met in a folder', async () => {
    makeFifo(join(root, 'src/pipe.ts'));
    const named = await grep({ pattern: 'TODO', path: 'src/pipe.ts' });
    expect(errorCode(named)).toBe('not-a-file');
    expect(textOf(named)).toContain('`src/pipe.ts` is a named pipe (FIFO), not a regular file');
    expect(textOf(await grep({ pattern: 'TODO', path: 'src', glob: '*.ts' }))).toBe(
      ['src/a.ts:2:// TODO one', 'src/crlf.ts:2:// TODO four'].join('\n'),
    );
    // A file swapped for a pipe after its folder was listed is skipped too.
    const swapping = grepTool({
      workspace: createWorkspace({ root }),
      ripgrep: false,
      onListed: async (folder) => {
        if (folder !== join(root, 'src')) return;
        await rm(join(root, 'src/b.js'));
        makeFifo(join(root, 'src/b.js'));
      },
    });
    for (const pattern of ['TODO', 'TO+DO']) {
      await rm(join(root, 'src/b.js'));
      await writeFile(join(root, 'src/b.js'), 'const b = 2; // TODO three\n');
      expect(textOf(await runTool([swapping], 'grep', { pattern, path: 'src' }))).toBe(
        ['src/a.ts:2:// TODO one', 'src/crlf.ts:2:// TODO four'].join('\n'),
      );
    }
  });

  describe('a folder swapped for a symlink to outside the workspace during the walk', () => {
    let outside: string;

    beforeEach(async () => {
      const t = await tempDir();
      cleanups.push(t.cleanup);
      outside = await realpath(t.dir);
      await writeTree(outside, { 'readme.md': 'TODO outside secret\n' });
    });

    /** A grep tool that replaces `docs` with a symlink to `outside` once `after` is listed. */
    const swapDocsAfterListing = (after: string) =>
      grepTool({
        workspace: createWorkspace({ root }),
        ripgrep: false,
        onListed: async (folder) => {
          if (folder !== join(root, after)) return;
          await rename(join(root, 'docs'), join(root, 'docs-moved'));
          await symlink(outside, join(root, 'docs'));
        },
      });

    // `docs` swapped once the root is listed: its listing would be of `outside`. Swapped once
    // `docs` itself is listed: its files would be read from `outside`. `TODO` is searched on the
    // main thread, `TO+DO` in a worker.
    it.each([
      ['.', 'TODO'],
      ['.', 'TO+DO'],
      ['docs', 'TODO'],
      ['docs', 'TO+DO'],
    ])(
      'is neither listed nor read when swapped after `%s` was listed (%s)',
      async (after, pattern) => {
        const tool = swapDocsAfterListing(after);
        const text = textOf(await runTool([tool], 'grep', { pattern }));
        expect(text).not.toContain('secret');
        expect(text).toContain('src/a.ts:2:// TODO one');
      },
    );
  });
});

describe.each([
  ['rg', rg],
  ['JavaScript', false],
] as const)('grep in a repository with ignore files (%s)', (_, ripgrep) => {
  beforeEach(async () => {
    await rm(join(root, 'src/bin.dat'));
    await writeTree(root, {
      '.git/info/exclude': '*.tmp\n',
      '.gitignore': 'dist/\n*.log\n!keep.log\n/build\n',
      '.ignore': 'vendor/\n',
      'src/.gitignore': 'gen/\n',
      'src/gen/g.ts': 'TODO generated\n',
      'src/build/b.ts': 'TODO nested build\n',
      'build/out.js': 'TODO built\n',
      'dist/d.js': 'TODO dist\n',
      'x.log': 'TODO log\n',
      'keep.log': 'TODO keep\n',
      'vendor/v.js': 'TODO vendor\n',
      'n.tmp': 'TODO tmp\n',
    });
  });

  const found = async (input: Record<string, unknown>, options: Record<string, unknown> = {}) => {
    const tools = builtinTools({ root, ripgrep, ...options });
    return textOf(await runTool(tools, 'grep', { pattern: 'TODO', ...input }))
      .split('\n')
      .map((line) => line.split(':')[0]);
  };

  it('leaves out what .gitignore, .ignore and .git/info/exclude leave out, and node_modules', async () => {
    expect(await found({})).toEqual([
      'docs/readme.md',
      'keep.log',
      'src/a.ts',
      'src/b.js',
      'src/build/b.ts',
      'src/crlf.ts',
    ]);
  });

  it('searches everything but .git with include_ignored, and an ignored folder named in path', async () => {
    expect(await found({ include_ignored: true })).toEqual([
      'build/out.js',
      'dist/d.js',
      'docs/readme.md',
      'keep.log',
      'n.tmp',
      'node_modules/m/index.js',
      'src/a.ts',
      'src/b.js',
      'src/build/b.ts',
      'src/crlf.ts',
      'src/gen/g.ts',
      'vendor/v.js',
      'x.log',
    ]);
    expect(await found({ path: 'dist' })).toEqual(['dist/d.js']);
    expect(await found({ path: 'src' })).toEqual([
      'src/a.ts',
      'src/b.js',
      'src/build/b.ts',
      'src/crlf.ts',
    ]);
  });

  it('reads no ignore file with respectGitignore: false, and no .gitignore outside a repository', async () => {
    const all = await found({}, { respectGitignore: false });
    expect(all).toContain('dist/d.js');
    expect(all).toContain('vendor/v.js');
    expect(all).not.toContain('node_modules/m/index.js');
    await rm(join(root, '.git'), { recursive: true });
    const noRepo = await found({});
    expect(noRepo).toContain('dist/d.js'); // .gitignore needs a repository...
    expect(noRepo).not.toContain('vendor/v.js'); // ...and .ignore does not
  });
});
