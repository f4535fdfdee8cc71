import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyFile, PromptHistory } from './prompt-history.js';

let home: string;
let folder: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'salvo-history-'));
  folder = join(home, 'project');
  await mkdir(folder);
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('PromptHistory', () => {
  it('keeps prompts per folder, newest last, multi-line ones whole, in a file only the user reads', async () => {
    const history = await PromptHistory.open({ home, folder });
    expect(history.entries).toEqual([]);
    await history.add('first');
    await history.add('second\nwith "quotes" and a \\ backslash\n');
    const again = await PromptHistory.open({ home, folder });
    expect(again.entries).toEqual(['first', 'second\nwith "quotes" and a \\ backslash\n']);
    expect(history.file).toBe(await historyFile(home, folder));
    expect(history.file.startsWith(join(home, '.salvo', 'history', 'project-'))).toBe(true);
    expect((await stat(history.file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(history.file))).mode & 0o777).toBe(0o700);
    const other = join(home, 'other');
    await mkdir(other);
    expect((await PromptHistory.open({ home, folder: other })).entries).toEqual([]);
  });

  it('finds the same history through a symlink to the folder', async () => {
    const link = join(home, 'link');
    await symlink(folder, link);
    expect(await historyFile(home, link)).toBe(await historyFile(home, folder));
  });

  it('keeps consecutive duplicates once, and skips blank and huge prompts', async () => {
    const history = await PromptHistory.open({ home, folder, maxEntryChars: 10 });
    await history.add('a');
    await history.add('a');
    await history.add('b');
    await history.add('a');
    await history.add('   \n ');
    await history.add('x'.repeat(11));
    expect(history.entries).toEqual(['a', 'b', 'a']);
    expect(await lines(history.file)).toHaveLength(3);
  });

  it('keeps the newest `limit` entries, in memory and in the file', async () => {
    const history = await PromptHistory.open({ home, folder, limit: 5 });
    for (let i = 0; i < 120; i++) await history.add(`prompt ${i}`);
    expect(history.entries).toEqual([
      'prompt 115',
      'prompt 116',
      'prompt 117',
      'prompt 118',
      'prompt 119',
    ]);
    expect((await lines(history.file)).length).toBeLessThanOrEqual(5 + 50);
    const again = await PromptHistory.open({ home, folder, limit: 5 });
    expect(again.entries).toEqual(history.entries);
    expect((await stat(history.file)).mode & 0o777).toBe(0o600);
  });

  it('reads what it can of a damaged file, says so once, and never rewrites it', async () => {
    const file = await historyFile(home, folder);
    await mkdir(dirname(file), { recursive: true });
    const damaged = '{"text":"good"}\nnot json at all\n{"nope":1}\n"plain string"\n';
    await writeFile(file, damaged);
    const warnings: string[] = [];
    const history = await PromptHistory.open({
      home,
      folder,
      limit: 2,
      warn: (w) => warnings.push(w),
    });
    expect(history.entries).toEqual(['good', 'plain string']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2 damaged lines');
    for (let i = 0; i < 80; i++) await history.add(`new ${i}`);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(damaged)).toBe(true);
    expect(history.entries).toEqual(['new 78', 'new 79']);
  });

  it('drops a line cut by a crash without a word, and starts the next entry on its own line', async () => {
    const file = await historyFile(home, folder);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"text":"whole"}\n{"text":"cu');
    const warnings: string[] = [];
    const history = await PromptHistory.open({ home, folder, warn: (w) => warnings.push(w) });
    expect(history.entries).toEqual(['whole']);
    expect(warnings).toEqual([]);
    await history.add('next');
    expect((await PromptHistory.open({ home, folder })).entries).toEqual(['whole', 'next']);
  });

  it('goes on without history when the file cannot be read or written, saying so once', async () => {
    const file = await historyFile(home, folder);
    // A folder where the file should be: neither readable as a file nor writable.
    await mkdir(file, { recursive: true });
    const warnings: string[] = [];
    const history = await PromptHistory.open({ home, folder, warn: (w) => warnings.push(w) });
    expect(history.entries).toEqual([]);
    await expect(history.add('one')).resolves.toBeUndefined();
    await expect(history.add('two')).resolves.toBeUndefined();
    expect(history.entries).toEqual(['one', 'two']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not read the prompt history');
  });

  it('tells once when it cannot save', async () => {
    const warnings: string[] = [];
    // `.salvo` is a file: the history folder cannot be made.
    await writeFile(join(home, '.salvo'), '');
    const history = await PromptHistory.open({ home, folder, warn: (w) => warnings.push(w) });
    await history.add('one');
    await history.add('two');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not save the prompt history .* \(E\w+\)/);
  });

  it('makes a file others could read private again', async () => {
    const file = await historyFile(home, folder);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"text":"old"}\n', { mode: 0o644 });
    const history = await PromptHistory.open({ home, folder });
    await history.add('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
