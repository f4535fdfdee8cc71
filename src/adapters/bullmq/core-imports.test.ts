// The core never loads bullmq or ioredis: they are optional peers, only `salvo/bullmq` needs them.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module `entry` imports, statically or dynamically, and the packages they name. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = match[1] as string;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else
        packages.add(
          spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : (spec.split('/')[0] as string),
        );
    }
  };
  visit(entry);
  return { files, packages };
}

it('keeps bullmq and ioredis out of everything src/index.ts loads', () => {
  const { files, packages } = importGraph(resolve(src, 'index.ts'));
  expect(files.size).toBeGreaterThan(20);
  expect(packages.has('zod')).toBe(true); // the scan does see packages
  expect([...packages].filter((p) => p === 'bullmq' || p === 'ioredis')).toEqual([]);
  expect([...files].filter((f) => f.includes('/adapters/bullmq/'))).toEqual([]);
});

it('finds them from salvo/bullmq', () => {
  const { packages } = importGraph(resolve(src, 'adapters/bullmq/index.ts'));
  expect(packages.has('bullmq')).toBe(true);
  expect(packages.has('ioredis')).toBe(true);
});
