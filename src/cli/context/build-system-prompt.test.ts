import { describe, expect, it } from 'vitest';
import { buildSystemPrompt } from './build-system-prompt.js';
import type { ContextFile } from './find-project-context.js';

const date = new Date(2025, 5, 12, 9, 30); // local time: Thursday 12 June 2025
const file = (path: string, content: string, truncated = false): ContextFile => ({
  path,
  content,
  truncated,
  source: 'project',
});

describe('buildSystemPrompt', () => {
  it('says who the agent is and where it works', () => {
    const prompt = buildSystemPrompt({
      cwd: '/repo/app',
      date,
      os: 'Linux 6.8.0',
      git: true,
      gitRoot: '/repo',
      contextFiles: [],
    });
    expect(prompt).toMatch(/^You are salvo, a coding agent/);
    expect(prompt).toContain('# Environment');
    expect(prompt).toContain('Working folder: /repo/app');
    expect(prompt).toContain('Git repository: yes (root /repo)');
    expect(prompt).toContain('Operating system: Linux 6.8.0');
    expect(prompt).toContain("Today's date: 2025-06-12 (Thursday)");
    expect(prompt).not.toContain('# Project instructions');
    expect(
      buildSystemPrompt({ cwd: '/x', date, os: 'Darwin', git: false, contextFiles: [] }),
    ).toContain('Git repository: no');
  });

  it('puts each instruction file under its path, in order, and the user system text last', () => {
    const prompt = buildSystemPrompt({
      cwd: '/repo',
      date,
      os: 'Linux',
      git: true,
      gitRoot: '/repo',
      contextFiles: [
        file('/home/me/.salvo/AGENTS.md', 'Answer in French.'),
        file('/repo/AGENTS.md', 'Run `npm test` before you finish.', true),
      ],
      extra: 'Never touch the vendor folder.',
    });
    expect(prompt).toContain('Git repository: yes\n'); // the root is the working folder
    const order = [
      '# Environment',
      '# Project instructions',
      '## /home/me/.salvo/AGENTS.md\n\nAnswer in French.',
      '## /repo/AGENTS.md\n\nRun `npm test` before you finish.\n\n[cut here: the file is longer]',
      'Never touch the vendor folder.',
    ].map((part) => prompt.indexOf(part));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(prompt.endsWith('Never touch the vendor folder.')).toBe(true);
  });

  it('leaves out a blank system text', () => {
    const prompt = buildSystemPrompt({
      cwd: '/r',
      date,
      os: 'L',
      git: false,
      contextFiles: [],
      extra: ' \n',
    });
    expect(prompt.endsWith(')')).toBe(true);
  });
});
