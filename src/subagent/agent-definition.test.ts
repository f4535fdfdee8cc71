import { describe, expect, it } from 'vitest';
import { maxAgentDefinitionBytes, parseAgentDefinition } from './agent-definition.js';

const file = '/p/.salvo/agents/reviewer.md';

function parse(text: string) {
  return parseAgentDefinition(text, file);
}

function problemOf(text: string) {
  const result = parse(text);
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.definition)}`);
  return result.problem;
}

function definitionOf(text: string) {
  const result = parse(text);
  if (!result.ok) throw new Error(`expected a definition, got ${JSON.stringify(result.problem)}`);
  return result.definition;
}

const valid = (frontmatter: string, body = 'You review code.\n') =>
  `---\nname: reviewer\ndescription: Reviews diffs\n${frontmatter}---\n${body}`;

describe('parseAgentDefinition', () => {
  it('reads a file with every field', () => {
    const text = [
      '---',
      'name: code-reviewer_2',
      'description: >-',
      '  Use after a change to review it',
      '  for bugs.',
      'tools:',
      '  - read_file',
      '  - grep',
      'model: claude-sonnet-4-5',
      'maxTurns: 12',
      'timeoutMs: 60000',
      '---',
      '',
      '# Reviewer',
      '',
      'You review code.',
      '',
    ].join('\n');
    const result = parse(text);
    expect(result).toEqual({
      ok: true,
      warnings: [],
      definition: {
        name: 'code-reviewer_2',
        description: 'Use after a change to review it for bugs.',
        prompt: '# Reviewer\n\nYou review code.',
        tools: ['read_file', 'grep'],
        model: 'claude-sonnet-4-5',
        maxTurns: 12,
        timeoutMs: 60000,
        source: file,
      },
    });
  });

  it('leaves optional fields absent, and treats an empty value as absent', () => {
    const definition = definitionOf(valid('model:\ntools:\n'));
    expect(definition).toEqual({
      name: 'reviewer',
      description: 'Reviews diffs',
      prompt: 'You review code.',
      source: file,
    });
    expect('tools' in definition).toBe(false);
  });

  it('accepts tools as a comma-separated string, trimmed, without repeats', () => {
    expect(definitionOf(valid('tools: read_file, grep ,glob,grep\n')).tools).toEqual([
      'read_file',
      'grep',
      'glob',
    ]);
    expect(definitionOf(valid('tools: read_file\n')).tools).toEqual(['read_file']);
  });

  it('accepts tools as a flow list and an empty list (no tools)', () => {
    expect(definitionOf(valid('tools: [read_file, mcp__fs__read]\n')).tools).toEqual([
      'read_file',
      'mcp__fs__read',
    ]);
    expect(definitionOf(valid('tools: []\n')).tools).toEqual([]);
  });

  it('accepts CRLF line ends, a BOM and trailing spaces on the fences', () => {
    const text = '\uFEFF--- \r\nname: a\r\ndescription: b\r\n---\t\r\nBody\r\n';
    expect(definitionOf(text)).toMatchObject({ name: 'a', description: 'b', prompt: 'Body' });
  });

  it('keeps a later --- line in the body', () => {
    const definition = definitionOf(valid('', 'Part one\n---\nPart two\n'));
    expect(definition.prompt).toBe('Part one\n---\nPart two');
  });

  it('warns about unknown fields but loads the definition', () => {
    const result = parse(valid('color: blue\nmax_turns: 3\n'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.name).toBe('reviewer');
    expect(result.warnings).toEqual([
      { file, field: 'color', message: 'unknown field, ignored' },
      { file, field: 'max_turns', message: 'unknown field, ignored' },
    ]);
  });

  describe('invalid fields', () => {
    const cases: [string, string, string, string][] = [
      // [title, text, field, message fragment]
      ['missing name', '---\ndescription: d\n---\nBody\n', 'name', 'required field is missing'],
      ['empty name', '---\nname:\ndescription: d\n---\nBody\n', 'name', 'required field'],
      [
        'name with a space',
        '---\nname: code reviewer\ndescription: d\n---\nBody\n',
        'name',
        `expected letters, digits, '_' or '-' (1 to 64 of them), got "code reviewer"`,
      ],
      [
        'name too long',
        `---\nname: ${'a'.repeat(65)}\ndescription: d\n---\nBody\n`,
        'name',
        'expected letters',
      ],
      ['name a number', '---\nname: 42\ndescription: d\n---\nBody\n', 'name', 'got 42'],
      ['missing description', '---\nname: a\n---\nBody\n', 'description', 'required field'],
      [
        'blank description',
        '---\nname: a\ndescription: "  "\n---\nBody\n',
        'description',
        'expected a non-empty string, got "  "',
      ],
      [
        'description a list',
        '---\nname: a\ndescription: [x]\n---\nBody\n',
        'description',
        'got a list of 1',
      ],
      ['tools a number', valid('tools: 3\n'), 'tools', 'expected a list of tool names'],
      ['tools a mapping', valid('tools: {a: 1}\n'), 'tools', 'got a mapping'],
      ['tools an empty string', valid('tools: " , "\n'), 'tools', 'got an empty string'],
      ['tools with a number', valid('tools: [read_file, 7]\n'), 'tools', 'got 7'],
      [
        'tools separated by spaces',
        valid('tools: read_file grep\n'),
        'tools',
        'got "read_file grep"',
      ],
      ['tools with an empty name', valid('tools: ["", grep]\n'), 'tools', 'got ""'],
      ['model a number', valid('model: 4\n'), 'model', 'expected a non-empty model id, got 4'],
      ['model blank', valid('model: " "\n'), 'model', 'expected a non-empty model id'],
      [
        'maxTurns a word',
        valid('maxTurns: three\n'),
        'maxTurns',
        'expected a whole number from 1 and up, got "three"',
      ],
      ['maxTurns a quoted number', valid('maxTurns: "3"\n'), 'maxTurns', 'got "3"'],
      ['maxTurns zero', valid('maxTurns: 0\n'), 'maxTurns', 'got 0'],
      ['maxTurns a fraction', valid('maxTurns: 2.5\n'), 'maxTurns', 'got 2.5'],
      ['maxTurns infinite', valid('maxTurns: .inf\n'), 'maxTurns', 'got Infinity'],
      [
        'timeoutMs too large',
        valid('timeoutMs: 2147483648\n'),
        'timeoutMs',
        'expected a whole number of milliseconds from 1 to 2147483647, got 2147483648',
      ],
      ['timeoutMs negative', valid('timeoutMs: -5\n'), 'timeoutMs', 'got -5'],
      ['timeoutMs a fraction', valid('timeoutMs: 10.5\n'), 'timeoutMs', 'got 10.5'],
      ['timeoutMs a string', valid('timeoutMs: 30s\n'), 'timeoutMs', 'got "30s"'],
    ];
    it.each(cases)('%s', (_title, text, field, fragment) => {
      const problem = problemOf(text);
      expect(problem.file).toBe(file);
      expect(problem.field).toBe(field);
      expect(problem.message).toContain(fragment);
    });
  });

  it('reports missing frontmatter', () => {
    for (const text of ['# Just Markdown\n', '', '\n---\nname: a\ndescription: b\n---\nBody']) {
      const problem = problemOf(text);
      expect(problem).toEqual({
        file,
        message: expect.stringContaining('expected YAML frontmatter'),
      });
    }
  });

  it('reports frontmatter that is never closed', () => {
    expect(problemOf('---\nname: a\ndescription: b\nBody\n').message).toContain('never closed');
  });

  it('reports broken YAML with its line in the file', () => {
    const problem = problemOf('---\nname: a\ndescription: [unclosed\nmodel: x\n---\nBody\n');
    expect(problem.field).toBeUndefined();
    expect(problem.message).toMatch(/^invalid YAML at line \d+, column \d+: /);
    const other = problemOf('---\nname: a\nname: b\ndescription: d\n---\nBody\n');
    expect(other.message).toMatch(/^invalid YAML at line 3, column 1: Map keys must be unique/);
  });

  it('reports an alias to nothing and frontmatter that is not a mapping', () => {
    expect(problemOf('---\nname: *nowhere\ndescription: d\n---\nBody\n').message).toMatch(
      /^invalid YAML/,
    );
    expect(problemOf('---\n- a\n- b\n---\nBody\n').message).toBe(
      'expected the frontmatter to be a mapping of fields, got a list of 2',
    );
    expect(problemOf('---\njust text\n---\nBody\n').message).toContain('got "just text"');
    expect(problemOf('---\n---\nBody\n')).toMatchObject({ field: 'name' });
  });

  it('reports an empty body: there is no prompt', () => {
    for (const body of ['', '\n  \n\t\n']) {
      const problem = problemOf(valid('', body));
      expect(problem.field).toBeUndefined();
      expect(problem.message).toContain('body after the frontmatter is empty');
    }
  });

  it('refuses text over 1 MB', () => {
    const problem = problemOf(valid('', 'x'.repeat(maxAgentDefinitionBytes)));
    expect(problem.message).toContain('larger than');
  });

  it('never throws for content', () => {
    const texts = [
      '---\n: : :\n---\n',
      '---\n!!binary x\n---\nb',
      '---\n&a [*a]\n---\nb',
      `---\n${'a: &a [1]\n'}b: [${Array(200).fill('*a').join(',')}]\n---\nb`,
      '---\n\0\n---\n',
      '---\n"\n---\n',
    ];
    for (const text of texts) {
      expect(() => parse(text)).not.toThrow();
      expect(parse(text).ok).toBe(false);
    }
  });

  it('passes YAML warnings on and reports odd keys as unknown fields', () => {
    const result = parse('---\nname: !!js/function f\ndescription: d\n? [a, b]\n: 1\n---\nb');
    expect(result).toMatchObject({ ok: true, definition: { name: 'f' } });
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      {
        file,
        message: 'YAML at line 2, column 7: Unresolved tag: tag:yaml.org,2002:js/function',
      },
      { file, field: '[ a, b ]', message: 'unknown field, ignored' },
    ]);
  });

  it('rejects a top-level binary scalar or a __proto__ trick', () => {
    expect(problemOf('---\n!!binary x\n---\nb').message).toContain('got binary data');
    expect(problemOf('---\n__proto__: {name: x}\ndescription: d\n---\nb').field).toBe('name');
  });
});
