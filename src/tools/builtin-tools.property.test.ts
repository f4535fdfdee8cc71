import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { ToolCall } from '../tool/call.js';
import { builtinTools } from './builtin-tools.js';
import { tempDir, textOf, writeTree } from './test-support.js';

// Random turns of reads, writes and edits on a few files. Under salvo (everything that does not
// conflict runs at once) they must give exactly what running them one by one, in call order,
// gives on a copy of the same tree: the same file contents and the same result for every call.

const files = ['a.txt', 'b.txt', 'd/c.txt'] as const;
const words = ['foo', 'bar', 'baz', 'x'];

const text = fc
  .array(fc.constantFrom(...words), { maxLength: 5 })
  .map((lines) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`));
const fragment = fc.constantFrom('foo', 'bar', 'baz', 'x', 'foo\nbar', 'o', 'missing');
const path = fc.constantFrom(...files);

const call: fc.Arbitrary<Omit<ToolCall, 'id'>> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      name: fc.constant('read_file'),
      input: fc.oneof(
        fc.record({ path }),
        fc.record({
          path,
          offset: fc.integer({ min: 1, max: 3 }),
          limit: fc.integer({ min: 1, max: 2 }),
        }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('write_file'),
      input: fc.record({ path, content: text }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      name: fc.constant('edit_file'),
      input: fc.record({
        path,
        old_string: fragment,
        new_string: fc.constantFrom('', 'qux', 'foo', 'x\ny', 'bar'),
        replace_all: fc.boolean(),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.constantFrom('grep'),
      input: fc.record({
        pattern: fc.constantFrom('foo|qux', '^x$', 'ba.'),
        path: fc.constantFrom('.', 'd'),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({
        name: fc.constant('list_dir'),
        input: fc.record({ path: fc.constantFrom('.', 'd') }),
      }),
      fc.record({
        name: fc.constant('glob'),
        input: fc.record({ pattern: fc.constant('**/*.txt') }),
      }),
    ),
  },
);

const scenario = fc.record({
  initial: fc.record({
    'a.txt': text,
    'b.txt': text,
    'd/c.txt': fc.option(text, { nil: undefined }),
  }),
  calls: fc.array(call, { minLength: 1, maxLength: 12 }),
});

/** Every file under `root` with its content (temp files left behind would show up here). */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[full.slice(root.length + 1)] = await readFile(full, 'utf8');
  }
  return out;
}

describe('built-in tools under the scheduler (property)', () => {
  it('give the same contents and results as running the calls one by one in order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ initial, calls }) => {
        const parallel = await tempDir('salvo-prop-');
        const oracle = await tempDir('salvo-prop-');
        try {
          const start = Object.fromEntries(
            Object.entries(initial).filter((e): e is [string, string] => e[1] !== undefined),
          );
          await writeTree(parallel.dir, start);
          await writeTree(oracle.dir, start);
          const turn = calls.map((c, i) => ({ ...c, id: `c${i}` }));

          const scheduler = new Scheduler({
            tools: builtinTools({ root: await realpath(parallel.dir), shell: false }),
            approvalMode: 'yolo',
          });
          const { results } = await scheduler.run(turn);

          // One by one, and searching without ripgrep: the answers must not depend on it either.
          const oneByOne = new Scheduler({
            tools: builtinTools({ root: await realpath(oracle.dir), shell: false, ripgrep: false }),
            approvalMode: 'yolo',
          });
          const expected = [];
          for (const c of turn) expected.push(...(await oneByOne.run([c])).results);

          const view = (r: (typeof results)[number]) => ({
            id: r.id,
            status: r.status,
            text: textOf(r),
          });
          expect(results.map(view)).toEqual(expected.map(view));
          expect(await snapshot(parallel.dir)).toEqual(await snapshot(oracle.dir));
        } finally {
          await parallel.cleanup();
          await oracle.cleanup();
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
