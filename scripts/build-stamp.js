// @ts-check
// Whether dist/ was compiled from the src/ that is here now, decided cheaply enough to run on
// every `salvo` start in a checkout: one stat per source file, no hashing, no compiler.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a build was compiled from: the compiled files of src/ (tsconfig.build.json leaves out
 * `*.test.ts` and `test-*.ts`), how many, their total size and the newest modification time.
 * @typedef {{ files: number, bytes: number, newestMtimeMs: number }} SourceSnapshot
 */

/** The build's stamp, written when the build has finished, beside the compiled files. */
export const stampFile = '.build-stamp.json';

/**
 * Whether tsc compiles `name` into dist/ (the tests and their helpers stay out).
 * @param {string} name a file name, without its folder
 */
export function isCompiledSource(name) {
  return !name.endsWith('.test.ts') && !name.startsWith('test-');
}

/**
 * The snapshot of the source folder now.
 * @param {string} sourceDir
 * @returns {SourceSnapshot}
 */
export function snapshotSources(sourceDir) {
  const snapshot = { files: 0, bytes: 0, newestMtimeMs: 0 };
  const walk = (/** @type {string} */ dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isCompiledSource(entry.name)) {
        const { size, mtimeMs } = statSync(path);
        snapshot.files += 1;
        snapshot.bytes += size;
        snapshot.newestMtimeMs = Math.max(snapshot.newestMtimeMs, mtimeMs);
      }
    }
  };
  walk(sourceDir);
  return snapshot;
}

/**
 * Whether a build stamped with `stamp` still matches the sources: same files (count and total
 * size, so an added, removed or resized file shows) and none modified after the build began.
 * Anything unreadable or malformed in the stamp means "not current": the caller then runs the
 * sources, which is always correct, only slower.
 * @param {unknown} stamp the parsed stamp file, or undefined when there is none
 * @param {SourceSnapshot} current
 * @returns {boolean}
 */
export function isBuildCurrent(stamp, current) {
  if (typeof stamp !== 'object' || stamp === null) return false;
  const { files, bytes, newestMtimeMs } = /** @type {Record<string, unknown>} */ (stamp);
  if (typeof files !== 'number' || typeof bytes !== 'number') return false;
  if (typeof newestMtimeMs !== 'number' || !Number.isFinite(newestMtimeMs)) return false;
  return (
    files === current.files && bytes === current.bytes && current.newestMtimeMs <= newestMtimeMs
  );
}

/**
 * Reads the stamp in `buildDir`; undefined when it is missing or not JSON.
 * @param {string} buildDir
 * @returns {unknown}
 */
export function readStamp(buildDir) {
  try {
    return JSON.parse(readFileSync(join(buildDir, stampFile), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether the build in `<root>/dist` was compiled from the sources in `<root>/src` as they are.
 * @param {string} root the package folder
 */
export function buildIsCurrent(root) {
  const stamp = readStamp(join(root, 'dist'));
  // No stamp: no need to walk the sources.
  return stamp !== undefined && isBuildCurrent(stamp, snapshotSources(join(root, 'src')));
}
