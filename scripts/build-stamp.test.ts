import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildIsCurrent,
  isBuildCurrent,
  isCompiledSource,
  snapshotSources,
  stampFile,
} from './build-stamp.js';

const snapshot = { files: 3, bytes: 120, newestMtimeMs: 1_000_000.5 };

describe('isBuildCurrent', () => {
  it('is current for the snapshot the build was stamped with', () => {
    expect(isBuildCurrent({ ...snapshot }, snapshot)).toBe(true);
  });

  it('is current when no file changed since (older files count as unchanged)', () => {
    expect(isBuildCurrent(snapshot, { ...snapshot, newestMtimeMs: 999_999 })).toBe(true);
  });

  it('is stale when a file was saved after the build began', () => {
    expect(isBuildCurrent(snapshot, { ...snapshot, newestMtimeMs: 1_000_000.6 })).toBe(false);
  });

  it('is stale when a file was added or removed, or one changed size', () => {
    expect(isBuildCurrent(snapshot, { ...snapshot, files: 4 })).toBe(false);
    expect(isBuildCurrent(snapshot, { ...snapshot, files: 2 })).toBe(false);
    expect(isBuildCurrent(snapshot, { ...snapshot, bytes: 121 })).toBe(false);
  });

  it('is stale without a stamp or with one that is not a snapshot', () => {
    for (const stamp of [
      undefined,
      null,
      'stamp',
      42,
      [],
      {},
      { files: '3', bytes: 120, newestMtimeMs: 1_000_000.5 },
      { files: 3, bytes: 120 },
      { files: 3, bytes: 120, newestMtimeMs: Number.POSITIVE_INFINITY },
    ]) {
      expect(isBuildCurrent(stamp, snapshot)).toBe(false);
    }
  });

  it('is current exactly when the sources match the stamp and none is newer', () => {
    const arbitrarySnapshot = fc.record({
      files: fc.nat(500),
      bytes: fc.nat(),
      newestMtimeMs: fc.double({ min: 0, max: 2e12, noNaN: true }),
    });
    fc.assert(
      fc.property(arbitrarySnapshot, arbitrarySnapshot, (stamp, current) => {
        const expected =
          stamp.files === current.files &&
          stamp.bytes === current.bytes &&
          current.newestMtimeMs <= stamp.newestMtimeMs;
        // The stamp goes through JSON on disk: the decision must survive the round trip.
        expect(isBuildCurrent(JSON.parse(JSON.stringify(stamp)), current)).toBe(expected);
      }),
    );
  });
});

describe('isCompiledSource', () => {
  it('leaves out what tsconfig.build.json leaves out: tests and test helpers', () => {
    expect(isCompiledSource('main.ts')).toBe(true);
    expect(isCompiledSource('main.test.ts')).toBe(false);
    expect(isCompiledSource('test-terminal.ts')).toBe(false);
    expect(isCompiledSource('latest-test.ts')).toBe(true);
  });
});

describe('snapshotSources and buildIsCurrent', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function project(): { src: string; dist: string } {
    root = mkdtempSync(join(tmpdir(), 'salvo-stamp-'));
    const src = join(root, 'src');
    mkdirSync(join(src, 'cli'), { recursive: true });
    writeFileSync(join(src, 'index.ts'), 'export {};\n');
    writeFileSync(join(src, 'cli', 'main.ts'), 'export const a = 1;\n');
    writeFileSync(join(src, 'cli', 'main.test.ts'), 'test\n');
    writeFileSync(join(src, 'cli', 'test-helper.ts'), 'helper\n');
    const dist = join(root, 'dist');
    mkdirSync(dist);
    return { src, dist };
  }

  function stamp(src: string, dist: string): void {
    writeFileSync(join(dist, stampFile), JSON.stringify(snapshotSources(src)));
  }

  it('counts the compiled files in every folder, with their size and newest time', () => {
    const { src } = project();
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(src, 'index.ts'), old, old);
    const newest = statSync(join(src, 'cli', 'main.ts')).mtimeMs;
    expect(snapshotSources(src)).toEqual({ files: 2, bytes: 11 + 20, newestMtimeMs: newest });
  });

  it('is not current without a stamp, and current once stamped', () => {
    const { src, dist } = project();
    expect(buildIsCurrent(root)).toBe(false);
    stamp(src, dist);
    expect(buildIsCurrent(root)).toBe(true);
  });

  it('turns stale when a source is saved, added or removed after the build', () => {
    const { src, dist } = project();
    const later = new Date(Date.now() + 60_000);

    stamp(src, dist);
    utimesSync(join(src, 'cli', 'main.ts'), later, later);
    expect(buildIsCurrent(root)).toBe(false);

    stamp(src, dist);
    writeFileSync(join(src, 'cli', 'added.ts'), '');
    expect(buildIsCurrent(root)).toBe(false);

    stamp(src, dist);
    rmSync(join(src, 'index.ts'));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('stays current when only tests change', () => {
    const { src, dist } = project();
    stamp(src, dist);
    const later = new Date(Date.now() + 60_000);
    writeFileSync(join(src, 'cli', 'main.test.ts'), 'a longer test\n');
    utimesSync(join(src, 'cli', 'main.test.ts'), later, later);
    writeFileSync(join(src, 'cli', 'other.test.ts'), 'new test\n');
    expect(buildIsCurrent(root)).toBe(true);
  });

  it('is not current when the stamp is not JSON', () => {
    const { dist } = project();
    writeFileSync(join(dist, stampFile), '{ half');
    expect(buildIsCurrent(root)).toBe(false);
  });
});
