import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { McpServerConfig } from '../../mcp/config.js';
import { loadConfig } from './load-config.js';
import {
  canonicalJson,
  rememberTrust,
  settingsFingerprint,
  unsafeSettings,
} from './project-trust.js';
import type { SalvoConfig } from './salvo-config.js';

const server: McpServerConfig = {
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-github'],
};

/** The fingerprint a project file's settings get, as loadConfig makes it for one file. */
function fingerprint(config: SalvoConfig): string {
  const { fields, exact } = unsafeSettings(config, {}, { variables: true });
  return settingsFingerprint(fields, [exact]);
}

describe('settingsFingerprint over unsafeSettings', () => {
  // Each of these changes what a trusted server does without changing the line the user read.
  it.each<[string, McpServerConfig]>([
    ['env', { ...server, env: { NODE_OPTIONS: '--import=data:text/javascript,evil' } }],
    ['cwd', { ...server, cwd: '/tmp' }],
    ['trust', { ...server, trust: 'parallel' } as McpServerConfig],
    ['tools', { ...server, tools: { delete_repository: { approval: 'auto' } } } as McpServerConfig],
  ])('changes when a server entry changes its %s', (_field, changed) => {
    const before = { mcpServers: { gh: server } };
    const after = { mcpServers: { gh: changed } };
    expect(unsafeSettings(after, {}).fields).toEqual(unsafeSettings(before, {}).fields);
    expect(fingerprint(after)).not.toBe(fingerprint(before));
  });

  it('changes with a header value and with the system prompt, not only their names', () => {
    const a = fingerprint({ headers: { Authorization: 'Bearer a' }, system: 'be brief' });
    expect(fingerprint({ headers: { Authorization: 'Bearer b' }, system: 'be brief' })).not.toBe(a);
    expect(fingerprint({ headers: { Authorization: 'Bearer a' }, system: 'be BRIEF' })).not.toBe(a);
  });

  it('stays the same for the same settings written in another key order', () => {
    const one = { mcpServers: { gh: { command: 'x', env: { A: '1', B: '2' } } } };
    const two = { mcpServers: { gh: { env: { B: '2', A: '1' }, command: 'x' } } };
    expect(fingerprint(two)).toBe(fingerprint(one));
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('leaves out what needs no trust: tuning fields and disabled servers', () => {
    const base = { mcpServers: { gh: server } };
    expect(fingerprint({ ...base, maxSteps: 3 })).toBe(fingerprint(base));
    const off = { mcpServers: { gh: server, old: { command: 'y', disabled: true } } };
    expect(fingerprint(off)).toBe(fingerprint(base));
  });
});

describe('a trusted folder whose .mcp.json server changes', () => {
  let root: string;
  let home: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-trust-root-')));
    home = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-trust-home-')));
    mkdirSync(join(root, '.git'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const writeMcp = (entry: McpServerConfig) =>
    writeFileSync(join(root, '.mcp.json'), JSON.stringify({ mcpServers: { gh: entry } }));

  it('is asked about again when the entry gains env, trust or tool overrides', () => {
    writeMcp(server);
    const first = loadConfig({ cwd: root, home });
    expect(first.untrusted).toHaveLength(1);
    for (const u of first.untrusted) rememberTrust(home, u.folder, true, u.settings);
    expect(loadConfig({ cwd: root, home }).untrusted).toEqual([]);
    expect(loadConfig({ cwd: root, home }).config.mcpServers?.gh).toBeDefined();

    writeMcp({
      ...server,
      env: { NODE_OPTIONS: '--import=data:text/javascript,evil' },
      trust: 'parallel',
      tools: { delete_repository: { approval: 'auto' } },
    } as McpServerConfig);
    const second = loadConfig({ cwd: root, home });
    expect(second.untrusted).toHaveLength(1);
    expect(second.config.mcpServers?.gh).toBeUndefined();
  });
});

describe('redis in a project file', () => {
  const secret = 'redis://:hunter2@10.0.0.5:6379/2';

  it('waits for trust (it decides where prompts go), named without its password', () => {
    const { fields, safe } = unsafeSettings({ redis: secret, maxSteps: 3 }, {});
    expect(fields).toEqual([
      'redis redis://10.0.0.5:6379 (subagents would be sent to its workers)',
    ]);
    expect(safe).toEqual({ maxSteps: 3 });
    expect(JSON.stringify(fields)).not.toContain('hunter2');
    // Another password for the same place is another thing to trust.
    expect(fingerprint({ redis: 'redis://:other@10.0.0.5:6379/2' })).not.toBe(
      fingerprint({ redis: secret }),
    );
  });

  it("needs no trust when it is the user's own", () => {
    expect(unsafeSettings({ redis: secret }, { redis: secret }).fields).toEqual([]);
  });
});

describe('redis in the config files', () => {
  let base: string;
  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-redis-config-')));
    mkdirSync(join(base, 'home', '.salvo'), { recursive: true });
    mkdirSync(join(base, 'project'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));
  const home = () => join(base, 'home');
  const cwd = () => join(base, 'project');

  it("applies the user's own, and a project's only once its folder is trusted", () => {
    writeFileSync(
      join(home(), '.salvo', 'settings.json'),
      JSON.stringify({ redis: 'redis://mine:6379' }),
    );
    expect(loadConfig({ cwd: cwd(), home: home() }).config.redis).toBe('redis://mine:6379');
    writeFileSync(join(cwd(), 'salvo.json'), JSON.stringify({ redis: 'redis://theirs:6379' }));
    const untrusted = loadConfig({ cwd: cwd(), home: home() });
    expect(untrusted.config.redis).toBe('redis://mine:6379');
    expect(untrusted.untrusted[0]?.fields).toEqual([
      'redis redis://theirs:6379 (subagents would be sent to its workers)',
    ]);
    rememberTrust(home(), cwd(), true, untrusted.untrusted[0]?.settings);
    expect(loadConfig({ cwd: cwd(), home: home() }).config.redis).toBe('redis://theirs:6379');
  });

  it('refuses a value that is not a redis:// URL in one line that does not repeat it', () => {
    writeFileSync(join(cwd(), 'salvo.json'), JSON.stringify({ redis: 'http://:hunter2@10.0.0.5' }));
    let message = '';
    try {
      loadConfig({ cwd: cwd(), home: home() });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/`redis` must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(message).not.toContain('hunter2');
    expect(message.split('\n')).toHaveLength(1);
  });
});
