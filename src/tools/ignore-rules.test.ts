import { execFileSync } from 'node:child_process';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globAlternatives, IgnoreRules, rebaseLines } from './ignore-rules.js';
import { ripgrepWalkArgs } from './ripgrep.js';
import { makeFifo, requireRipgrep, tempDir, writeTree } from './test-support.js';
import { walkFiles } from './walk.js';

const rg = requireRipgrep();
let root: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  root = await realpath(t.dir);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The files the JavaScript walk keeps under `dir`, relative to the root, sorted. */
async function walked(dir = root): Promise<string[]> {
  const out: string[] = [];
  const ignoreRules = IgnoreRules.forTarget({ target: dir, cwd: root });
  for await (const entry of walkFiles({ dir, ignoreRules, skipDirs: new Set(['.git']) })) {
    if (entry.kind === 'file') out.push(entry.path.slice(root.length + 1));
  }
  return out.sort();
}

/** What `rg --files` keeps, the same way. */
function listed(dir = root): string[] {
  const args = [...ripgrepWalkArgs({ ignoreFiles: true, skipDirs: ['.git'] }), '--files', dir];
  const out = execFileSync(rg, args, { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((p) => p.slice(root.length + 1))
    .sort();
}

describe('rebaseLines', () => {
  it('reads lines as ripgrep does and anchors them to their folder', () => {
    const text = [
      '# a comment',
      '',
      '*.log',
      '!/build/',
      'a/**',
      'src/gen',
      '\\!bang',
      '\\#hash',
      'trailing   ',
      'kept\\ ',
      '{a,b}.md',
      '[oops',
      'x{y',
      'end\\',
      'z}',
      '[z-a]',
      'crlf\r',
    ].join('\n');
    expect(rebaseLines(text, 'w s')).toEqual([
      '/w s/**/*.log',
      '!/w s/build/',
      '/w s/a/**/*',
      '/w s/src/gen',
      '/w s/**/!bang',
      '/w s/**/#hash',
      '/w s/**/trailing',
      '/w s/**/kept\\ ',
      '/w s/**/a.md',
      '/w s/**/b.md',
      '/w s/**/crlf',
    ]);
    expect(rebaseLines('x', '')).toEqual(['/**/x']);
    expect(rebaseLines('x', 'a*b')).toEqual(['/a\\*b/**/x']);
  });

  it('expands braces only where globset does, and takes class contents literally', () => {
    expect(globAlternatives('{a,b}/{c,d}')).toEqual(['a/c', 'a/d', 'b/c', 'b/d']);
    expect(globAlternatives('[{,]x')).toEqual(['[{,]x']);
    expect(globAlternatives('[\\]')).toEqual(['[\\\\]']);
    expect(globAlternatives('{a,{b}}')).toBeUndefined();
  });
});

describe('IgnoreRules in the JavaScript walk', () => {
  it('keeps what ripgrep keeps: precedence, nesting, negation, anchoring', async () => {
    await writeTree(root, {
      '.git/info/exclude': '*.tmp\nexcluded-but-back.log\n',
      '.gitignore': '*.log\n!keep.log\n/top-only\nbuild/\n!excluded-but-back.log\n',
      '.ignore': 'hidden-by-ignore\n!brought-back.log\n',
      '.rgignore': '!hidden-by-ignore\n',
      'sub/.gitignore': '!*.log\nlocal\n',
      'sub/a.log': '',
      'sub/local': '',
      'sub/top-only': '',
      'top-only': '',
      'a.log': '',
      'keep.log': '',
      'brought-back.log': '',
      'excluded-but-back.log': '',
      'hidden-by-ignore': '',
      'x.tmp': '',
      'build/out.js': '',
      'nested/.git/HEAD': '',
      'nested/a.log': '',
      'nested/.gitignore': 'only-here\n',
      'nested/only-here': '',
      'plain.txt': '',
    });
    const expected = [
      '.gitignore',
      '.ignore',
      '.rgignore',
      'brought-back.log',
      'excluded-but-back.log',
      'hidden-by-ignore',
      'keep.log',
      'nested/.gitignore',
      'nested/a.log', // a nested repository: the outer .gitignore stops at its .git
      'plain.txt',
      'sub/.gitignore',
      'sub/a.log',
      'sub/top-only',
    ];
    expect(listed()).toEqual(expected);
    expect(await walked()).toEqual(expected);
  });

  it('walks a folder named explicitly even when a rule leaves it out, and applies the rules above it', async () => {
    await writeTree(root, {
      '.git/HEAD': '',
      '.gitignore': 'dist/\n*.map\n/dist/inner/\n',
      'dist/a.js': '',
      'dist/a.js.map': '',
      'dist/inner/b.js': '',
      'dist/other/inner/c.js': '',
    });
    const dist = join(root, 'dist');
    expect(listed(dist)).toEqual(['dist/a.js', 'dist/other/inner/c.js']);
    expect(await walked(dist)).toEqual(['dist/a.js', 'dist/other/inner/c.js']);
  });

  it('reads the exclude file of a worktree through its .git file, like ripgrep', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const main = await realpath(t.dir);
    await writeTree(main, {
      '.git/info/exclude': 'secret-*\n',
      '.git/worktrees/w/commondir': '../..\n',
    });
    await writeTree(root, { 'secret-notes.txt': '', 'code.ts': '' });
    await writeFile(join(root, '.git'), `gitdir: ${join(main, '.git/worktrees/w')}\n`);
    expect(listed()).toEqual(['.git', 'code.ts']);
    expect(await walked()).toEqual(['.git', 'code.ts']);
  });

  it('skips an ignore file that is a named pipe without blocking, and stops at a line that is not UTF-8', async () => {
    await mkdir(join(root, '.git'));
    await writeTree(root, { 'pipe/a.txt': '', 'b.txt': '', 'c.txt': '', 'd.txt': '' });
    makeFifo(join(root, 'pipe/.gitignore'));
    await writeFile(
      join(root, '.gitignore'),
      Buffer.concat([Buffer.from('b.txt\n'), Buffer.from([0xff, 0x0a]), Buffer.from('c.txt\n')]),
    );
    // ripgrep would wait on the pipe for good; the walk leaves it out.
    expect(await walked()).toEqual(['.gitignore', 'c.txt', 'd.txt', 'pipe/a.txt']);
  });
});
