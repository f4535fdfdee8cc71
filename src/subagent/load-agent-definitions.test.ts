import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors.js';
import { maxAgentDefinitionBytes } from './agent-definition.js';
import { loadAgentDefinitions } from './load-agent-definitions.js';

let root: string;
let projectDir: string;
let homeDir: string;
let projectAgents: string;
let homeAgents: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'salvo-agents-')));
  projectDir = join(root, 'project');
  homeDir = join(root, 'home');
  projectAgents = join(projectDir, '.salvo', 'agents');
  homeAgents = join(homeDir, '.salvo', 'agents');
  await mkdir(projectDir, { recursive: true });
  await mkdir(homeDir, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content: string | Buffer): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

const agent = (name: string, extra = '', body = `You are ${name}.`) =>
  `---\nname: ${name}\ndescription: The ${name} agent\n${extra}---\n${body}\n`;

const load = () => loadAgentDefinitions({ projectDir, homeDir });

describe('loadAgentDefinitions', () => {
  it('returns nothing when neither folder exists', async () => {
    expect(await load()).toEqual({ definitions: [], problems: [] });
  });

  it('treats a file where the folder should be as a missing folder', async () => {
    await put(join(projectDir, '.salvo'), 'not a folder');
    expect(await load()).toEqual({ definitions: [], problems: [] });
  });

  it('loads project and home definitions, sorted by name', async () => {
    const reviewer = await put(
      join(projectAgents, 'reviewer.md'),
      agent('reviewer', 'tools: [read_file, grep]\nmaxTurns: 5\n'),
    );
    const planner = await put(join(homeAgents, 'planner.md'), agent('planner', 'model: m-1\n'));
    const { definitions, problems } = await load();
    expect(problems).toEqual([]);
    expect(definitions).toEqual([
      {
        name: 'planner',
        description: 'The planner agent',
        prompt: 'You are planner.',
        model: 'm-1',
        source: planner,
      },
      {
        name: 'reviewer',
        description: 'The reviewer agent',
        prompt: 'You are reviewer.',
        tools: ['read_file', 'grep'],
        maxTurns: 5,
        source: reviewer,
      },
    ]);
  });

  it('lets a project definition override a home definition of the same name, silently', async () => {
    const mine = await put(join(projectAgents, 'a.md'), agent('reviewer', '', 'Project prompt'));
    await put(join(homeAgents, 'b.md'), agent('reviewer', '', 'Home prompt'));
    const { definitions, problems } = await load();
    expect(problems).toEqual([]);
    expect(definitions).toHaveLength(1);
    expect(definitions[0]).toMatchObject({ prompt: 'Project prompt', source: mine });
  });

  it('keeps the first of two files with the same name in one folder and reports the second', async () => {
    const first = await put(join(projectAgents, 'a-reviewer.md'), agent('reviewer', '', 'First'));
    const second = await put(join(projectAgents, 'b-reviewer.md'), agent('reviewer', '', 'Second'));
    const { definitions, problems } = await load();
    expect(definitions).toHaveLength(1);
    expect(definitions[0]).toMatchObject({ prompt: 'First', source: first });
    expect(problems).toEqual([
      {
        file: second,
        field: 'name',
        message: `"reviewer" is already defined by ${first}; this file is skipped`,
      },
    ]);
  });

  it('reports invalid files with file and field, and loads the rest', async () => {
    const bad = await put(join(projectAgents, 'bad.md'), agent('bad', 'maxTurns: three\n'));
    const broken = await put(join(projectAgents, 'broken.md'), '---\nname: [x\n---\nBody\n');
    const plain = await put(join(homeAgents, 'plain.md'), '# No frontmatter\n');
    await put(join(projectAgents, 'good.md'), agent('good'));
    const { definitions, problems } = await load();
    expect(definitions.map((d) => d.name)).toEqual(['good']);
    expect(problems).toEqual([
      {
        file: bad,
        field: 'maxTurns',
        message: 'expected a whole number from 1 and up, got "three"',
      },
      { file: broken, message: expect.stringMatching(/^invalid YAML at line \d+, column \d+: /) },
      { file: plain, message: expect.stringContaining('expected YAML frontmatter') },
    ]);
  });

  it('reports unknown fields but still loads the definition', async () => {
    const file = await put(join(projectAgents, 'r.md'), agent('reviewer', 'color: red\n'));
    const { definitions, problems } = await load();
    expect(definitions.map((d) => d.name)).toEqual(['reviewer']);
    expect(problems).toEqual([{ file, field: 'color', message: 'unknown field, ignored' }]);
  });

  it('ignores files that do not end in .md, and folders that do', async () => {
    await put(join(projectAgents, 'notes.txt'), 'not an agent');
    await put(join(projectAgents, 'reviewer.md.bak'), agent('old'));
    await put(join(projectAgents, 'README'), '# hi');
    await put(join(projectAgents, 'nested.md', 'inner.md'), agent('inner'));
    await put(join(projectAgents, 'real.md'), agent('real'));
    const { definitions, problems } = await load();
    expect(definitions.map((d) => d.name)).toEqual(['real']);
    expect(problems).toEqual([]);
  });

  it('refuses files over 1 MB', async () => {
    const big = await put(
      join(projectAgents, 'big.md'),
      agent('big', '', 'x'.repeat(maxAgentDefinitionBytes)),
    );
    const { definitions, problems } = await load();
    expect(definitions).toEqual([]);
    expect(problems).toEqual([{ file: big, message: expect.stringContaining('refused') }]);
  });

  it('reads the folder once when the project is the home folder', async () => {
    await put(join(projectAgents, 'a.md'), agent('a'));
    await put(join(projectAgents, 'b.md'), agent('b', 'extra: 1\n'));
    const result = await loadAgentDefinitions({ projectDir, homeDir: projectDir });
    expect(result.definitions.map((d) => d.name)).toEqual(['a', 'b']);
    expect(result.problems).toHaveLength(1);
  });

  it('follows a symlinked definition and reports a dangling one', async () => {
    const target = await put(join(root, 'shared', 'shared.md'), agent('shared'));
    await mkdir(projectAgents, { recursive: true });
    await symlink(target, join(projectAgents, 'shared.md'));
    await symlink(join(root, 'missing.md'), join(projectAgents, 'dangling.md'));
    const { definitions, problems } = await load();
    expect(definitions.map((d) => d.name)).toEqual(['shared']);
    expect(problems).toEqual([
      {
        file: join(projectAgents, 'dangling.md'),
        message: expect.stringContaining('cannot read the file'),
      },
    ]);
  });

  it('reports a folder that cannot be read', async () => {
    await mkdir(join(projectDir, '.salvo'), { recursive: true });
    await symlink(projectAgents, projectAgents); // a loop: ELOOP, even for root
    const { definitions, problems } = await load();
    expect(definitions).toEqual([]);
    expect(problems).toEqual([
      { file: projectAgents, message: expect.stringContaining('cannot read the folder') },
    ]);
  });

  it('defaults to the working folder', async () => {
    await put(join(projectAgents, 'a.md'), agent('from-cwd'));
    const cwd = process.cwd();
    process.chdir(projectDir);
    try {
      const { definitions } = await loadAgentDefinitions({ homeDir });
      expect(definitions.map((d) => d.name)).toEqual(['from-cwd']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('throws InvalidOptionError for bad options', async () => {
    await expect(loadAgentDefinitions({ projectDir: '' })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(loadAgentDefinitions({ homeDir: 3 as unknown as string })).rejects.toThrow(
      /homeDir/,
    );
    await expect(
      loadAgentDefinitions(null as unknown as { projectDir?: string }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
