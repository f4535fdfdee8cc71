import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { errorCode, runTool, tempDir, textOf } from './test-support.js';
import { decodeUtf8 } from './text-file.js';

let root: string;
let tools: Tool[];
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir('salvo-text-file-');
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  tools = builtinTools({ root, sandbox: 'off' });
});

afterEach(() => cleanup());

/** A Latin-1 file: `é` is the single byte 0xE9, never valid UTF-8 on its own. */
const latin1 = Buffer.from(
  ['caf\xe9 = 1', ...Array.from({ length: 20 }, (_, i) => `line ${i}`), 'target = 0', ''].join(
    '\n',
  ),
  'latin1',
);

describe('files that are not UTF-8', () => {
  it('edit_file refuses them and leaves every byte as it was', async () => {
    await writeFile(join(root, 'a.cfg'), latin1);
    const result = await runTool(tools, 'edit_file', {
      path: 'a.cfg',
      old_string: 'target = 0',
      new_string: 'target = 1',
    });
    expect(errorCode(result)).toBe('binary-file');
    expect(textOf(result)).toContain('`a.cfg` is not UTF-8 text');
    expect(textOf(result)).toContain('offset 3');
    expect(textOf(result)).toContain('write_file');
    expect(await readFile(join(root, 'a.cfg'))).toEqual(latin1);
  });

  it('read_file refuses them with the way to read them instead', async () => {
    await writeFile(join(root, 'a.cfg'), latin1);
    const result = await runTool(tools, 'read_file', { path: 'a.cfg' });
    expect(errorCode(result)).toBe('binary-file');
    expect(textOf(result)).toContain('iconv -f latin1 -t utf-8 a.cfg');
  });

  it('a UTF-8 file with a byte order mark keeps it through an edit', async () => {
    const text = '\ufeffcafé = 1\ntarget = 0\n';
    await writeFile(join(root, 'bom.txt'), text, 'utf8');
    const result = await runTool(tools, 'edit_file', {
      path: 'bom.txt',
      old_string: 'target = 0',
      new_string: 'target = 1',
    });
    expect(result.status).toBe('success');
    expect(await readFile(join(root, 'bom.txt'), 'utf8')).toBe('\ufeffcafé = 1\ntarget = 1\n');
  });
});

describe('decodeUtf8', () => {
  it('property: decodes exactly the bytes that are valid UTF-8, and round-trips them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = decodeUtf8(bytes);
        const valid = Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8').equals(
          Buffer.from(bytes),
        );
        expect(text !== undefined).toBe(valid);
        if (text !== undefined) expect(Buffer.from(text, 'utf8')).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(decodeUtf8(Buffer.from(text, 'utf8'))).toBe(text);
      }),
    );
  });
});
