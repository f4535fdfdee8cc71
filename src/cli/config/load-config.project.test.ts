// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the literal syntax of .mcp.json
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { folderTrust, rememberTrust } from './project-trust.js';

// Project files found from the project folder up to the git root, Claude Code's .mcp.json, and
// trust keyed to the folder where each file was found.

let base: string;
let home: string;
let repo: string;
let cwd: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-project-config-'));
  home = join(base, 'home');
  repo = join(base, 'repo');
  cwd = join(repo, 'packages', 'app');
  mkdirSync(join(home, '.salvo'), { recursive: true });
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(cwd, { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function write(file: string, content: unknown): void {
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

describe('salvo.json from the project folder up to the git root', () => {
  it('merges them general → specific: the root sets defaults, the nearer file overrides', () => {
    write(join(base, 'salvo.json'), { model: 'above the git root: never read' });
    write(join(repo, 'salvo.json'), { model: 'root', maxSteps: 7, temperature: 0.5 });
    write(join(repo, 'packages', 'salvo.json'), { temperature: 0.2 });
    write(join(cwd, 'salvo.json'), { model: 'app' });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.files).toEqual([
      join(repo, 'salvo.json'),
      join(repo, 'packages', 'salvo.json'),
      join(cwd, 'salvo.json'),
    ]);
    expect(loaded.config).toEqual({ model: 'app', maxSteps: 7, temperature: 0.2 });
    expect(loaded.untrusted).toEqual([]);
  });

  it('reads only the project folder outside a git repository', () => {
    const loose = join(base, 'loose', 'dir');
    mkdirSync(loose, { recursive: true });
    write(join(base, 'loose', 'salvo.json'), { model: 'parent' });
    expect(loadConfig({ cwd: loose, home }).files).toEqual([]);
  });

  it("keys a parent file's trust to the folder it was found in", () => {
    write(join(repo, 'salvo.json'), { approval: 'yolo', maxSteps: 3 });
    write(join(cwd, 'salvo.json'), { sandboxNetwork: true });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.config).toEqual({ maxSteps: 3 });
    expect(loaded.untrusted.map((u) => [u.file, u.folder, u.fields])).toEqual([
      [join(repo, 'salvo.json'), repo, ['approval "yolo"']],
      [join(cwd, 'salvo.json'), cwd, ['sandboxNetwork true']],
    ]);
    // Trusting the project folder does not trust the root's file, nor the other way round.
    rememberTrust(home, cwd, true, loaded.untrusted[1]?.settings);
    const again = loadConfig({ cwd, home });
    expect(again.untrusted.map((u) => u.folder)).toEqual([repo]);
    expect(again.config).toEqual({ maxSteps: 3, sandboxNetwork: true });
    rememberTrust(home, repo, true, again.untrusted[0]?.settings);
    expect(loadConfig({ cwd, home }).config).toEqual({
      approval: 'yolo',
      maxSteps: 3,
      sandboxNetwork: true,
    });
  });

  it('counts folders the user just trusted (trustedFolders), and --trust-project trusts all', () => {
    write(join(repo, 'salvo.json'), { approval: 'yolo' });
    write(join(cwd, 'salvo.json'), { sandbox: 'off' });
    expect(loadConfig({ cwd, home, trustedFolders: [repo] })).toMatchObject({
      config: { approval: 'yolo' },
      untrusted: [{ folder: cwd }],
    });
    expect(loadConfig({ cwd, home, trustProject: true })).toMatchObject({
      config: { approval: 'yolo', sandbox: 'off' },
      untrusted: [],
    });
  });

  it('runs a stdio server in the folder of the file that names it; -C never means the process folder', () => {
    write(join(home, '.salvo', 'settings.json'), {
      mcpServers: { mine: { command: 'mine' }, rel: { command: 'r', cwd: 'tools' } },
    });
    write(join(repo, 'salvo.json'), {
      mcpServers: {
        root: { command: 'node', args: ['scripts/mcp.js'] },
        sub: { command: 'x', cwd: 'srv' },
        abs: { command: 'y', cwd: '/opt/srv' },
        web: { url: 'http://127.0.0.1:9/mcp' },
        off: { command: 'z', disabled: true },
      },
    });
    const { config } = loadConfig({ cwd, home, trustProject: true });
    expect(config.mcpServers).toEqual({
      mine: { command: 'mine', cwd },
      rel: { command: 'r', cwd: join(cwd, 'tools') },
      root: { command: 'node', args: ['scripts/mcp.js'], cwd: repo },
      sub: { command: 'x', cwd: join(repo, 'srv') },
      abs: { command: 'y', cwd: '/opt/srv' },
      web: { url: 'http://127.0.0.1:9/mcp' },
      off: { command: 'z', disabled: true },
    });
  });
});

describe('.mcp.json', () => {
  const mcpJson = {
    mcpServers: {
      files: { command: 'npx', args: ['-y', 'server-filesystem', '.'], env: { DEBUG: '1' } },
      github: {
        type: 'http',
        url: 'https://mcp.example.com/github',
        headers: { Authorization: 'Bearer ${GITHUB_TOKEN}' },
      },
      events: { type: 'sse', url: '${EVENTS_URL:-http://127.0.0.1:7/sse}' },
    },
  };

  it("maps Claude Code's servers into salvo's, in the root's folder, variables filled in", () => {
    write(join(repo, '.mcp.json'), mcpJson);
    const loaded = loadConfig({ cwd, home, trustProject: true, env: { GITHUB_TOKEN: 'tok' } });
    expect(loaded.files).toEqual([join(repo, '.mcp.json')]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.mcpServers).toEqual({
      files: {
        command: 'npx',
        args: ['-y', 'server-filesystem', '.'],
        env: { DEBUG: '1' },
        cwd: repo,
      },
      github: {
        type: 'http',
        url: 'https://mcp.example.com/github',
        headers: { Authorization: 'Bearer tok' },
      },
      events: { type: 'sse', url: 'http://127.0.0.1:7/sse' },
    });
  });

  it('starts none of its servers in a folder not trusted, and names the variables each would send', () => {
    write(join(repo, '.mcp.json'), mcpJson);
    const loaded = loadConfig({ cwd, home, env: { GITHUB_TOKEN: 'tok' } });
    expect(loaded.config).toEqual({});
    expect(loaded.untrusted).toEqual([
      {
        file: join(repo, '.mcp.json'),
        folder: repo,
        fields: [
          'MCP server "files" (runs npx -y server-filesystem .)',
          'MCP server "github" (connects to https://mcp.example.com/github, with $GITHUB_TOKEN)',
          'MCP server "events" (connects to ${EVENTS_URL:-http://127.0.0.1:7/sse}, with $EVENTS_URL)',
        ],
        settings: expect.any(String),
        answered: false,
      },
    ]);
    // The fingerprint is of what the file says, not of the token: a new token does not re-ask.
    rememberTrust(home, repo, true, loaded.untrusted[0]?.settings);
    expect(loadConfig({ cwd, home, env: { GITHUB_TOKEN: 'other' } }).untrusted).toEqual([]);
  });

  it('shares one trust answer with the salvo.json of the same folder', () => {
    write(join(repo, '.mcp.json'), { mcpServers: { a: { command: 'a' } } });
    write(join(repo, 'salvo.json'), { approval: 'yolo', mcpServers: { a: { command: 'b' } } });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.untrusted.map((u) => [u.file, u.fields])).toEqual([
      [join(repo, '.mcp.json'), ['MCP server "a" (runs a)']],
      [join(repo, 'salvo.json'), ['approval "yolo"', 'MCP server "a" (runs b)']],
    ]);
    const [mcp, salvo] = loaded.untrusted;
    expect(mcp?.settings).toBe(salvo?.settings);
    rememberTrust(home, repo, true, mcp?.settings);
    expect(folderTrust(home, repo, salvo?.settings)).toBe('trusted');
    // salvo.json comes after .mcp.json in its folder: its entry of the same name wins.
    expect(loadConfig({ cwd, home }).config.mcpServers).toEqual({ a: { command: 'b', cwd: repo } });
  });

  it('leaves out, with a warning, a server whose variable is not set, and one salvo cannot use', () => {
    write(join(repo, '.mcp.json'), {
      mcpServers: {
        github: mcpJson.mcpServers.github,
        broken: { command: '' },
        ws: { type: 'ws', url: 'ws://x' },
        fine: { command: 'ok' },
      },
    });
    const loaded = loadConfig({ cwd, home, trustProject: true, env: { GITHUB_TOKEN: '' } });
    expect(Object.keys(loaded.config.mcpServers ?? {})).toEqual(['fine']);
    const file = join(repo, '.mcp.json');
    expect(loaded.warnings).toEqual([
      `${file}: \`mcpServers.broken.command\` must be a non-empty string, got \`""\` (string) (MCP server "broken" is not used)`,
      expect.stringMatching(
        /^.*\.mcp\.json: `mcpServers\.ws\.url` must be .*\(MCP server "ws" is not used\)$/,
      ),
      `${file}: MCP server "github" is not started: it uses \${GITHUB_TOKEN}, which is not set; set it, or write \${GITHUB_TOKEN:-default}`,
    ]);
  });

  it('warns and goes on when the file is not JSON or not the expected shape', () => {
    write(join(repo, '.mcp.json'), '{ "mcpServers": { ');
    write(join(cwd, '.mcp.json'), { servers: {} });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.config).toEqual({});
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.warnings[0]).toMatch(
      /\.mcp\.json: invalid JSON at line 1.*\(its MCP servers are not used\)$/,
    );
    expect(loaded.warnings[1]).toBe(
      `${join(cwd, '.mcp.json')}: expected \`{ "mcpServers": { "<name>": { "command": "..." } } }\` (its MCP servers are not used)`,
    );
  });
});
