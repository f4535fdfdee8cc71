// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the literal syntax of .mcp.json
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../io.js';
import { trustFile } from './project-trust.js';
import { loadTrustedConfig } from './trusted-config.js';

let base: string;
let home: string;
let repo: string;
let cwd: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-trusted-config-'));
  home = join(base, 'home');
  repo = join(base, 'repo');
  cwd = join(repo, 'app');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(cwd, { recursive: true });
  mkdirSync(home);
  writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { a: { command: 'a' } } }));
  writeFileSync(join(cwd, 'salvo.json'), JSON.stringify({ approval: 'yolo', maxSteps: 2 }));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** An io whose stdin answers `answer` once asked, and whose stderr is kept as text. */
function fakeIo(answer?: string): { io: CliIo; stderr: () => string } {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
    if (answer !== undefined && written.includes('[y/N]')) {
      stdin.write(`${answer}\n`);
      answer = undefined;
    }
  });
  const io = {
    stdin,
    stdout: new PassThrough(),
    stderr,
    env: { TOKEN: 'secret' },
    cwd: base,
    home,
  } as unknown as CliIo;
  return { io, stderr: () => written };
}

describe('loadTrustedConfig', () => {
  it('refuses in one line naming every file and --trust-project when it cannot ask', async () => {
    const { io } = fakeIo();
    const error = await loadTrustedConfig({ cwd, home }, io, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const message = (error as CliError).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`${join(repo, '.mcp.json')} sets MCP server "a" (runs a)`);
    expect(message).toContain(`${join(cwd, 'salvo.json')} sets approval "yolo"`);
    expect(message).toMatch(/--trust-project$/);
  });

  it('asks once for both folders, remembers yes for each, and applies everything', async () => {
    const { io, stderr } = fakeIo('y');
    const { config } = await loadTrustedConfig({ cwd, home }, io, true);
    expect(stderr()).toContain(`Trust ${repo} and ${cwd} and apply them`);
    expect(config).toEqual({
      approval: 'yolo',
      maxSteps: 2,
      mcpServers: { a: { command: 'a', cwd: repo } },
    });
    const folders = JSON.parse(readFileSync(trustFile(home), 'utf8')).folders;
    expect(folders[repo].trusted).toBe(true);
    expect(folders[cwd].trusted).toBe(true);
    // Asked no more.
    const again = fakeIo();
    await loadTrustedConfig({ cwd, home }, again.io, false);
    expect(again.stderr()).toBe('');
  });

  it('after no, runs without those settings and says so for each file, then and later', async () => {
    const { io, stderr } = fakeIo('n');
    const { config } = await loadTrustedConfig({ cwd, home }, io, true);
    expect(config).toEqual({ maxSteps: 2 });
    expect(stderr()).toContain(`salvo: warning: ${join(repo, '.mcp.json')} is not applied in full`);
    expect(stderr()).toContain(`salvo: warning: ${join(cwd, 'salvo.json')} is not applied in full`);
    const later = fakeIo();
    expect((await loadTrustedConfig({ cwd, home }, later.io, false)).config).toEqual({
      maxSteps: 2,
    });
    expect(later.stderr()).toContain('is not applied in full');
  });

  it("fills in .mcp.json variables from the io's environment and writes the loader's warnings", async () => {
    writeFileSync(
      join(repo, '.mcp.json'),
      JSON.stringify({
        mcpServers: {
          a: { command: 'a', env: { KEY: '${TOKEN}' } },
          b: { command: 'b', env: { KEY: '${MISSING}' } },
        },
      }),
    );
    const { io, stderr } = fakeIo();
    const { config } = await loadTrustedConfig({ cwd, home, trustProject: true }, io, false);
    expect(config.mcpServers).toEqual({ a: { command: 'a', env: { KEY: 'secret' }, cwd: repo } });
    expect(stderr()).toContain('salvo: warning: ');
    expect(stderr()).toContain('MCP server "b" is not started: it uses ${MISSING}');
  });
});
