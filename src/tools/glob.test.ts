import { realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import {
  claimsOf,
  errorCode,
  requireRipgrep,
  runTool,
  tempDir,
  textOf,
  toolNamed,
  writeTree,
} from './test-support.js';

let root: string;
let tools: Tool[];
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  await writeTree(root, {
    'package.json': '{}',
    'src/a.ts': '',
    'src/b.tsx': '',
    'src/lib/c.ts': '',
    'src/lib/d.js': '',
    'test/a.test.ts': '',
    'node_modules/pkg/index.ts': '',
    '.git/HEAD': '',
  });
});

afterEach(() => cleanup());

const glob = (input: unknown) => runTool(tools, 'glob', input);
const rg = requireRipgrep();

// Every behaviour holds with ripgrep and with the JavaScript walk.
describe.each([
  ['rg', rg],
  ['JavaScript', false],
] as const)('glob (%s)', (_, ripgrep) => {
  beforeEach(() => {
    tools = builtinTools({ root, globMaxResults: 3, ripgrep });
  });

  it('returns matching files relative to the root, sorted, skipping .git and node_modules', async () => {
    expect(textOf(await glob({ pattern: '**/*.ts', max_results: 10 }))).toBe(
      'src/a.ts\nsrc/lib/c.ts\ntest/a.test.ts',
    );
    expect(textOf(await glob({ pattern: '*.json' }))).toBe('package.json');
    expect(textOf(await glob({ pattern: 'src/**/*.{ts,tsx}', max_results: 10 }))).toBe(
      'src/a.ts\nsrc/b.tsx\nsrc/lib/c.ts',
    );
  });

  it('applies the pattern under `path`, and searches skipped folders when the pattern starts there', async () => {
    expect(textOf(await glob({ pattern: '*.ts', path: 'src/lib' }))).toBe('src/lib/c.ts');
    expect(textOf(await glob({ pattern: 'node_modules/**/*.ts' }))).toBe(
      'node_modules/pkg/index.ts',
    );
  });

  it('stops at max_results and says how to narrow down', async () => {
    const text = textOf(await glob({ pattern: '**' }));
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain('[Stopped at 3 paths');
  });

  it('says when nothing matches, and refuses bad patterns and paths', async () => {
    expect(textOf(await glob({ pattern: '**/*.rs' }))).toBe('No files match `**/*.rs` in `.`.');
    expect(errorCode(await glob({ pattern: '../*' }))).toBe('invalid-pattern');
    expect(errorCode(await glob({ pattern: '*', path: '..' }))).toBe('outside-workspace');
    expect(errorCode(await glob({ pattern: '*', path: 'package.json' }))).toBe('not-a-directory');
    expect(errorCode(await glob({ pattern: '*', path: 'missing' }))).toBe('not-found');
  });

  it('neither lists nor follows symlinks', async () => {
    await symlink(join(root, 'src'), join(root, 'test/src-link'));
    await symlink(join(root, 'package.json'), join(root, 'test/file-link.json'));
    expect(textOf(await glob({ pattern: 'test/**', max_results: 10 }))).toBe('test/a.test.ts');
  });

  it('leaves out what .gitignore leaves out, unless include_ignored is set', async () => {
    await writeTree(root, { '.gitignore': 'src/lib/\n*.tsx\n', 'dist/x.ts': '' });
    expect(textOf(await glob({ pattern: '**/*.ts*', max_results: 10 }))).toBe(
      'dist/x.ts\nsrc/a.ts\ntest/a.test.ts',
    );
    expect(
      textOf(await glob({ pattern: '**/*.ts*', max_results: 10, include_ignored: true })),
    ).toBe(
      [
        'dist/x.ts',
        'node_modules/pkg/index.ts',
        'src/a.ts',
        'src/b.tsx',
        'src/lib/c.ts',
        'test/a.test.ts',
      ].join('\n'),
    );
    // A folder left out is still listed when the pattern starts inside it.
    expect(textOf(await glob({ pattern: 'src/lib/*' }))).toBe('src/lib/c.ts\nsrc/lib/d.js');
  });

  it('claims a read of the folder it walks: `path` plus the literal folders of the pattern', async () => {
    const tool = toolNamed(tools, 'glob');
    expect(await claimsOf(tool, { pattern: 'src/lib/**/*.ts' })).toEqual([
      { key: `fs:${join(root, 'src/lib')}`, mode: 'read' },
    ]);
    expect(await claimsOf(tool, { pattern: '**/*.ts', path: 'test' })).toEqual([
      { key: `fs:${join(root, 'test')}`, mode: 'read' },
    ]);
  });
});
