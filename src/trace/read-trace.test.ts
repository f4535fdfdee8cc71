import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../cli/cli-error.js';
import { traceCommand } from '../cli/commands/trace.js';
import type { CliIo } from '../cli/io.js';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import type { TurnTrace } from './call-trace.js';
import { toChromeTrace } from './chrome-trace.js';
import { renderHtmlReport } from './html-report.js';
import { parseTrace, readTrace, TraceFileError } from './read-trace.js';
import { renderTimeline, timelineOrder } from './render-timeline.js';
import { summarizeRun } from './summarize-run.js';
import { writeTrace } from './write-trace.js';

const dir = await mkdtemp(join(tmpdir(), 'salvo-read-trace-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function sampleTurns() {
  const hostile = '</template><script>alert(1)</script> https://x';
  const t = defineTool({ name: 't', description: '', input: {}, claims: [], execute: () => 'x' });
  const bad = defineTool({
    name: 'bad',
    description: '',
    input: {},
    claims: [],
    execute: () => {
      throw new Error(hostile);
    },
  });
  const scheduler = new Scheduler({ tools: [t, bad] });
  const one = await scheduler.run([{ id: 'a', name: 't', input: {} }]);
  const two = await scheduler.run([{ id: hostile, name: 'bad', input: {} }], {
    path: ['reviewer#1'],
  });
  return [one.trace, two.trace];
}

describe('readTrace', () => {
  it('reads back exactly the turns written to HTML and to Chrome JSON', async () => {
    const turns = await sampleTurns();
    const expected = turns;
    for (const name of ['run.html', 'run.json']) {
      await writeTrace(join(dir, name), turns);
      expect(await readTrace(join(dir, name))).toEqual(expected);
    }
    await writeFile(join(dir, 'plain.json'), JSON.stringify(turns));
    expect(await readTrace(join(dir, 'plain.json'))).toEqual(expected);
  });

  it('says what is wrong with a file that is not a salvo trace', async () => {
    await writeFile(join(dir, 'broken.json'), '{"traceEvents": [');
    await writeFile(join(dir, 'other.json'), '{"traceEvents": []}');
    await writeFile(join(dir, 'page.html'), '<!doctype html><p>hi</p>');
    await writeFile(join(dir, 'wrong.json'), '[{"turnId": "x"}]');
    await writeFile(join(dir, 'empty.json'), '[]');
    await writeFile(
      join(dir, 'no-turns.json'),
      '{"traceEvents": [], "otherData": {"salvoTurns": []}}',
    );
    const cases: [string, RegExp][] = [
      ['missing.json', /missing\.json: cannot read the trace: no such file/],
      ['broken.json', /broken\.json: not valid JSON/],
      ['other.json', /Chrome trace without salvo turns/],
      ['page.html', /not a salvo HTML report/],
      ['wrong.json', /wrong\.json: turns\[0\]\.turnId: expected a number, got `"x"` \(string\)$/],
      ['empty.json', /empty\.json: the trace holds no turns$/],
      ['no-turns.json', /no-turns\.json: the trace holds no turns$/],
    ];
    for (const [name, message] of cases) {
      const error = await readTrace(join(dir, name)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraceFileError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('names the first field that is wrong, and what it should be', async () => {
    const turns = JSON.parse(JSON.stringify(await sampleTurns())) as Json[];
    const edits: [string, (t: Json[]) => void, RegExp][] = [
      [
        'a call without waitedFor',
        (t) => delete at(t, [1, 'calls', 0]).waitedFor,
        /^x\.json: turns\[1\]\.calls\[0\]\.waitedFor: expected an array of call ids, got nothing$/,
      ],
      [
        'a path of numbers',
        (t) => {
          at(t, [0]).path = [5];
        },
        /^x\.json: turns\[0\]\.path\[0\]: expected an agent name \(a string\), got `5` \(number\)$/,
      ],
      [
        'an unknown status',
        (t) => {
          at(t, [0, 'calls', 0]).status = 'done';
        },
        /turns\[0\]\.calls\[0\]\.status: expected one of 'success', 'error', .*, got `"done"`/,
      ],
      [
        'a null where a number is optional',
        (t) => {
          at(t, [0, 'calls', 0]).startedAt = null;
        },
        /turns\[0\]\.calls\[0\]\.startedAt: expected a number, got `null`$/,
      ],
      [
        'a parent without its call',
        (t) => {
          at(t, [1]).parent = { turnId: 1 };
        },
        /turns\[1\]\.parent\.callId: expected a call id \(a string\), got nothing$/,
      ],
      [
        'a limit that is not a number',
        (t) => {
          at(t, [0, 'limits']).global = '4';
        },
        /turns\[0\]\.limits\["global"\]: expected a number, or null for no limit, got `"4"`/,
      ],
      [
        'a summary without its waits',
        (t) => delete at(t, [0, 'summary']).waits,
        /turns\[0\]\.summary\.waits: expected an object of wait times, got nothing$/,
      ],
      [
        'a turn that is not an object',
        (t) => {
          t[1] = 'turn';
        },
        /turns\[1\]: expected a turn trace \(an object\), got `"turn"` \(string\)$/,
      ],
    ];
    for (const [name, edit, message] of edits) {
      const copy = structuredClone(turns);
      edit(copy);
      expect(() => parseTrace('x.json', JSON.stringify(copy)), name).toThrow(message);
    }
    // JSON has no Infinity, but a number too large for a double parses to one.
    const huge = JSON.stringify(turns).replace(/"queuedAt":[0-9.e+-]+/, '"queuedAt":1e999');
    expect(() => parseTrace('x.json', huge)).toThrow(/turns\[0\]\.calls\[0\]\.queuedAt/);
  });

  it('a mutated trace is read and rendered, or rejected naming where; never a TypeError', async () => {
    const base = JSON.parse(JSON.stringify([...(await sampleTurns()), richTurn()])) as Json[];
    const paths = nodesOf(base, []);
    const value = fc.oneof(
      fc.constantFrom(null, true, false, 0, -1, 1e300, -1e300, 0.5, '', 'x', [], {}, [5], ['a']),
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.array(fc.oneof(fc.string(), fc.integer())),
      fc.dictionary(fc.string(), fc.integer()),
    );
    const mutation = fc.record({
      path: fc.constantFrom(...paths),
      replace: fc.option(value, { nil: undefined }),
    });
    const io = fakeIo();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 120 }),
        async (mutations, width) => {
          const turns = structuredClone(base);
          const applied: string[] = [];
          for (const m of mutations) {
            if (!apply(turns, m.path, m.replace)) continue;
            applied.push(pathName(m.path));
          }
          const text = JSON.stringify(turns);
          let read: TurnTrace[];
          try {
            read = parseTrace('x.json', text);
          } catch (error) {
            expect(error).toBeInstanceOf(TraceFileError);
            const message = (error as Error).message;
            const named = /^x\.json: (turns\[\d+\].*?): expected /.exec(message)?.[1];
            expect(named, message).toBeDefined();
            // Indices left out: deleting an array element moves the ones after it.
            const shape = (p: string) => p.replace(/\[\d+\]/g, '[]');
            const related = (a: string, b: string) =>
              a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
            const where = shape(named as string);
            expect(
              applied.map(shape).some((p) => related(p, where) || related(where, p)),
              `${message} after ${applied.join(', ')}`,
            ).toBe(true);
            return;
          }
          checkBarWidths(read, width);
          summarizeRun(read);
          toChromeTrace(read);
          renderHtmlReport(read);
          const file = join(dir, `mutated-${run++}.json`);
          await writeFile(file, text);
          io.out.length = 0;
          await expect(traceCommand(file, { width }, io.io)).resolves.toBe(0);
          const turnCount = `${read.length} turn${read.length === 1 ? '' : 's'}`;
          expect(io.out.join('')).toContain(`: ${turnCount}, `);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('salvo trace gives labels the room a wide terminal has, and names the root as the report does', async () => {
    const turns = [richTurn()];
    const long = turns[0]?.calls[0] as TurnTrace['calls'][number];
    long.id = 'correctness_2_4';
    long.name = 'memory__create_relations';
    const file = join(dir, 'wide.json');
    await writeFile(file, JSON.stringify(turns));
    const wide = fakeIo(120);
    await traceCommand(file, {}, wide.io);
    const text = wide.out.join('');
    expect(text).toMatch(/^correctness_2_4 memory__create_relations *\|/m);
    expect(text).toMatch(/^chat claude-x +\|/m);
    // A narrow one cuts the label, never the bars.
    const narrow = fakeIo(60);
    await traceCommand(file, {}, narrow.io);
    expect(narrow.out.join('')).toMatch(/^correctness_2_4 m\S*…\|/m);
    const root = [{ ...richTurn(), path: [], parent: undefined }];
    await writeFile(file, JSON.stringify(root));
    const io = fakeIo(120);
    await traceCommand(file, {}, io.io);
    expect(io.out.join('')).toMatch(/^-- Turn 7 · root$/m);
  });

  it("salvo trace rejects a bad trace with the reader's message, not an internal error", async () => {
    const turns = JSON.parse(JSON.stringify(await sampleTurns())) as Json[];
    delete at(turns, [0, 'calls', 0]).waitedFor;
    const file = join(dir, 'no-waited-for.json');
    await writeFile(file, JSON.stringify(turns));
    const error = await traceCommand(file, {}, fakeIo().io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(
      /turns\[0\]\.calls\[0\]\.waitedFor: expected an array/,
    );
    const wide = await traceCommand(file, { width: 5000 }, fakeIo().io).catch((e: unknown) => e);
    expect((wide as Error).message).toMatch(/--width takes a whole number from 1 to 1000/);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: hand-editing JSON in tests
type Json = any;
type Segment = string | number;

/** The JSON value at `path` under `root`. */
function at(root: Json, path: Segment[]): Json {
  return path.reduce((node, segment) => node[segment], root);
}

/** A turn with every optional field set, and a subagent turn under one of its calls. */
function richTurn(): TurnTrace {
  return {
    turnId: 7,
    path: ['reviewer#1'],
    parent: { turnId: 1, callId: 'a' },
    startedAt: 0,
    endedAt: 9,
    model: {
      provider: 'anthropic',
      model: 'claude-x',
      step: 1,
      queuedAt: 0,
      sentAt: 0.5,
      firstTokenAt: 0.8,
      endedAt: 4,
      limitWaitedOn: 'subagent',
      inputTokens: 120,
      outputTokens: 30,
      finishReason: 'tool-calls',
      retries: 1,
    },
    calls: [
      {
        id: 'r1',
        name: 'read',
        index: 0,
        status: 'success',
        queuedAt: 1,
        admittedAt: 1,
        conflictsClearedAt: 2,
        approvedAt: 2,
        readyAt: 2,
        startedAt: 3,
        endedAt: 9,
        waitedFor: ['a'],
        limitWaitedOn: 'mcp:x',
        limits: ['global', 'mcp:x'],
        exclusive: true,
        slotsYieldedMs: 1,
        sharedWith: 'r0',
        approval: 'approved',
      },
    ],
    limits: { global: 4, 'mcp:x': Infinity },
    summary: {
      wallMs: 8,
      workMs: 6,
      parallelism: 0.75,
      criticalPath: ['r1'],
      criticalPathMs: 6,
      lowerBoundMs: 6,
      efficiency: 0.75,
      waits: { conflictsMs: 1, approvalMs: 1, slotMs: 1 },
    },
  };
}

/** Every path below the list of turns (the turns themselves included). */
function nodesOf(node: Json, path: Segment[]): Segment[][] {
  const paths: Segment[][] = path.length > 0 ? [path] : [];
  if (typeof node !== 'object' || node === null) return paths;
  const keys: Segment[] = Array.isArray(node)
    ? node.map((_: unknown, i: number) => i)
    : Object.keys(node);
  for (const k of keys) paths.push(...nodesOf(node[k], [...path, k]));
  return paths;
}

/** Deletes (`replace` undefined) or replaces the value at `path`; false when it is gone already. */
function apply(root: Json, path: Segment[], replace: unknown): boolean {
  let parent = root;
  for (const segment of path.slice(0, -1)) {
    parent = parent?.[segment];
    if (typeof parent !== 'object' || parent === null) return false;
  }
  const last = path.at(-1) as Segment;
  if (!(last in parent)) return false;
  if (replace !== undefined) parent[last] = structuredClone(replace);
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return true;
}

/** `path` as the reader names it: `turns[0].calls[1].waitedFor`, `turns[0].limits["global"]`. */
function pathName(path: Segment[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return i === 0 ? `turns[${segment}]` : `[${segment}]`;
      return i === 2 && path[1] === 'limits' ? `[${JSON.stringify(segment)}]` : `.${segment}`;
    })
    .join('');
}

/**
 * Every call's and model request's row has its bars in exactly `width` columns between the
 * axis' two bars; a legend line may follow the rows.
 */
function checkBarWidths(turns: TurnTrace[], width: number): void {
  const lines = renderTimeline(turns, { width, summary: false }).split('\n');
  const calls = turns.reduce((n, t) => n + t.calls.length + (t.model ? 1 : 0), 0);
  if (calls === 0) return;
  const headers = turns.length > 1 || turns.some((t) => t.path.length > 0 || t.model);
  const rows = timelineOrder(turns).flatMap((item) => {
    if (item.kind === 'call') return ['call'];
    const header = headers ? ['header'] : [];
    return item.turn.model && !item.continued ? [...header, 'call'] : header;
  });
  const legend = lines.at(-1)?.startsWith('  █ running') ? 1 : 0;
  expect(lines).toHaveLength(rows.length + 1 + legend);
  expect(lines[0]?.length).toBe(18 + width + 2);
  for (const [i, kind] of rows.entries()) {
    if (kind !== 'call') continue;
    const row = lines[i + 1] as string;
    expect(row[18]).toBe('|');
    expect(row.slice(19, 19 + width)).toMatch(/^[ ·?~\-░▓█]*$/);
    expect(row[19 + width], row).toBe('|');
  }
}

function fakeIo(columns = 100): { io: CliIo; out: string[] } {
  const out: string[] = [];
  const stream = {
    isTTY: false,
    columns,
    write: (chunk: string) => {
      out.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const io = { stdout: stream, stderr: stream, env: {}, cwd: dir, home: dir } as unknown as CliIo;
  return { io, out };
}
