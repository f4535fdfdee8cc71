import { chmod, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinTools } from './builtin-tools.js';
import { Ripgrep, typeGlob } from './ripgrep-search.js';
import {
  requireRipgrep,
  ripgrepChildren,
  runTool,
  tempDir,
  textOf,
  writeTree,
} from './test-support.js';

const rg = requireRipgrep();
let root: string;
let bin: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const a = await tempDir();
  const b = await tempDir();
  cleanups.push(a.cleanup, b.cleanup);
  root = await realpath(a.dir);
  bin = await realpath(b.dir);
  await writeTree(root, {
    'a.ts': 'TODO a\n',
    'b.js': 'TODO b\n',
    ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`many/f${i}.txt`, 'TODO\n'])),
  });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const walk = (signal = new AbortController().signal) => ({
  cwd: root,
  target: root,
  choices: { ignoreFiles: true, skipDirs: ['.git', 'node_modules'] },
  signal,
});

/** A program standing in for rg: prints `stderr` and exits with `code`. */
async function fakeRipgrep(stderr: string, code: number): Promise<string> {
  const path = join(bin, 'rg');
  await writeFile(path, `#!/bin/sh\necho '${stderr}' >&2\nexit ${code}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('Ripgrep', () => {
  it('lists the files with a match and counts the files searched', async () => {
    const listing = await new Ripgrep(rg).filesWithMatches(walk(), 'TODO [ab]');
    expect(listing).toEqual({ files: ['a.ts', 'b.js'], searched: 42 });
  });

  it('lets the search go on without it when its output passes the cap', async () => {
    const small = new Ripgrep(rg, { maxOutputBytes: 300 });
    expect(await small.files(walk())).toBeUndefined();
    expect(small.available).toBe(true); // this search only
    expect(ripgrepChildren()).toEqual([]);
  });

  it('gives up on a program that refuses its options, and only a pattern for a pattern it refuses', async () => {
    const old = new Ripgrep(
      await fakeRipgrep('error: Found argument --no-config which was not expected', 2),
    );
    expect(await old.files(walk())).toBeUndefined();
    expect(old.available).toBe(false);
    const picky = new Ripgrep(await fakeRipgrep('regex parse error: repetition quantifier', 2));
    expect(await picky.filesWithMatches(walk(), 'x{9999999}')).toBeUndefined();
    expect(picky.available).toBe(true);
    const real = new Ripgrep(rg);
    expect(await real.files({ ...walk(), target: join(root, 'gone') })).toBeUndefined();
    expect(real.available).toBe(true); // a folder gone says nothing about the program
    const missing = new Ripgrep(join(bin, 'no-such-rg'));
    expect(await missing.files(walk())).toBeUndefined();
    expect(missing.available).toBe(false);
  });

  it('is not needed: grep and glob give the same answers through a broken rg', async () => {
    const broken = await fakeRipgrep('error: unexpected argument', 2);
    const answers = async (ripgrep: string | false) => {
      const tools = builtinTools({ root, ripgrep, ripgrepAfterFiles: 0, shell: false });
      const grep = textOf(await runTool(tools, 'grep', { pattern: 'TODO [ab]' }));
      const glob = textOf(await runTool(tools, 'glob', { pattern: '*.{ts,js}' }));
      return [grep, glob];
    };
    const expected = ['a.ts:1:TODO a\nb.js:1:TODO b', 'a.ts\nb.js'];
    expect(await answers(broken)).toEqual(expected);
    expect(await answers(rg)).toEqual(expected);
    expect(await answers(false)).toEqual(expected);
  });
});

describe('grep and glob search in JavaScript first', () => {
  it('a folder of up to ripgrepAfterFiles files, or a search done within them, never starts rg', async () => {
    const log = join(bin, 'runs.log');
    const counting = join(bin, 'rg');
    await writeFile(counting, `#!/bin/sh\necho run >> '${log}'\nexec '${rg}' "$@"\n`);
    await chmod(counting, 0o755);
    const runs = async () => {
      try {
        return (await readFile(log, 'utf8')).split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    };
    const answers = async (ripgrepAfterFiles: number) => {
      const tools = builtinTools({ root, ripgrep: counting, ripgrepAfterFiles, shell: false });
      return [
        textOf(await runTool(tools, 'grep', { pattern: 'TODO [ab]' })),
        textOf(await runTool(tools, 'glob', { pattern: '**/*.{ts,js}' })),
        textOf(await runTool(tools, 'grep', { pattern: 'TODO', path: 'many', max_results: 2 })),
      ];
    };
    const expected = [
      'a.ts:1:TODO a\nb.js:1:TODO b',
      'a.ts\nb.js',
      'many/f0.txt:1:TODO\nmany/f1.txt:1:TODO\n[Stopped at 2 matching lines; there may be more. Narrow the pattern, `path` or `glob`, or raise max_results.]',
    ];
    // The workspace holds 42 files, `many` 40 of them; glob lists 5 times the budget first.
    expect(await answers(42)).toEqual(expected);
    expect(await runs()).toBe(0);
    expect(await answers(9)).toEqual(expected);
    expect(await runs()).toBe(1); // grep over the workspace; its glob lists 42 < 45 files
    expect(await answers(8)).toEqual(expected);
    expect(await runs()).toBe(3); // grep and glob over the workspace; `many` still without rg
    expect(await answers(0)).toEqual(expected);
    expect(await runs()).toBe(6);
    // Capped within the budget: every file matches, and the first three are the answer.
    const tools = builtinTools({ root, ripgrep: counting, ripgrepAfterFiles: 10, shell: false });
    expect(textOf(await runTool(tools, 'grep', { pattern: 'TODO', max_results: 3 }))).toBe(
      'a.ts:1:TODO a\nb.js:1:TODO b\nmany/f0.txt:1:TODO\n[Stopped at 3 matching lines; there may be more. Narrow the pattern, `path` or `glob`, or raise max_results.]',
    );
    expect(textOf(await runTool(tools, 'glob', { pattern: '**', max_results: 2 }))).toBe(
      'a.ts\nb.js\n[Stopped at 2 paths: narrow the pattern, set `path`, or raise max_results.]',
    );
    expect(await runs()).toBe(6);
  });

  it('refuses a budget that is not a count', () => {
    expect(() => builtinTools({ root, ripgrepAfterFiles: -1 })).toThrow(/ripgrepAfterFiles/);
    expect(() => builtinTools({ root, ripgrepAfterFiles: 1.5 })).toThrow(/ripgrepAfterFiles/);
  });
});

describe('typeGlob', () => {
  it('takes name globs that ripgrep reads as this project does, and nothing else', () => {
    for (const glob of ['*.ts', '*.{ts,tsx}', 'index.?s', 'a-b_c.d', '{a,}*']) {
      expect(typeGlob(glob)).toBe(glob);
    }
    for (const glob of [
      'src/*.ts',
      '[ab].ts',
      '{a}.ts',
      '{a,{b,c}}',
      'a,b',
      '*.ts}',
      'a b',
      '\\*',
    ]) {
      expect(typeGlob(glob)).toBeUndefined();
    }
  });
});
