import { realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import {
  claimsOf,
  errorCode,
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
  tools = builtinTools({ root, globMaxResults: 3 });
});

afterEach(() => cleanup());

const glob = (input: unknown) => runTool(tools, 'glob', input);

describe('glob', () => {
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

  it('lists symlinks without following them', async () => {
    await symlink(join(root, 'src'), join(root, 'test/src-link'));
    expect(textOf(await glob({ pattern: 'test/**', max_results: 10 }))).toBe(
      'test/a.test.ts\ntest/src-link',
    );
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
