import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { projectSystemPrompt } from './project-system-prompt.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-system-prompt-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

it('builds the prompt from the project found around cwd', () => {
  const repo = join(base, 'repo');
  const cwd = join(repo, 'src');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(cwd);
  writeFileSync(join(repo, 'AGENTS.md'), 'Use tabs.');
  writeFileSync(join(cwd, 'CLAUDE.md'), Buffer.from([0, 1]));
  const result = projectSystemPrompt({
    cwd,
    home: join(base, 'home'),
    system: 'Be terse.',
    date: new Date(2030, 0, 2),
    os: 'TestOS 1',
  });
  expect(result.files.map((f) => f.path)).toEqual([join(repo, 'AGENTS.md')]);
  expect(result.warnings).toEqual([
    `${join(cwd, 'CLAUDE.md')} is not sent to the model: it is a binary file`,
  ]);
  expect(result.prompt).toContain(`Working folder: ${cwd}`);
  expect(result.prompt).toContain(`Git repository: yes (root ${repo})`);
  expect(result.prompt).toContain('Operating system: TestOS 1');
  expect(result.prompt).toContain("Today's date: 2030-01-02");
  expect(result.prompt).toContain(`## ${join(repo, 'AGENTS.md')}\n\nUse tabs.`);
  expect(result.prompt.endsWith('Be terse.')).toBe(true);
});
