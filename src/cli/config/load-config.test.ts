import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalvoError } from '../../errors.js';
import { ConfigError } from './config-error.js';
import { configPaths, loadConfig } from './load-config.js';
import { rememberTrust } from './project-trust.js';

let root: string;
let cwd: string;
let home: string;
let project: string;
let user: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'salvo-config-'));
  cwd = join(root, 'project');
  home = join(root, 'home');
  mkdirSync(cwd);
  mkdirSync(join(home, '.salvo'), { recursive: true });
  ({ project, user } = configPaths({ cwd, home }));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes `content` as is when it is a string, else as JSON. */
function write(file: string, content: unknown): void {
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** The ConfigError `loadConfig` throws. */
function loadError(options: { file?: string } = {}): ConfigError {
  try {
    loadConfig({ cwd, home, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.message).not.toContain('\n');
    expect(configError.message.startsWith(`${configError.file}: `)).toBe(true);
    return configError;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig', () => {
  it('gives an empty config when no file exists', () => {
    rmSync(home, { recursive: true });
    expect(loadConfig({ cwd, home })).toEqual({
      config: {},
      files: [],
      untrusted: [],
      warnings: [],
    });
  });

  it('finds the files under the project and the home directory', () => {
    expect(configPaths({ cwd: '/repo', home: '/home/me' })).toEqual({
      project: '/repo/salvo.json',
      user: '/home/me/.salvo/settings.json',
    });
  });

  it('merges home, then project, then --config; mcpServers by server name', () => {
    write(user, {
      model: 'home-model',
      maxSteps: 5,
      approval: 'ask',
      mcpServers: { gh: { command: 'gh-home', args: ['--x'] }, db: { command: 'db' } },
    });
    write(project, {
      model: 'project-model',
      provider: 'openai',
      mcpServers: { gh: { url: 'http://127.0.0.1:1/mcp' }, fs: { command: 'fs' } },
    });
    write(join(cwd, 'extra.json'), { approval: 'yolo', mcpServers: { db: { command: 'db2' } } });

    const loaded = loadConfig({ cwd, home, file: 'extra.json', trustProject: true });
    expect(loaded.files).toEqual([user, project, join(cwd, 'extra.json')]);
    expect(loaded.config).toEqual({
      model: 'project-model',
      provider: 'openai',
      maxSteps: 5,
      approval: 'yolo',
      mcpServers: {
        gh: { url: 'http://127.0.0.1:1/mcp' }, // replaced whole: no `args` left from home
        db: { command: 'db2', cwd }, // a stdio server runs in the project folder
        fs: { command: 'fs', cwd },
      },
    });
  });

  it('accepts every field with a good value', () => {
    const config = {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      baseUrl: 'https://api.example.com/v1',
      approval: 'never-ask',
      maxConcurrency: 8,
      maxSubagents: 3,
      maxDepth: 2,
      maxSteps: 50,
      toolTimeoutMs: 2_147_483_647,
      contextWindow: 32_768,
      system: '',
      mcpServers: {
        a: { command: 'node', args: ['s.js'], env: { K: 'v' }, cwd: '/tmp', trust: 'annotations' },
        b: { type: 'sse', url: 'http://localhost:3000/sse', headers: { Authorization: 'x' } },
        c: {
          command: 'x',
          tools: { t: { approval: 'deny', claims: [{ key: 'k', mode: 'read' }] } },
        },
        off: { disabled: true, whatever: 1 },
      },
    };
    write(project, config);
    expect(loadConfig({ cwd, home, trustProject: true })).toEqual({
      config: {
        ...config,
        mcpServers: { ...config.mcpServers, c: { ...config.mcpServers.c, cwd } },
      },
      files: [project],
      untrusted: [],
      warnings: [],
    });
  });

  const whole = 'a whole number from 1 and up';
  const server = (settings: unknown) => ({ mcpServers: { gh: settings } });
  it.each<[string, unknown, string, string]>([
    ['provider', { provider: 'gpt' }, 'provider', '"anthropic", "openai" or "openai-responses"'],
    ['model empty', { model: '' }, 'model', 'a non-empty string'],
    ['model number', { model: 4 }, 'model', 'a non-empty string'],
    ['baseUrl scheme', { baseUrl: 'ftp://x.org' }, 'baseUrl', 'an absolute http:// or https://'],
    ['baseUrl relative', { baseUrl: '/v1' }, 'baseUrl', 'an absolute http:// or https://'],
    [
      'approval',
      { approval: 'always' },
      'approval',
      'one of "ask", "auto-edit", "yolo" or "never-ask"',
    ],
    ['maxConcurrency 0', { maxConcurrency: 0 }, 'maxConcurrency', whole],
    ['maxConcurrency 1.5', { maxConcurrency: 1.5 }, 'maxConcurrency', whole],
    ['maxConcurrency string', { maxConcurrency: '4' }, 'maxConcurrency', whole],
    ['maxSubagents', { maxSubagents: -1 }, 'maxSubagents', whole],
    ['maxDepth', { maxDepth: null }, 'maxDepth', whole],
    ['maxSteps', { maxSteps: true }, 'maxSteps', whole],
    ['toolTimeoutMs 0', { toolTimeoutMs: 0 }, 'toolTimeoutMs', 'milliseconds from 1 to 2147483647'],
    ['toolTimeoutMs big', { toolTimeoutMs: 2 ** 31 }, 'toolTimeoutMs', 'milliseconds from 1'],
    ['system', { system: 42 }, 'system', 'a string'],
    [
      'contextWindow',
      { contextWindow: 512 },
      'contextWindow',
      'a whole number of tokens from 1024',
    ],
    ['mcpServers', { mcpServers: [] }, 'mcpServers', 'an object of server names to settings'],
    ['server', server('gh'), 'mcpServers.gh', 'an object with `command` (stdio) or `url`'],
    ['server empty', server({}), 'mcpServers.gh', 'an object with `command` (stdio) or `url`'],
    ['command', server({ command: '' }), 'mcpServers.gh.command', 'a non-empty string'],
    ['args', server({ command: 'x', args: [1] }), 'mcpServers.gh.args', 'an array of strings'],
    ['url', server({ url: 'nope' }), 'mcpServers.gh.url', 'an absolute http(s) URL'],
    ['type', server({ url: 'http://h/', type: 'ws' }), 'mcpServers.gh.type', "'http' or 'sse'"],
    ['trust', server({ command: 'x', trust: 'all' }), 'mcpServers.gh.trust', "'none', 'annot"],
    ['pool', server({ command: 'x', pool: 0 }), 'mcpServers.gh.pool', 'a number from 1 and up'],
    ['timeoutMs', server({ command: 'x', timeoutMs: 0 }), 'mcpServers.gh.timeoutMs', 'millis'],
    [
      'tool timeoutMs',
      server({ command: 'x', tools: { t: { timeoutMs: -1 } } }),
      'mcpServers.gh.tools.t.timeoutMs',
      'milliseconds',
    ],
    ['tool', server({ command: 'x', tools: { t: null } }), 'mcpServers.gh.tools.t', 'an object'],
    [
      'tool approval',
      server({ command: 'x', tools: { t: { approval: 'maybe' } } }),
      'mcpServers.gh.tools.t.approval',
      '"auto", "ask" or "deny"',
    ],
    [
      'tool claim',
      server({ command: 'x', tools: { t: { claims: [{ key: 'k', mode: 'rw' }] } } }),
      'mcpServers.gh.tools.t.claims.0.mode',
      '"read" or "write"',
    ],
    ['env', server({ command: 'x', env: { A: 1 } }), 'mcpServers.gh.env.A', 'a string'],
    ['headers', server({ url: 'http://h/', headers: 'x' }), 'mcpServers.gh.headers', 'an object'],
    ['disabled', server({ command: 'x', disabled: 'yes' }), 'mcpServers.gh.disabled', '`true`'],
    ['cwd', server({ command: 'x', cwd: 5 }), 'mcpServers.gh.cwd', 'a directory path'],
  ])(
    'rejects a bad %s naming the file, the field and what is expected',
    (_, content, field, expected) => {
      write(project, content);
      const error = loadError();
      expect(error.file).toBe(project);
      expect(error.field).toBe(field);
      expect(error.message).toContain(project);
      expect(error.message).toContain(`\`${field}\` must be ${expected}`);
      expect(error.message).toMatch(/, got (`.*`|an object|an array of \d+)( \(\w+\))?$/);
    },
  );

  it('shows the value found', () => {
    write(project, { maxConcurrency: 0 });
    expect(loadError().message).toBe(
      `${project}: \`maxConcurrency\` must be a whole number from 1 and up, got \`0\` (number)`,
    );
  });

  it('names the file whose mcpServers are wrong, checking each file on its own', () => {
    write(user, { mcpServers: { gh: { command: 'x', pool: 0 } } });
    write(project, { mcpServers: { gh: { command: 'fine' } } });
    expect(loadError().file).toBe(user);

    write(user, { mcpServers: { gh: { command: 'fine' } } });
    write(project, { mcpServers: { db: { url: 'nope' } } });
    const error = loadError();
    expect([error.file, error.field]).toEqual([project, 'mcpServers.db.url']);
  });

  it.each([
    ['{\n  "model": "x",\n}\n', 'line 3, column 1', 'remove the trailing comma'],
    ['{\n  "model": "x"\n  "maxSteps": 2\n}', 'line 3, column 3', "expected ',' or '}'"],
  ])('reports invalid JSON %j at its line and column', (text, where, what) => {
    write(project, text);
    const error = loadError();
    expect([error.file, error.field]).toEqual([project, '']);
    expect(error.message).toContain(`${project}: invalid JSON at ${where}: `);
    expect(error.message).toContain(what);
  });

  it.each([
    ['[1, 2]', 'an array of 2'],
    ['"x"', '`"x"` (string)'],
    ['null', '`null`'],
  ])('rejects a top level %s that is not an object', (text, got) => {
    write(project, text);
    const error = loadError();
    expect(error.message).toContain(`${project}: the file must hold a JSON object`);
    expect(error.message).toContain(`got ${got}`);
  });

  it.each([
    ['maxConcurency', 'maxConcurrency'],
    ['max_concurrency', 'maxConcurrency'],
    ['MODEL', 'model'],
    ['mcp_servers', 'mcpServers'],
    ['timeout', 'toolTimeoutMs'],
    ['systemPrompt', 'system'],
  ])('suggests the known field for an unknown %s', (field, known) => {
    write(project, { model: 'm', [field]: 1 });
    const error = loadError();
    expect(error.field).toBe(field);
    expect(error.message).toBe(
      `${project}: unknown field \`${field}\`; did you mean \`${known}\`?`,
    );
  });

  it('lists the known fields when nothing is close', () => {
    write(user, { colour: 'blue' });
    const error = loadError();
    expect(error.file).toBe(user);
    expect(error.message).toContain('unknown field `colour`; remove it or use one of `provider`,');
    expect(error.message).toContain('`toolTimeoutMs`, `system`, `thinking`');
  });

  it('fails when the --config file is missing, but not when the usual files are', () => {
    const error = loadError({ file: 'missing.json' });
    expect(error.file).toBe(join(cwd, 'missing.json'));
    expect(error.message).toBe(
      `${join(cwd, 'missing.json')}: no such file (given with --config); check the path`,
    );
  });

  it('names the file and the reason when a file cannot be read', () => {
    mkdirSync(project); // a directory where the file should be
    const error = loadError();
    expect(error.file).toBe(project);
    expect(error.message).toMatch(/^.*salvo\.json: cannot read the file: EISDIR: [^,]+; check/);
  });

  it('keeps __proto__ keys as plain data and pollutes nothing', () => {
    write(
      user,
      '{ "mcpServers": { "__proto__": { "command": "home" }, "a": { "command": "a" } } }',
    );
    write(
      project,
      '{ "mcpServers": { "__proto__": { "command": "p", "env": { "__proto__": "x" } } } }',
    );
    const { config } = loadConfig({ cwd, home, trustProject: true });
    const servers = config.mcpServers ?? {};
    expect(Object.getPrototypeOf(servers)).toBe(Object.prototype);
    expect(Object.keys(servers)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(servers, '__proto__')?.value).toEqual({
      command: 'p',
      env: JSON.parse('{ "__proto__": "x" }'),
      cwd,
    });
    expect(({} as Record<string, unknown>).command).toBeUndefined();

    write(project, '{ "__proto__": { "polluted": true } }');
    expect(loadError().message).toContain('unknown field `__proto__`');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws errors that are SalvoErrors', () => {
    write(project, { maxSteps: 0 });
    const error = loadError();
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(SalvoError.isInstance(error)).toBe(true);
    expect(ConfigError.isInstance(new Error('x'))).toBe(false);
    expect(error.name).toBe('ConfigError');
  });
});

describe('loadConfig: a project file in a folder not trusted', () => {
  it('applies only what raises safety, and says what waits for trust', () => {
    write(project, {
      approval: 'yolo',
      model: 'm',
      mcpServers: { x: { command: 'x', args: ['--all'] }, off: { command: 'y', disabled: true } },
      baseUrl: 'https://elsewhere.example/v1',
      sandbox: 'off',
      maxSteps: 4,
    });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.config).toEqual({
      model: 'm',
      maxSteps: 4,
      mcpServers: { off: { command: 'y', disabled: true } },
    });
    expect(loaded.untrusted).toEqual([
      {
        file: project,
        folder: cwd,
        fields: [
          'approval "yolo"',
          'MCP server "x" (runs x --all)',
          'baseUrl https://elsewhere.example/v1 (your API key would be sent there)',
          'sandbox "off"',
        ],
        settings: expect.stringMatching(/^[0-9a-f]{64}$/),
        answered: false,
      },
    ]);
    rememberTrust(home, cwd, true, loaded.untrusted[0]?.settings);
    expect(loadConfig({ cwd, home }).untrusted).toEqual([]);
    // A trusted folder whose file now asks for more is asked about again.
    write(project, { approval: 'yolo', mcpServers: { y: { command: 'another' } } });
    expect(loadConfig({ cwd, home }).untrusted[0]?.fields).toEqual([
      'approval "yolo"',
      'MCP server "y" (runs another)',
    ]);
    rememberTrust(home, cwd, false);
    expect(loadConfig({ cwd, home }).untrusted[0]?.answered).toBe(true);
  });

  it('lets the user settings decide what "lower" means', () => {
    write(user, { approval: 'yolo' });
    write(project, { approval: 'auto-edit' });
    const loaded = loadConfig({ cwd, home });
    expect(loaded.untrusted).toEqual([]);
    expect(loaded.config.approval).toBe('auto-edit');
  });
});
