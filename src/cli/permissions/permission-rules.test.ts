import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalRequest } from '../test-reporter-support.js';
import { PermissionRules } from './permission-rules.js';
import { permissionsFile } from './permissions-file.js';

let root: string;
let home: string;
let outside: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-rules-root-')));
  home = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-rules-home-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-rules-out-')));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
});

afterEach(() => {
  for (const dir of [root, home, outside]) rmSync(dir, { recursive: true, force: true });
});

const shell = (command: string) => approvalRequest('c', 'shell', { command });
const edit = (path: string) =>
  approvalRequest('c', 'edit_file', { path, old_string: 'a', new_string: 'b' });
const write = (path: string) => approvalRequest('c', 'write_file', { path, content: 'x' });

describe('PermissionRules', () => {
  it('proposes a shell command its prefixes, and covers with them only what they name', () => {
    const rules = new PermissionRules({ root });
    const proposal = rules.propose(shell('npm test && npm run lint'));
    expect(proposal).toEqual({
      ok: true,
      rules: [
        { kind: 'shell', words: ['npm', 'test'] },
        { kind: 'shell', words: ['npm', 'run', 'lint'] },
      ],
      label: 'always allow "npm test …", "npm run lint …"',
    });
    expect(rules.covers(shell('npm test'))).toBe(false);
    if (proposal.ok) rules.add(proposal.rules);
    expect(rules.covers(shell('npm test -- --watch'))).toBe(true);
    expect(rules.covers(shell('npm run lint && npm test'))).toBe(true);
    expect(rules.covers(shell('npm test; rm -rf ~'))).toBe(false);
    expect(rules.covers(shell('npm run build'))).toBe(false);
    // The same prefix added twice is one rule.
    if (proposal.ok) rules.add(proposal.rules);
    expect(rules.list()).toEqual(['1. shell: npm test …', '2. shell: npm run lint …']);
  });

  it('says why there is no rule for a command too broad to allow', () => {
    const rules = new PermissionRules({ root });
    expect(rules.propose(shell('rm -rf build'))).toEqual({
      ok: false,
      reason: '`rm` can delete or overwrite any file: approve each such command once',
    });
    expect(rules.propose(approvalRequest('c', 'shell', {}))).toMatchObject({ ok: false });
  });

  it('edits: every edit and write in the workspace, never .git, .salvo, salvo.json, or outside', () => {
    symlinkSync(join(root, '.git'), join(root, 'innocent'));
    symlinkSync(outside, join(root, 'out'));
    const rules = new PermissionRules({ root });
    const proposal = rules.propose(edit('src/a.ts'));
    expect(proposal).toEqual({
      ok: true,
      rules: [{ kind: 'edits' }],
      label: 'allow all edits this session',
    });
    expect(rules.propose(write('.git/hooks/pre-commit'))).toEqual({
      ok: false,
      reason: 'edits in .git always ask',
    });
    expect(rules.propose(edit('salvo.json'))).toMatchObject({ ok: false });
    if (proposal.ok) rules.add(proposal.rules);
    expect(rules.covers(edit('src/a.ts'))).toBe(true);
    expect(rules.covers(write('new/dir/file.md'))).toBe(true);
    expect(rules.covers(write(join(root, 'src/b.ts')))).toBe(true);
    for (const path of [
      '.git/hooks/pre-commit',
      '.GIT/config',
      'innocent/hooks/pre-commit',
      'sub/.git/hooks/x',
      '.salvo/agents/x.md',
      'salvo.json',
      '.envrc',
      '../escape.txt',
      '/etc/passwd',
      'out/secret.txt',
    ]) {
      expect(rules.covers(write(path)), path).toBe(false);
    }
    // Other tools are not edits.
    expect(rules.covers(approvalRequest('c', 'shell', { command: 'touch a' }))).toBe(false);
  });

  it('a folder-scoped edits rule covers that folder only', () => {
    const rules = new PermissionRules({ root });
    rules.add([{ kind: 'edits', folder: 'src' }]);
    expect(rules.covers(edit('src/a.ts'))).toBe(true);
    expect(rules.covers(edit('srcx/a.ts'))).toBe(false);
    expect(rules.covers(edit('lib/a.ts'))).toBe(false);
    expect(rules.list()).toEqual([
      '1. edits: files in src/ (not .git, .salvo, salvo.json, .mcp.json, .npmrc, .vscode, .github…)',
    ]);
  });

  it('without a workspace, no edit rule can be made or match', () => {
    const rules = new PermissionRules();
    expect(rules.propose(edit('a.ts'))).toMatchObject({ ok: false });
    rules.add([{ kind: 'edits' }]);
    expect(rules.covers(edit('a.ts'))).toBe(false);
    expect(new PermissionRules({ root: join(root, 'missing') }).workspace).toBeUndefined();
  });

  it('other tools: every call of that tool, and a tool rule can never stand for shell or edits', () => {
    const rules = new PermissionRules({ root });
    const proposal = rules.propose(approvalRequest('c', 'github__create_issue', { title: 'x' }));
    expect(proposal).toEqual({
      ok: true,
      rules: [{ kind: 'tool', name: 'github__create_issue' }],
      label: 'approve every github__create_issue call this session',
    });
    if (proposal.ok) rules.add(proposal.rules);
    expect(rules.covers(approvalRequest('c', 'github__create_issue', {}))).toBe(true);
    expect(rules.covers(approvalRequest('c', 'github__delete_repo', {}))).toBe(false);
    rules.add([
      { kind: 'tool', name: 'shell' },
      { kind: 'tool', name: 'edit_file' },
      { kind: 'tool', name: 'write_file' },
    ]);
    expect(rules.rules).toHaveLength(1);
    expect(rules.covers(shell('rm -rf ~'))).toBe(false);
    expect(rules.covers(edit('.git/config'))).toBe(false);
  });

  describe('/permissions: list, revoke, save, load', () => {
    it('saves to the home, not the project, loads it for the same folder only', async () => {
      const rules = new PermissionRules({ root, home });
      rules.add([{ kind: 'shell', words: ['npm', 'test'] }, { kind: 'edits' }]);
      const saved = await rules.save();
      const file = permissionsFile(home, root);
      expect(saved).toEqual({
        ok: true,
        line: `Saved 2 rules for this project in ${file}.`,
      });
      expect(rules.file).toBe(file);
      expect(file.startsWith(join(home, '.salvo', 'projects'))).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(rules.list()).toEqual([
        '1. shell: npm test …  (saved for this project)',
        '2. edits: every file of the workspace (not .git, .salvo, salvo.json, .mcp.json, .npmrc, .vscode, .github…)  (saved for this project)',
      ]);

      const next = new PermissionRules({ root, home });
      expect(await next.load()).toEqual({ loaded: 2, problems: [] });
      expect(next.covers(shell('npm test'))).toBe(true);
      // Another folder has its own file, and nothing from this one.
      const other = new PermissionRules({ root: outside, home });
      expect(await other.load()).toEqual({ loaded: 0, problems: [] });
      expect(other.covers(shell('npm test'))).toBe(false);
    });

    it('revoking a saved rule removes it from the file too, keeping the rest', async () => {
      const rules = new PermissionRules({ root, home });
      rules.add([
        { kind: 'shell', words: ['npm', 'test'] },
        { kind: 'tool', name: 'mcp__x' },
      ]);
      await rules.save();
      rules.add([{ kind: 'shell', words: ['git', 'commit'] }]);
      expect(await rules.revoke(1)).toEqual({
        ok: true,
        line: 'Revoked: shell: npm test … (and from the saved rules)',
      });
      expect(rules.covers(shell('npm test'))).toBe(false);
      expect(await rules.revoke(2)).toEqual({ ok: true, line: 'Revoked: shell: git commit …' });
      expect(await rules.revoke(5)).toEqual({
        ok: false,
        line: 'There is no rule 5: the rules are numbered 1 to 1.',
      });
      expect(await rules.revoke(0)).toMatchObject({ ok: false });
      expect(await rules.revoke(1.5)).toMatchObject({ ok: false });
      const saved = JSON.parse(readFileSync(permissionsFile(home, root), 'utf8'));
      expect(saved).toEqual({ folder: root, rules: [{ kind: 'tool', name: 'mcp__x' }] });
    });

    it('skips, with a line each, rules a hand-edited file would widen, and a broken file', async () => {
      const file = permissionsFile(home, root);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        JSON.stringify({
          folder: root,
          rules: [
            { kind: 'shell', words: ['rm'] },
            { kind: 'shell', words: ['sh', '-c'] },
            { kind: 'tool', name: 'shell' },
            { kind: 'edits', folder: '../..' },
            { kind: 'edits', folder: '.git' },
            { kind: 'nonsense' },
            { kind: 'shell', words: ['git', 'status'] },
          ],
        }),
      );
      const rules = new PermissionRules({ root, home });
      const { loaded, problems } = await rules.load();
      expect(loaded).toBe(1);
      expect(problems).toHaveLength(6);
      expect(problems[0]).toBe(
        `${file}: rule 1 skipped: \`rm\` can delete or overwrite any file: approve each such command once`,
      );
      expect(rules.list()).toEqual(['1. shell: git status …  (saved for this project)']);

      writeFileSync(file, '{ nope');
      expect(await new PermissionRules({ root, home }).load()).toEqual({
        loaded: 0,
        problems: [`${file}: not valid JSON; its rules were not loaded`],
      });
      writeFileSync(file, JSON.stringify({ folder: '/elsewhere', rules: [] }));
      expect((await new PermissionRules({ root, home }).load()).problems[0]).toContain(
        'written for another folder',
      );
    });

    it('save merges with what another session saved meanwhile', async () => {
      const one = new PermissionRules({ root, home });
      const two = new PermissionRules({ root, home });
      one.add([{ kind: 'shell', words: ['npm', 'test'] }]);
      two.add([{ kind: 'shell', words: ['git', 'commit'] }]);
      await one.save();
      await two.save();
      const three = new PermissionRules({ root, home });
      expect((await three.load()).loaded).toBe(2);
    });

    it('without a home, nothing is saved or loaded, and says so', async () => {
      const rules = new PermissionRules({ root });
      rules.add([{ kind: 'edits' }]);
      expect(await rules.save()).toMatchObject({ ok: false });
      expect(await rules.load()).toEqual({ loaded: 0, problems: [] });
    });
  });
});
