import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLineRange } from './read-range.js';
import { tempDir } from './test-support.js';
import { formatBytes } from './text-file.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** The whole text in memory, split and cut: what a streamed read must give. */
function reference(
  text: string,
  o: { name: string; offset: number; limit: number; maxBytes: number; maxLineLength: number },
): string {
  if (text === '') return `(\`${o.name}\` is empty)`;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const total = lines.length;
  if (o.offset > total) {
    return `error: offset ${o.offset} is past the end of \`${o.name}\`, which has ${total} line${total === 1 ? '' : 's'}.`;
  }
  const out: string[] = [];
  let bytes = 0;
  let cut = false;
  let shown = o.offset - 1;
  for (let i = o.offset - 1; i < Math.min(total, o.offset - 1 + o.limit); i++) {
    let line = (lines[i] as string).replace(/\r$/, '');
    if (line.length > o.maxLineLength) {
      line = `${line.slice(0, o.maxLineLength)}… [${line.length - o.maxLineLength} more characters]`;
    }
    const rendered = `${i + 1}\t${line}`;
    const size = Buffer.byteLength(rendered) + 1;
    if (out.length > 0 && bytes + size > o.maxBytes) {
      cut = true;
      break;
    }
    out.push(rendered);
    bytes += size;
    shown = i + 1;
  }
  if (shown < total) {
    const why = cut ? ` (output capped at ${formatBytes(o.maxBytes)})` : '';
    out.push(
      `[Lines ${o.offset}-${shown} of ${total}${why}. To read on, call read_file with offset: ${shown + 1}.]`,
    );
  }
  return out.join('\n');
}

async function streamed(
  bytes: Buffer,
  o: Parameters<typeof reference>[1] & { chunkBytes: number; countLinesUpTo: number },
): Promise<string> {
  const path = join(dir, 'f.txt');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try {
    return await readLineRange({ fd, size: bytes.length, ...o });
  } catch (error) {
    return `error: ${(error as Error).message}`;
  } finally {
    closeSync(fd);
  }
}

const piece = fc.constantFrom('a', 'é', '😀', '\r', '\n', '\r\n', 'xyz', ' ', '\uFFFD');

describe('readLineRange', () => {
  it('gives what splitting the whole text gives, whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        fc.record({
          name: fc.constant('f.txt'),
          offset: fc.integer({ min: 1, max: 12 }),
          limit: fc.integer({ min: 1, max: 12 }),
          maxBytes: fc.integer({ min: 1, max: 60 }),
          maxLineLength: fc.integer({ min: 1, max: 8 }),
          chunkBytes: fc.integer({ min: 1, max: 9 }),
        }),
        async (text, o) => {
          const bytes = Buffer.from(text, 'utf8');
          const whole = reference(text, o);
          expect(await streamed(bytes, { ...o, countLinesUpTo: Number.POSITIVE_INFINITY })).toBe(
            whole,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a multibyte character split across chunks; refuses bytes that are not UTF-8', async () => {
    const good = Buffer.from('aé😀\nb\n');
    const bad = Buffer.concat([
      Buffer.from('aé😀'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('\nb\n'),
    ]);
    const o = { name: 'f.txt', offset: 1, limit: 5, maxBytes: 1000, maxLineLength: 100 };
    for (const chunkBytes of [1, 2, 3, 5]) {
      const read = (bytes: Buffer) =>
        streamed(bytes, { ...o, chunkBytes, countLinesUpTo: Number.POSITIVE_INFINITY });
      expect(await read(good)).toBe('1\taé😀\n2\tb');
      expect(await read(bad)).toMatch(
        /^error: `f\.txt` is not UTF-8 text \(its first invalid byte is at offset 7\).*iconv -f latin1 -t utf-8 f\.txt/,
      );
    }
  });

  it('property: names the offset of the first byte that is not UTF-8, whatever the chunk size', async () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0x80],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        invalid,
        fc.array(piece, { maxLength: 10 }).map((p) => p.join('')),
        fc.integer({ min: 1, max: 9 }),
        async (before, wrong, after, chunkBytes) => {
          const head = Buffer.from(before);
          // A lone lead byte is only invalid when what follows is not its continuation.
          const tail = Buffer.from(`\n${after}`);
          const bytes = Buffer.concat([head, Buffer.from(wrong), tail]);
          const o = { name: 'f.txt', offset: 1, limit: 3, maxBytes: 1000, maxLineLength: 100 };
          const result = await streamed(bytes, { ...o, chunkBytes, countLinesUpTo: Infinity });
          expect(result).toContain(`its first invalid byte is at offset ${head.length})`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops once the range is shown in a file over countLinesUpTo, saying its size instead', async () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n');
    const o = { name: 'f.txt', offset: 3, limit: 2, maxBytes: 1000, maxLineLength: 100 };
    expect(await streamed(Buffer.from(text), { ...o, chunkBytes: 16, countLinesUpTo: 100 })).toBe(
      '3\tline 3\n4\tline 4\n[Lines 3-4 of a file of 791 bytes. To read on, call read_file with offset: 5.]',
    );
    // Read to its end anyway, it knows how many lines there are.
    expect(
      await streamed(Buffer.from(text), { ...o, offset: 99, chunkBytes: 16, countLinesUpTo: 100 }),
    ).toBe('99\tline 99\n100\tline 100');
  });
});
