import { readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { requireRipgrep, runTools, tempDir, textOf, writeTree } from './test-support.js';

// grep and glob with ripgrep and without it (the JavaScript walk, the `ignore` package) must
// answer every call the same, on random trees with random ignore files: a user gets the same
// results whether or not `rg` is installed.

const rg = requireRipgrep();

const names = ['a', 'b.ts', 'c.log', '.d', 'dist', 'node_modules', 'sub', 'x y.ts', 'é.md'];
const folderNames = ['dist', 'sub', 'lib', 'node_modules', '.hidden', 'a'];
const lines = [
  'TODO: fix',
  'const foo = bar();',
  'foo(x) // foo',
  'café au lait',
  'emoji 😀 here',
  'aaa',
  '',
  '  indented\tTODO',
  'x$y',
  'FOO',
];

const content = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.constantFrom(...lines), { maxLength: 6 })
      .chain((ls) =>
        fc
          .constantFrom('\n', '\r\n')
          .map((eol) => (ls.length === 0 ? '' : `${ls.join(eol)}${eol}`)),
      ),
  },
  { weight: 1, arbitrary: fc.constant('TODO before a NUL\0 byte\n') },
);

/** Ignore lines: names, globs, anchored, folder-only, negated, with `**`. */
const ignoreLine = fc
  .tuple(
    fc.boolean(),
    fc.constantFrom(
      'a',
      '*.log',
      'dist/',
      '/sub',
      'sub/*.ts',
      '**/lib',
      'lib/**',
      '*',
      '?.ts',
      '[ab]*',
      'b.ts',
      'x y.ts',
      '# comment',
      '',
      '*.{md,log}',
      'sub/',
      '.d',
      'é.md',
    ),
  )
  .map(([negated, line]) => (negated && line !== '' && !line.startsWith('#') ? `!${line}` : line));

const ignoreFile = fc
  .array(ignoreLine, { minLength: 1, maxLength: 4 })
  .map((ls) => `${ls.join('\n')}\n`);

/** A tree: relative path -> content; plus which folders get which ignore files. */
const tree = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.array(fc.constantFrom(...folderNames), { maxLength: 2 }),
        fc.constantFrom(...names),
        content,
      ),
      { minLength: 3, maxLength: 20 },
    ),
    fc.array(
      fc.tuple(
        fc.array(fc.constantFrom(...folderNames), { maxLength: 1 }),
        fc.constantFrom('.gitignore', '.ignore', '.rgignore', '.git/info/exclude'),
        ignoreFile,
      ),
      { minLength: 1, maxLength: 5 },
    ),
    fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)), // a repository at the root
    fc.boolean(), // a nested repository in `sub`
  )
  .map(([entries, ignores, repo, nested]) => {
    const files: Record<string, string> = {};
    for (const [folders, name, text] of entries) files[[...folders, name].join('/')] = text;
    for (const [folders, name, text] of ignores) {
      if (name === '.git/info/exclude' && folders.length > 0) continue;
      files[[...folders, name].join('/')] = text;
    }
    if (nested) files['sub/.git/HEAD'] = '';
    if (repo) files['.git/HEAD'] = '';
    // A path cannot be both a file and a folder.
    for (const path of Object.keys(files)) {
      if (Object.keys(files).some((other) => other.startsWith(`${path}/`))) delete files[path];
    }
    return files;
  });

const grepCall = fc.record(
  {
    pattern: fc.constantFrom(
      'TODO',
      'foo',
      '\\bfoo\\b',
      'foo\\(',
      'caf.',
      'é',
      '^a+$',
      'x\\$y',
      '\\d|oo',
      '(?<=f)oo',
      '(o)\\1',
      '😀',
      'i.. here',
      '[^a-z ]',
      '\\s$',
      'T.D',
      ';$',
      'fo{2,}',
      '\\w+\\s\\w+',
    ),
    path: fc.constantFrom('.', 'sub', 'dist', 'lib', 'node_modules'),
    glob: fc.constantFrom('*.ts', '**/*.log', 'sub/*', '*.{md,log}', '[ab]*'),
    ignore_case: fc.boolean(),
    context: fc.integer({ min: 0, max: 2 }),
    max_results: fc.integer({ min: 1, max: 8 }),
    include_ignored: fc.boolean(),
  },
  { requiredKeys: ['pattern'] },
);

const globCall = fc.record(
  {
    pattern: fc.constantFrom('**', '**/*.ts', '*', 'sub/**', '**/*.{md,log}', 'dist/*', '*/*'),
    path: fc.constantFrom('.', 'sub', 'dist'),
    max_results: fc.integer({ min: 1, max: 8 }),
    include_ignored: fc.boolean(),
  },
  { requiredKeys: ['pattern'] },
);

describe('grep and glob with and without ripgrep', () => {
  it('answer the same on random trees, ignore files and patterns', async () => {
    // One workspace for every run, emptied in between: the tools (and grep's worker threads)
    // are made once per setting.
    const t = await tempDir('salvo-parity-');
    const root = await realpath(t.dir);
    const tools = new Map<string, Tool[]>();
    const toolsFor = (ripgrep: string | false, respectGitignore: boolean) => {
      const key = `${ripgrep} ${respectGitignore}`;
      let made = tools.get(key);
      if (!made) {
        made = builtinTools({
          root,
          ripgrep,
          respectGitignore,
          ripgrepAfterFiles: 0,
          shell: false,
        });
        tools.set(key, made);
      }
      return made;
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          tree,
          fc.array(grepCall, { minLength: 1, maxLength: 4 }),
          fc.array(globCall, { maxLength: 3 }),
          fc.boolean(),
          async (files, greps, globs, respectGitignore) => {
            for (const entry of await readdir(root)) {
              await rm(join(root, entry), { recursive: true, force: true });
            }
            await writeTree(root, files);
            const calls = [
              ...greps.map((input) => ({ name: 'grep', input })),
              ...globs.map((input) => ({ name: 'glob', input })),
            ];
            const answers = async (ripgrep: string | false) =>
              (await runTools(toolsFor(ripgrep, respectGitignore), calls)).map(
                (r) => `${r.status}: ${textOf(r)}`,
              );
            expect(await answers(rg)).toEqual(await answers(false));
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await t.cleanup();
    }
  }, 240_000);
});
